// Runs bench/reference/keras_train.py: the same dense autoencoder trained in
// Keras on the same windows with the same batch size and learning rate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { exportDenseModel, float32Bytes } from './export.ts';
import { lastLine, runProcess } from './python.ts';
import { SensorwatchError } from '../../common/errors.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface KerasOptions {
  python: string;
  batchSize: number;
  epochs: number;
  learningRate: number;
  /** Held out from training and evaluated each epoch, as the product's trainModel does. */
  validationFraction: number;
  timeoutMs: number;
}

export interface KerasResult {
  tensorflow: string;
  /** Training windows (the validation part excluded). */
  windows: number;
  batchSize: number;
  epochs: number;
  windowsPerSec: number;
  samples: number[];
}

export async function runKerasReference(
  net: tf.LayersModel,
  shape: { windowLength: number; channels: number },
  inputs: Float32Array,
  options: KerasOptions,
): Promise<KerasResult> {
  // Only the layer sizes and activations are used: Keras starts from its own
  // initial weights, as a fresh training run would.
  const { spec } = exportDenseModel(net, shape.windowLength, shape.channels);
  const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-bench-keras-'));
  try {
    const specFile = join(dir, 'spec.json');
    const inputFile = join(dir, 'inputs.f32');
    writeFileSync(specFile, JSON.stringify(spec));
    writeFileSync(inputFile, float32Bytes(inputs));
    const args = [
      join(here, 'keras_train.py'),
      specFile,
      inputFile,
      '--batch-size',
      String(options.batchSize),
      '--epochs',
      String(options.epochs),
      '--lr',
      String(options.learningRate),
      '--validation-fraction',
      String(options.validationFraction),
    ];
    const r = await runProcess(options.python, args, { timeoutMs: options.timeoutMs, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
    if (r.code !== 0) {
      throw new SensorwatchError(r.timedOut ? `keras_train.py ran past ${options.timeoutMs} ms` : `keras_train.py failed: ${lastLine(r.stderr)}`, { code: 'bench_reference_failed' });
    }
    const lines = r.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1] ?? '{}') as KerasResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
