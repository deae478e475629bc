// Scoring maths: the reconstruction error of each window and each channel's
// share of it. Pure apart from tfjs; one batched model call per invocation.
import * as tf from '@tensorflow/tfjs';
import { SensorwatchError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SignalWindow } from '../types.ts';
import type { LoadedModel } from './artifact.ts';
import { residualSums } from './forward-block.ts';
import { denseChainProblem, denseForwardFor, forwardKernelName } from './forward-js.ts';
import { forwardThreads } from './forward-threads.ts';
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
  /** Batches up to this size use the plain-JS forward pass where the model allows (default: jsForwardMaxBatch() for the current backend; 0: never). */
  jsForwardMaxBatch?: number;
  /** Says once per model which forward pass serves which batch sizes. */
  log?: Logger;
  /** Batches of at least this many windows run the batched JS pass on two threads where the process can (default threadsFrom; Infinity: never). */
  threadsFrom?: number;
}

/** Normalises windows into one [n, L·C] batch, in the model's channel order. */
export function toBatch(model: LoadedModel, windows: readonly SignalWindow[]): Float32Array {
  const { windowLength: L, channels } = model.meta;
  const width = L * channels.length;
  const batch = new Float32Array(windows.length * width);
  windows.forEach((w, i) => normaliseInto(model, w, batch, i * width));
  return batch;
}

/** One window, normalised, at out[offset ..]; a window of another length is an error that names it. */
function normaliseInto(model: LoadedModel, w: SignalWindow, out: Float32Array, offset: number): void {
  const L = model.meta.windowLength;
  if (w.samples.length !== L * w.channels.length) {
    throw new SensorwatchError(
      `window ${w.sensorId}#${w.seq} has ${w.samples.length / Math.max(1, w.channels.length)} samples per channel; model ${model.meta.modelKey} v${model.meta.version} expects ${L}`,
      { code: 'window_incompatible', details: { sensorId: w.sensorId, seq: w.seq } },
    );
  }
  normaliseWindow(w, model.meta.normalisation, out, offset);
}

/**
 * Per TF.js backend: batches of at most this many windows go through the forward
 * pass outside TF.js (forward-js.ts: WebAssembly SIMD, batched from
 * `jsBatchedFrom` windows on) when the model is a chain of dense layers; larger
 * ones through TF.js. wasm: the batched SIMD pass is ahead of TF.js's wasm
 * kernels at every batch measured (1 to 1024, windows per CPU-second;
 * docs/performance.md). cpu: TF.js's plain-JS kernels are slower at every size.
 * tensorflow: on one thread, libtensorflow (several threads) is ahead from
 * about 1024 and level at 256 (stop 25); with the batched pass on two threads
 * (`jsForwardMaxBatchThreaded`) the JS pass is ahead at 1024 too (stop 26).
 */
export const jsForwardMaxBatchByBackend: Readonly<Record<string, number>> = { wasm: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY, tensorflow: 256 };

/** The crossovers where the process scores on two threads (forwardThreads() 2); backends not listed keep jsForwardMaxBatchByBackend's. */
export const jsForwardMaxBatchThreaded: Readonly<Record<string, number>> = { tensorflow: Number.POSITIVE_INFINITY };

/** The crossover for the current TF.js backend (16 for a backend not listed). */
export function jsForwardMaxBatch(): number {
  const backend = tf.getBackend();
  const threaded = forwardThreads() >= 2 && forwardKernelName() === 'wasm simd' ? jsForwardMaxBatchThreaded[backend] : undefined;
  return threaded ?? jsForwardMaxBatchByBackend[backend] ?? 16;
}

/** From this many windows the JS forward pass runs batched (four windows per weight pass); below, window by window. */
export const jsBatchedFrom = 4;

/**
 * From this many windows the batched JS pass runs on two threads (a worker
 * takes blocks of 32 windows as they are normalised; forward-threads.ts),
 * where the process has two CPUs and shared WebAssembly memory. Below, waking
 * the worker costs about what it saves.
 */
export const threadsFrom = 64;

