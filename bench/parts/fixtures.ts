// The benchmark's reference model and data: windows of 64 samples × 8
// channels, the dense autoencoder 512 → 128 → 32 → 128 → 512 and the 1D
// convolutional one, built by the product's own builder.
import type { ModelConfig } from '../../common/config/types.ts';
import { defaultConfig } from '../../common/config/defaults.ts';
import { wrapModel, type LoadedModel, type ModelMeta } from '../../common/model/artifact.ts';
import { buildAutoencoder } from '../../common/model/build.ts';
import { fitNormalisation } from '../../common/model/normalise.ts';
import type { SignalWindow } from '../../common/types.ts';
import type { ModelCase } from '../report.ts';
import { syntheticWindows as sensorBySensor } from '../synthetic.ts';

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
 * `count` windows of the shared synthetic signals (bench/synthetic.ts) in
 * the reference shape, interleaved as a live stream arrives: window i is of
 * sensor i % sensors. Deterministic for a given seed.
 */
export function syntheticWindows(count: number, seed = 7, sensors = 16): SignalWindow[] {
  const perSensor = Math.ceil(count / sensors);
  const bySensor = sensorBySensor({ sensors, windowsPerSensor: perSensor, length: windowLength, channels: channels.length, noise: 0.1, seed });
  const out: SignalWindow[] = [];
  for (let i = 0; i < count; i++) {
    const w = bySensor[(i % sensors) * perSensor + Math.floor(i / sensors)];
    if (w !== undefined) out.push(w);
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
