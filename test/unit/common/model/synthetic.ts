// Model test helpers: the deterministic windows (shared with the benchmark,
// bench/synthetic.ts), a small model config and a tiny trained model.
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ModelConfig } from '../../../../common/config/types.ts';
import { trainModel, type TrainingStep, type TrainResult } from '../../../../common/model/train.ts';
import type { SignalWindow } from '../../../../common/types.ts';
import * as tf from '@tensorflow/tfjs';
import { syntheticWindows } from '../../../../bench/synthetic.ts';

export { syntheticWindows, type SyntheticOptions } from '../../../../bench/synthetic.ts';

/** A small, fast model config for tests (16 × 4 windows). */
export function smallModelConfig(overrides: Partial<ModelConfig> = {}, training: Partial<ModelConfig['training']> = {}): ModelConfig {
  return {
    ...defaultConfig.model,
    hidden: [16],
    codeSize: 8,
    conv: { filters: [8, 4], kernelSize: 3 },
    ...overrides,
    training: { ...defaultConfig.model.training, epochs: 3, batchSize: 32, learningRate: 5e-3, ...training },
  };
}

/** Trains a tiny model on synthetic windows (a few hundred ms). */
export async function trainSmall(options: { kind?: ModelConfig['kind']; version?: number; modelKey?: string; epochs?: number } = {}): Promise<TrainResult> {
  return trainModel({
    windows: syntheticWindows({ sensors: 2, windowsPerSensor: 60 }),
    config: smallModelConfig({ kind: options.kind ?? 'dense' }, { epochs: options.epochs ?? 3 }),
    thresholds: { ...defaultConfig.thresholds },
    modelKey: options.modelKey ?? 'default',
    version: options.version ?? 1,
    backend: tf.getBackend(),
    now: () => 1_700_000_000_000,
  });
}

/** What one seeded training run with `step` went through: each epoch's loss and held-out loss, the held-out errors, the final weights. */
export interface RecordedTraining {
  loss: number[];
  val: number[];
  errors: number[];
  weights: Float32Array[];
  meta: { bestEpoch: number; epochs: number };
}

/** Trains `cfg` on `windows` with the given step and records it (the model is disposed). */
export async function trainRecorded(windows: readonly SignalWindow[], cfg: ModelConfig, stepImplementation: TrainingStep): Promise<RecordedTraining> {
  const loss: number[] = [];
  const val: number[] = [];
  const r = await trainModel({
    windows,
    config: cfg,
    thresholds: { ...defaultConfig.thresholds },
    modelKey: 'k',
    version: 1,
    backend: tf.getBackend(),
    stepImplementation,
    onEpoch: (p) => {
      loss.push(p.loss);
      val.push(p.valLoss);
    },
  });
  const weights = r.model.net.getWeights().map((w) => w.dataSync() as Float32Array);
  r.model.dispose();
  return { loss, val, errors: r.valErrors, weights, meta: { bestEpoch: r.meta.metrics.bestEpoch, epochs: r.meta.metrics.epochs } };
}