export function scoreWindows(model: LoadedModel, windows: readonly SignalWindow[], options: ScoreOptions = { stepSamples: 1 }): WindowScore[] {
  if (windows.length === 0) return [];
  const { windowLength: L, channels } = model.meta;
  const C = channels.length;
  const S = Math.min(L, Math.max(1, Math.round(options.stepSamples)));
  const n = windows.length;
  const maxJs = options.jsForwardMaxBatch ?? jsForwardMaxBatch();
  const forward = n <= maxJs ? denseForwardFor(model.net).forward : null;
  if (options.log !== undefined && !said.has(model)) sayPath(model, maxJs, options.threadsFrom ?? threadsFrom, options.log);
  // Per window and channel: Σ_t residual² / (L·C), and the mean residual² over the newest S samples.
  const perChannel = new Float64Array(n * C);
  const newest = new Float64Array(n * C);
  if (forward !== null && forward.scoreBatch !== undefined && n >= jsBatchedFrom) {
    // Normalised straight into the pass's memory, block by block.
    const threads = n >= (options.threadsFrom ?? threadsFrom) ? 2 : 1;
    const fill = (i: number, out: Float32Array, at: number): void => normaliseInto(model, windows[i] as SignalWindow, out, at);
    forward.scoreBatch({ n, fill, windowLength: L, channels: C, stepSamples: S, perChannel, newest, threads });
  } else if (forward !== null) {
    const batch = toBatch(model, windows);
    for (let i = 0; i < n; i++) {
      const recon = forward.run(batch, i * L * C);
      residualSums(batch, i * L * C, recon, 0, L, C, S, perChannel, i * C, newest, i * C);
    }
  } else {
    const batch = toBatch(model, windows);
    const recon = tf.tidy(() => model.reconstruct(tf.tensor2d(batch, [n, L * C])));
    const values = recon.dataSync() as Float32Array;
    recon.dispose();
    for (let i = 0; i < n; i++) residualSums(batch, i * L * C, values, i * L * C, L, C, S, perChannel, i * C, newest, i * C);
  }
  const scale = channelScales(model.meta.calibration.channelScale, C);
  const out = new Array<WindowScore>(n);
  for (let i = 0; i < n; i++) {
    const contributions = new Array<number>(C);
    const stepContributions = new Array<number>(C);
    // The error is the sum of the shares, so the two agree to the last bit.
    let error = 0;
    let step = 0;
    let top = -Infinity;
    for (let c = 0; c < C; c++) {
      const share = perChannel[i * C + c] as number;
      contributions[c] = share;
      error += share;
      const term = (newest[i * C + c] as number) / (scale[c] as number) / C;
      stepContributions[c] = term;
      step += term;
      if (term > top || Number.isNaN(term)) top = Number.isNaN(top) ? top : term;
    }
    out[i] = { error, contributions, step, stepMax: top * C, stepContributions };
  }
  return out;
}

const said = new WeakSet<LoadedModel>();

/** One log line per model: which forward pass serves which batch sizes. */
function sayPath(model: LoadedModel, maxJsBatch: number, fromThreads: number, log: Logger): void {
  said.add(model);
  // Only whether the net could run outside TF.js: a model that only ever sees large batches never copies its weights.
  const reason = denseChainProblem(model.net);
  const maxJs = reason === null ? maxJsBatch : null;
  const { modelKey, version } = model.meta;
  const backend = tf.getBackend();
  const js = maxJs !== null && maxJs >= 1;
  // Two threads serve the batched JS pass from fromThreads windows, where the process can and the JS pass takes such batches.
  const threads = js && forwardKernelName() === 'wasm simd' && forwardThreads() >= 2 && fromThreads <= maxJs && fromThreads !== Number.POSITIVE_INFINITY ? 2 : 1;
  const onThreads = threads === 2 ? `; from ${fromThreads} windows on 2 threads` : '';
  const msg = !js
    ? `scoring: model ${modelKey} v${version}: ${backend} for every batch${reason === null ? '' : ` (no js forward: ${reason})`}`
    : maxJs === Number.POSITIVE_INFINITY
      ? `scoring: model ${modelKey} v${version}: js forward for every batch (${backend} backend is slower at every size)${onThreads}`
      : `scoring: model ${modelKey} v${version}: js forward for batches ≤ ${maxJs}, ${backend} above${onThreads}`;
  log.info(msg, {
    modelKey,
    version,
    backend,
    kernel: js ? forwardKernelName() : null,
    jsBatchedFrom,
    jsForwardMaxBatch: maxJs === null ? 0 : Math.min(maxJs, Number.MAX_SAFE_INTEGER),
    threads,
    threadsFrom: threads === 2 ? fromThreads : null,
  });
}

/** Squared held-out residual scale per channel (1 where the model has none). */
function channelScales(scale: readonly number[] | undefined, C: number): Float64Array {
  const out = new Float64Array(C).fill(1);
  if (scale !== undefined && scale.length === C) scale.forEach((s, c) => (out[c] = s > 0 && Number.isFinite(s) ? s * s : 1));
  return out;
}
