// Scoring maths: the reconstruction error of each window and each channel's
// share of it. Pure apart from tfjs; one batched model call per invocation.
import * as tf from '@tensorflow/tfjs';
import { SensorwatchError } from '../errors.ts';
import type { SignalWindow } from '../types.ts';
import type { LoadedModel } from './artifact.ts';
import { normaliseWindow } from './normalise.ts';

export interface WindowScore {
  /** Mean squared error over the normalised window (all samples, all channels). */
  error: number;
  /** Per model channel (meta.channels order): Σ_t residual² / (length · channels). Sums to `error`. */
  contributions: number[];
}

/** Normalises windows into one [n, L·C] batch, in the model's channel order. */
export function toBatch(model: LoadedModel, windows: readonly SignalWindow[]): Float32Array {
  const { windowLength: L, channels } = model.meta;
  const width = L * channels.length;
  const batch = new Float32Array(windows.length * width);
  windows.forEach((w, i) => {
    if (w.samples.length !== L * w.channels.length) {
      throw new SensorwatchError(
        `window ${w.sensorId}#${w.seq} has ${w.samples.length / Math.max(1, w.channels.length)} samples per channel; model ${model.meta.modelKey} v${model.meta.version} expects ${L}`,
        { code: 'window_incompatible', details: { sensorId: w.sensorId, seq: w.seq } },
      );
    }
    normaliseWindow(w, model.meta.normalisation, batch, i * width);
  });
  return batch;
}

export function scoreWindows(model: LoadedModel, windows: readonly SignalWindow[]): WindowScore[] {
  if (windows.length === 0) return [];
  const { windowLength: L, channels } = model.meta;
  const C = channels.length;
  const batch = toBatch(model, windows);
  const perChannel = tf.tidy(() => {
    const x = tf.tensor2d(batch, [windows.length, L * C]);
    const residual = model.reconstruct(x).sub(x).square().reshape([windows.length, L, C]);
    return residual.sum(1).div(L * C);
  });
  const values = perChannel.dataSync();
  perChannel.dispose();
  return windows.map((_, i) => {
    const contributions = Array.from(values.subarray(i * C, (i + 1) * C));
    // The error is the sum of the shares, so the two agree to the last bit.
    return { error: contributions.reduce((a, b) => a + b, 0), contributions };
  });
}
