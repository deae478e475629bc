// A small deterministic signal generator for model unit tests: smooth,
// correlated sinusoids per channel plus seeded noise, cut into windows.
import { createRng } from '../../../../common/rng.ts';
import type { SignalWindow } from '../../../../common/types.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ModelConfig } from '../../../../common/config/types.ts';
import { trainModel, type TrainResult } from '../../../../common/model/train.ts';
import * as tf from '@tensorflow/tfjs';

export interface SyntheticOptions {
  sensors?: number;
  windowsPerSensor?: number;
  length?: number;
  channels?: number;
  noise?: number;
  seed?: number;
  /** Hop between window starts, in samples (default: the window length). */
  hop?: number;
}

export function syntheticWindows(options: SyntheticOptions = {}): SignalWindow[] {
  const { sensors = 2, windowsPerSensor = 100, length = 16, channels = 4, noise = 0.05, seed = 1 } = options;
  const hop = options.hop ?? length;
  const rng = createRng(seed);
  const names = Array.from({ length: channels }, (_, c) => `ch${c}`);
  const out: SignalWindow[] = [];
  for (let s = 0; s < sensors; s++) {
    const phase = rng.next() * 2 * Math.PI;
    for (let w = 0; w < windowsPerSensor; w++) {
      const samples: number[] = [];
      for (let t = 0; t < length; t++) {
        const time = w * hop + t;
        const base = Math.sin((2 * Math.PI * time) / 24 + phase);
        for (let c = 0; c < channels; c++) {
          samples.push(10 * c + (1 + c) * base + 0.5 * Math.cos((2 * Math.PI * time) / (7 + c)) + noise * rng.normal());
        }
      }
      out.push({
        sensorId: `s${s}`,
        seq: w,
        start: 1_700_000_000_000 + w * hop * 100,
        end: 1_700_000_000_000 + (w * hop + length - 1) * 100,
        channels: names,
        samples,
        missing: 0,
        badQuality: 0,
      });
    }
  }
  return out;
}


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
