// Test fixtures for the scorer: a real (tiny) tfjs model whose reconstruction
// is exactly zero, so a window's error is the mean of its squared samples and a
// test can dial in any score: every sample = sqrt(score · threshold).
import * as tf from '@tensorflow/tfjs';
import { wrapModel, type LoadedModel, type ModelMeta } from '../../../common/model/artifact.ts';
import { buildAutoencoder } from '../../../common/model/build.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { SignalWindow } from '../../../common/types.ts';

export interface FixtureModel {
  key?: string;
  version?: number;
  threshold?: number;
  channels?: string[];
  length?: number;
  perSensorThresholds?: Record<string, number>;
  /** The sensor type it was trained on; absent: none recorded (read as 'default'). */
  sensorType?: string;
}

export function zeroModel(options: FixtureModel = {}): LoadedModel {
  const channels = options.channels ?? ['a', 'b'];
  const length = options.length ?? 8;
  const width = channels.length * length;
  const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [width], units: width, kernelInitializer: 'zeros', biasInitializer: 'zeros' })] });
  const version = options.version ?? 1;
  const threshold = options.threshold ?? 1;
  const perSensor = Object.fromEntries(Object.entries(options.perSensorThresholds ?? {}).map(([id, value]) => [id, { value, method: 'static' as const, details: {} }]));
  const meta: ModelMeta = {
    formatVersion: 1,
    modelKey: options.key ?? 'default',
    ...(options.sensorType === undefined ? {} : { sensorType: options.sensorType }),
    version,
    kind: 'dense',
    config: {
      model: { ...defaultConfig.model, kind: 'dense' },
      thresholds: { ...defaultConfig.thresholds, method: 'static', value: threshold },
      windowing: { channels, length },
    },
    normalisation: { kind: 'zscore', channels, center: channels.map(() => 0), scale: channels.map(() => 1) },
    channels,
    windowLength: length,
    thresholds: { model: { value: threshold, method: 'static', details: {} }, perSensor },
    calibration: { errors: Array.from({ length: 50 }, (_, i) => i / 50), perSensorErrors: {} },
    dataRange: { from: 0, to: 1, windows: 0, trainWindows: 0, valWindows: 0, sensors: [], offsets: [] },
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
    backend: 'cpu',
    createdAt: 1_700_000_000_000 + version,
    checksum: `fixture-v${version}-t${threshold}`,
  };
  return wrapModel(net, meta);
}

export interface FixtureWindow {
  sensorId?: string;
  seq: number;
  /** Every sample's value; the zero model's error is value². */
  value?: number;
  /** Per-sample override. */
  sample?: (t: number, c: number) => number;
  channels?: string[];
  length?: number;
  missing?: number;
  badQuality?: number;
  sensorType?: string;
}

/** Window `seq` of a sensor: 1 s apart in event time, `value` everywhere. */
export function window(w: FixtureWindow): SignalWindow {
  const channels = w.channels ?? ['a', 'b'];
  const length = w.length ?? 8;
  const samples: number[] = [];
  // A little ripple keeps the flatline rule quiet; it adds ~1e-6 to the error.
  for (let t = 0; t < length; t++) for (let c = 0; c < channels.length; c++) samples.push(w.sample?.(t, c) ?? (w.value ?? 0) + (t % 2 === 0 ? 1e-3 : -1e-3));
  const start = 1_700_000_000_000 + w.seq * 1000;
  return { sensorId: w.sensorId ?? 's1', seq: w.seq, start, end: start + 999, channels, samples, missing: w.missing ?? 0, badQuality: w.badQuality ?? 0, ...(w.sensorType === undefined ? {} : { sensorType: w.sensorType }) };
}

/** The sample value that gives this score under a zero model with this threshold. */
export const valueForScore = (score: number, threshold = 1): number => Math.sqrt(score * threshold);

/** The fixture's metadata around a real, randomly initialised dense autoencoder (non-trivial reconstructions). */
export function randomModel(options: FixtureModel & { seed?: number } = {}): LoadedModel {
  const shell = zeroModel(options);
  const { net } = buildAutoencoder({ ...defaultConfig.model, kind: 'dense', hidden: [6], codeSize: 3 }, { length: shell.meta.windowLength, channels: shell.meta.channels.length }, options.seed ?? 1);
  shell.dispose();
  return wrapModel(net, shell.meta);
}
