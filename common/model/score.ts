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
  /**
   * Per-step error: the mean over channels of each channel's squared residual over the window's
   * newest `stepSamples` samples, divided by that channel's held-out residual scale²
   * (meta.calibration.channelScale; 1 where absent), so each channel counts in its own units.
   */
  step: number;
  /** The largest standardised channel term of `step` (× channels): one channel's fault among many quiet ones. */
  stepMax: number;
  /** Per model channel: its term of `step` (sums to `step`). */
  stepContributions: number[];
}

export interface ScoreOptions {
  /** The newest samples the per-step error is taken over: the samples new in this window (its hop). */
  stepSamples: number;
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

export function scoreWindows(model: LoadedModel, windows: readonly SignalWindow[], options: ScoreOptions = { stepSamples: 1 }): WindowScore[] {
  if (windows.length === 0) return [];
  const { windowLength: L, channels } = model.meta;
  const C = channels.length;
  const S = Math.min(L, Math.max(1, Math.round(options.stepSamples)));
  const batch = toBatch(model, windows);
  const [perChannel, newest] = tf.tidy(() => {
    const x = tf.tensor2d(batch, [windows.length, L * C]);
    const residual = model.reconstruct(x).sub(x).square().reshape([windows.length, L, C]);
    return [residual.sum(1).div(L * C), residual.slice([0, L - S, 0], [windows.length, S, C]).mean(1)] as [tf.Tensor, tf.Tensor];
  });
  const values = perChannel.dataSync() as Float32Array;
  const steps = newest.dataSync() as Float32Array;
  perChannel.dispose();
  newest.dispose();
  const scale = channelScales(model.meta.calibration.channelScale, C);
  return windows.map((_, i) => {
    const contributions = Array.from(values.subarray(i * C, (i + 1) * C));
    const stepContributions = Array.from(steps.subarray(i * C, (i + 1) * C), (v, c) => v / (scale[c] as number) / C);
    // The error is the sum of the shares, so the two agree to the last bit.
    return {
      error: contributions.reduce((a, b) => a + b, 0),
      contributions,
      step: stepContributions.reduce((a, b) => a + b, 0),
      stepMax: Math.max(...stepContributions) * C,
      stepContributions,
    };
  });
}

/** Squared held-out residual scale per channel (1 where the model has none). */
function channelScales(scale: readonly number[] | undefined, C: number): Float64Array {
  const out = new Float64Array(C).fill(1);
  if (scale !== undefined && scale.length === C) scale.forEach((s, c) => (out[c] = s > 0 && Number.isFinite(s) ? s * s : 1));
  return out;
}
