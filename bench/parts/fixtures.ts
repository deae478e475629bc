// The benchmark's reference model and data: windows of 64 samples × 8
// channels, the dense autoencoder 512 → 128 → 32 → 128 → 512 and the 1D
// convolutional one, built by the product's own builder.
import type { ModelConfig } from '../../common/config/types.ts';
import { defaultConfig } from '../../common/config/defaults.ts';
import { wrapModel, type LoadedModel, type ModelMeta } from '../../common/model/artifact.ts';
import { buildAutoencoder } from '../../common/model/build.ts';
import { fitNormalisation } from '../../common/model/normalise.ts';
import { createRng } from '../../common/rng.ts';
import type { SignalWindow } from '../../common/types.ts';
import type { ModelCase } from '../report.ts';

export const windowLength = 64;
export const channels = ['ch0', 'ch1', 'ch2', 'ch3', 'ch4', 'ch5', 'ch6', 'ch7'];
export const modelSeed = 1234;

/** The reference models: only kind, layer sizes and activation differ from the defaults. */
export function benchModelConfig(kind: ModelCase): ModelConfig {
  return {
    ...defaultConfig.model,
    kind: kind === 'dense' ? 'dense' : 'conv',
    hidden: [128],
    codeSize: 32,
    activation: 'relu',
  };
}

/**
 * `count` windows of smooth periodic signals plus noise, one phase per
 * sensor and channel: realistic enough that normalisation and the model see
 * varied values, and deterministic for a given seed.
 */
export function syntheticWindows(count: number, seed = 7, sensors = 16): SignalWindow[] {
  const rng = createRng(seed);
  const C = channels.length;
  const out: SignalWindow[] = [];
  for (let i = 0; i < count; i++) {
    const sensor = i % sensors;
    const samples = new Array<number>(windowLength * C);
    for (let t = 0; t < windowLength; t++) {
      const time = i * 16 + t;
      for (let c = 0; c < C; c++) {
        samples[t * C + c] = 10 * c + Math.sin((time + sensor * 7) / (5 + c)) * (1 + c / 4) + 0.1 * rng.normal();
      }
    }
    out.push({
      sensorId: `sensor-${sensor}`,
      seq: Math.floor(i / sensors),
      start: i * 1000,
      end: i * 1000 + (windowLength - 1) * 100,
      channels,
      samples,
      missing: 0,
      badQuality: 0,
    });
  }
  return out;
}

export interface BenchModelOptions {
  seed?: number;
  /** Overrides the reference sizes (e.g. a small per-sensor model). */
  hidden?: number[];
  codeSize?: number;
}

/** A scoring-ready model with normalisation fitted on `windows` (thresholds are irrelevant to speed). */
export function benchModel(kind: ModelCase, windows: readonly SignalWindow[], backend: string, options: BenchModelOptions = {}): LoadedModel {
  const seed = options.seed ?? modelSeed;
  const cfg = { ...benchModelConfig(kind), ...(options.hidden === undefined ? {} : { hidden: options.hidden }), ...(options.codeSize === undefined ? {} : { codeSize: options.codeSize }) };
  const { net, withCode } = buildAutoencoder(cfg, { length: windowLength, channels: channels.length }, seed);
  // Only `net` is served; the two-output training view shares its layers.
  void withCode;
  const normalisation = fitNormalisation(windows, cfg.normalisation);
  const threshold = { value: 1, method: 'static' as const, details: {} };
  const meta: ModelMeta = {
    formatVersion: 1,
    modelKey: `bench-${kind}`,
    version: 1,
    kind: cfg.kind,
    config: {
      model: cfg,
      thresholds: { ...defaultConfig.thresholds },
      windowing: { channels, length: windowLength },
    },
    normalisation,
    channels,
    windowLength,
    thresholds: { model: threshold, perSensor: {} },
    calibration: { errors: [], perSensorErrors: {} },
    dataRange: { from: 0, to: 0, windows: windows.length, trainWindows: windows.length, valWindows: 0, sensors: [], offsets: [] },
    metrics: {
      trainLoss: 0,
      valLoss: 0,
      epochs: 0,
      bestEpoch: 0,
      stoppedEarly: false,
      trainSeconds: 0,
      errorQuantiles: { p50: 0, p90: 0, p99: 0, max: 0 },
      meanCodeActivation: 0,
    },
    backend,
    createdAt: 0,
    checksum: '',
  };
  return wrapModel(net, meta);
}
