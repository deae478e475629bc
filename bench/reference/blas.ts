// Runs bench/reference/blas_forward.py on an exported model and checks that
// numpy computes what tfjs computes before trusting its timing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { exportDenseModel, float32Bytes } from './export.ts';
import { lastLine, runProcess } from './python.ts';
import { SensorwatchError } from '../../common/errors.ts';

const here = dirname(fileURLToPath(import.meta.url));

export interface BlasOptions {
  python: string;
  batchSizes: number[];
  minSeconds: number;
  repeats: number;
  /** Windows compared between tfjs and numpy. */
  checkCount: number;
  timeoutMs: number;
  /** Extra environment, e.g. OPENBLAS_NUM_THREADS=1. */
  env?: Record<string, string>;
}

export interface BlasResult {
  numpy: string;
  blas: string | null;
  threads: string;
  results: { batchSize: number; windowsPerSec: number; samples: number[] }[];
  /** numpy's reconstructions of the first checkCount windows, row-major. */
  check: Float32Array;
}

/**
 * Times the numpy forward pass of `net` over `inputs` (normalised windows,
 * row-major [n, windowLength × channels]).
 */
export async function runBlasReference(
  net: tf.LayersModel,
  shape: { windowLength: number; channels: number },
  inputs: Float32Array,
  options: BlasOptions,
): Promise<BlasResult> {
  const { spec, weights } = exportDenseModel(net, shape.windowLength, shape.channels);
  const dir = mkdtempSync(join(tmpdir(), 'sensorwatch-bench-blas-'));
  try {
    const files = { spec: join(dir, 'spec.json'), weights: join(dir, 'weights.f32'), inputs: join(dir, 'inputs.f32'), check: join(dir, 'check.f32') };
    writeFileSync(files.spec, JSON.stringify(spec));
    writeFileSync(files.weights, float32Bytes(weights));
    writeFileSync(files.inputs, float32Bytes(inputs));
    const args = [
      join(here, 'blas_forward.py'),
      files.spec,
      files.weights,
      files.inputs,
      '--batch-sizes',
      options.batchSizes.join(','),
      '--min-seconds',
      String(options.minSeconds),
      '--repeats',
      String(options.repeats),
      '--check-out',
      files.check,
      '--check-count',
      String(options.checkCount),
    ];
    const r = await runProcess(options.python, args, { timeoutMs: options.timeoutMs, env: { ...process.env, ...options.env } });
    if (r.code !== 0) {
      throw new SensorwatchError(r.timedOut ? `blas_forward.py ran past ${options.timeoutMs} ms` : `blas_forward.py failed: ${lastLine(r.stderr)}`, { code: 'bench_reference_failed' });
    }
    const parsed = JSON.parse(r.stdout) as Omit<BlasResult, 'check'>;
    const bytes = readFileSync(files.check);
    const check = new Float32Array(bytes.length / 4);
    for (let i = 0; i < check.length; i++) check[i] = bytes.readFloatLE(i * 4);
    return { ...parsed, check };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maxAbsDiff needs equal lengths, got ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}
