// The training loop: time-ordered split, normalisation fitted on the training
// part, Adam on MSE (+ sparsity penalty for 'sae', input corruption for 'dae'),
// early stopping on validation loss, threshold calibration on the held-out
// windows. Pure of Kafka and the filesystem; all randomness from the seed.
import * as tf from '@tensorflow/tfjs';
import { quantileSorted } from '../calibration/quantile.ts';
import { flatRunsOf, rangesOf } from '../calibration/ranges.ts';
import { calibrateAll, type ThresholdSettings } from '../calibration/thresholds.ts';
import { defaultConfig } from '../config/defaults.ts';
import type { ModelConfig } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';
import { createRng, type Rng } from '../rng.ts';
import type { SignalWindow } from '../types.ts';
import { artifactFormatVersion, type LoadedModel, type ModelMeta, type OffsetRange, wrapModel } from './artifact.ts';
import { buildAutoencoder } from './build.ts';
import { ensureConvFilterGradient } from './conv-grad.ts';
import { denseActivations, denseForward, denseGradients, FlatAdam } from './fast-train.ts';
import { channelRange, corrupt } from './corruption.ts';
import { fitNormalisation, normaliseWindow } from './normalise.ts';
import { scoreWindows } from './score.ts';
import { WasmDenseTrainer } from './wasm-train.ts';
import { sparsityPenalty } from './sparsity.ts';

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
  valLoss: number;
  bestValLoss: number;
  elapsedSeconds: number;
  /** Estimated seconds left if every remaining epoch runs (early stopping may end sooner). */
  etaSeconds: number;
}

export interface TrainOptions {
  windows: readonly SignalWindow[];
  config: ModelConfig;
  thresholds: ThresholdSettings;
  modelKey: string;
  version: number;
  /** The tfjs backend in use (tf.getBackend() or the backend module's choice): stored in the metadata. */
  backend: string;
  /** Overrides config.training.seed. */
  seed?: number;
  /** Kafka offsets the windows came from, stored in the metadata. */
  offsets?: OffsetRange[];
  /** Wall clock for createdAt and timings (injected so tests can fix it). */
  now?: () => number;
  /** Called after every epoch; a returned promise is awaited before the next epoch (a test can hold a round at an epoch). */
  onEpoch?: (progress: EpochProgress) => unknown;
  /** scorer.faults.flatlineEpsilon: the largest change that counts as unchanged when the training windows' flat runs are measured (Calibration.flatRuns). Default: the default config's. */
  flatlineEpsilon?: number;
  /** Newest samples the per-step error is taken over (the scoring hop: windowing.hop in the service, 1 in eval). Default 1. */
  stepSamples?: number;
  /**
   * How the steps run (default: defaultTrainingStep). 'fast': dense kinds through the
   * hand-written backward pass, conv through the layers API's autodiff, both with one flat Adam
   * update (fast-train.ts), 1.7-1.9x faster per step. 'layers': every kind through the layers
   * API and tf.train.adam (the step before issue 21). Both run the same kernels on the same
   * values in the same order, so on the tensorflow and cpu backends the trained models are
   * equal bit for bit (tested); on wasm a ReLU model differs in the last bits (docs/performance.md).
   * 'wasm': 'dense' and 'dae' through forward, backward and Adam in WebAssembly
   * (wasm-train.ts), no tfjs kernel per step; the same maths, float32 rounding differs
   * (products summed in another order); other kinds, no WebAssembly SIMD, or a model too large
   * for a 32-bit WebAssembly memory take 'fast'.
   */
  stepImplementation?: TrainingStep;
}

export type TrainingStep = 'fast' | 'layers' | 'wasm';
/** Every step, for benches and checks. */
export const trainingSteps: readonly TrainingStep[] = ['fast', 'layers', 'wasm'];
/**
 * The step the trainer and eval train with: 'wasm' (dense and dae in WebAssembly; sae and conv
 * take 'fast'). Made the default after NAB and Tennessee Eastman were re-run with it
 * (docs/results.md, *WebAssembly training step and detection (stop 27)*).
 */
export const defaultTrainingStep: TrainingStep = 'wasm';

export interface TrainResult {
  model: LoadedModel;
  meta: ModelMeta;
  /** Reconstruction error of each held-out window (same order as valWindows). */
  valErrors: number[];
  /** The held-out windows: the latest part of the data. The quality gate scores the current model on them. */
  valWindows: SignalWindow[];
}

/**
 * Below this many windows a split into training and validation is meaningless: a guard only.
 * How many windows a model needs is trainer.minWindows, which the trainer and eval both check
 * (common/training/retrain.ts) before they call trainModel.
 */
const minTrainingWindows = 10;
/** Errors kept in the metadata for per-sensor overrides (evenly thinned beyond this). */
const maxStoredErrors = 5000;

export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { config: cfg, windows } = options;
  const now = options.now ?? Date.now;
  const started = now();
  if (windows.length < minTrainingWindows) {
    throw new SensorwatchError(`model ${options.modelKey}: ${windows.length} windows, need at least ${minTrainingWindows} to train`, {
      code: 'not_enough_windows',
      details: { modelKey: options.modelKey, windows: windows.length },
    });
  }
  const first = windows[0] as SignalWindow;
  const channels = [...first.channels];
  const length = first.samples.length / channels.length;
  const ordered = [...windows].sort((a, b) => a.start - b.start || a.sensorId.localeCompare(b.sensorId) || a.seq - b.seq);
  const nVal = Math.min(ordered.length - 1, Math.max(1, Math.round(ordered.length * cfg.training.validationFraction)));
  const trainWindows = ordered.slice(0, ordered.length - nVal);
  const valWindows = ordered.slice(ordered.length - nVal);

  const stats = fitNormalisation(trainWindows, cfg.normalisation);
  const width = length * channels.length;
  const xTrain = new Float32Array(trainWindows.length * width);
  trainWindows.forEach((w, i) => normaliseWindow(w, stats, xTrain, i * width));
  const xVal = new Float32Array(valWindows.length * width);
  valWindows.forEach((w, i) => normaliseWindow(w, stats, xVal, i * width));
  const range = channelRange(xTrain, channels.length);

  const seed = options.seed ?? cfg.training.seed;
  const rng = createRng(seed);
  if (cfg.kind === 'conv') ensureConvFilterGradient(tf.getBackend());
  const { net, withCode } = buildAutoencoder(cfg, { length, channels: channels.length }, seed);
  const valTensor = tf.tensor2d(xVal, [valWindows.length, width]);
  const validation: ValidationSet = { tensor: valTensor, data: xVal, n: valWindows.length };
  const step = options.stepImplementation ?? defaultTrainingStep;
  const trainer: Trainer =
    step === 'layers'
      ? layersTrainer(net, withCode, cfg)
      : cfg.kind === 'conv'
        ? flatAdamLayersTrainer(net, withCode, cfg)
        : ((step === 'wasm' ? wasmDenseTrainer(net, cfg, width) : null) ?? denseTrainer(net, cfg));

  const epochs = Math.max(1, cfg.training.epochs);
  let best = { valLoss: Number.POSITIVE_INFINITY, trainLoss: Number.NaN, epoch: 0, weights: [] as tf.Tensor[] };
  let sinceBest = 0;
  let epochsRun = 0;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      epochsRun = epoch;
      const loss = trainEpoch({ trainer, cfg, xTrain, n: trainWindows.length, width, rng, range });
      const valValue = trainer.validationLoss(validation);
      if (valValue < best.valLoss) {
        for (const w of best.weights) w.dispose();
        best = { valLoss: valValue, trainLoss: loss, epoch, weights: trainer.snapshot() };
        sinceBest = 0;
      } else {
        sinceBest++;
      }
      const elapsedSeconds = (now() - started) / 1000;
      const held = options.onEpoch?.({
        epoch,
        epochs,
        loss,
        valLoss: valValue,
        bestValLoss: best.valLoss,
        elapsedSeconds,
        etaSeconds: (elapsedSeconds / epoch) * (epochs - epoch),
      });
      if (!Number.isFinite(loss)) {
        throw new SensorwatchError(`model ${options.modelKey}: training diverged at epoch ${epoch} (loss ${loss}); lower model.training.learningRate`, {
          code: 'training_diverged',
        });
      }
      if (held instanceof Promise) await held;
      if (sinceBest >= cfg.training.patience) break;
      // Let timers, metrics scrapes and signals through between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
    trainer.restore(best.weights);
  } catch (err) {
    net.dispose();
    throw err;
  } finally {
    for (const w of best.weights) w.dispose();
    valTensor.dispose();
    trainer.dispose();
  }

  const meta: ModelMeta = {
    formatVersion: artifactFormatVersion,
    modelKey: options.modelKey,
    sensorType: first.sensorType ?? 'default',
    version: options.version,
    kind: cfg.kind,
    config: { model: cfg, thresholds: options.thresholds, windowing: { channels, length } },
    normalisation: stats,
    channels,
    windowLength: length,
    thresholds: { model: { value: 0, method: options.thresholds.method, details: {} }, perSensor: {} },
    calibration: { errors: [], perSensorErrors: {} },
    dataRange: {
      from: ordered[0]?.start ?? 0,
      to: Math.max(...ordered.map((w) => w.end)),
      windows: ordered.length,
      trainWindows: trainWindows.length,
      valWindows: valWindows.length,
      sensors: [...new Set(ordered.map((w) => w.sensorId))].sort(),
      offsets: options.offsets ?? [],
    },
    metrics: {
      trainLoss: best.trainLoss,
      valLoss: best.valLoss,
      epochs: epochsRun,
      bestEpoch: best.epoch,
      stoppedEarly: epochsRun < epochs,
      trainSeconds: 0,
      errorQuantiles: { p50: 0, p90: 0, p99: 0, max: 0 },
      meanCodeActivation: 0,
    },
    backend: options.backend,
    createdAt: 0,
    checksum: '',
  };
  const model = wrapModel(net, meta);
  // Held-out errors come from the scorer's own function: what the threshold is compared with.
  meta.calibration.channelScale = channelResidualScale(model, xVal, valWindows.length, length, channels.length);
  const stepSamples = options.stepSamples ?? 1;
  const valScores = scoreWindows(model, valWindows, { stepSamples });
  const valErrors = valScores.map((s) => s.error);
  const calibrated = calibrateAll(valErrors, valWindows.map((w) => w.sensorId), options.thresholds);
  const sorted = Float64Array.from(valErrors).sort();
  meta.thresholds = { model: calibrated.model, perSensor: calibrated.perSensor };
  const steps = { stepSamples, mean: {} as Record<string, number[]>, max: {} as Record<string, number[]> };
  valWindows.forEach((w, i) => {
    const v = valScores[i] as { step: number; stepMax: number };
    (steps.mean[w.sensorId] ??= []).push(Number(v.step.toPrecision(7)));
    (steps.max[w.sensorId] ??= []).push(Number(v.stepMax.toPrecision(7)));
  });
  for (const k of ['mean', 'max'] as const) for (const id of Object.keys(steps[k])) steps[k][id] = (steps[k][id] ?? []).slice(-maxStoredErrors);
  meta.calibration = {
    channelScale: meta.calibration.channelScale,
    steps,
    ranges: rangesOf(ordered, channels),
    flatRuns: flatRunsOf(ordered, channels, options.flatlineEpsilon ?? defaultConfig.scorer.faults.flatlineEpsilon),
    errors: thin(valErrors, maxStoredErrors),
    perSensorErrors: Object.fromEntries(Object.entries(calibrated.perSensorErrors).map(([k, v]) => [k, thin(v, maxStoredErrors)])),
  };
  meta.metrics.valLoss = valErrors.reduce((a, b) => a + b, 0) / valErrors.length;
  meta.metrics.errorQuantiles = {
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
  };
  meta.metrics.meanCodeActivation = meanCodeActivation(model, xVal, valWindows.length, width);
  meta.createdAt = now();
  meta.metrics.trainSeconds = (meta.createdAt - started) / 1000;
  return { model, meta, valErrors, valWindows };
}

/**
 * One way of running the training steps. All keep the maths of Adam on the
 * objective; they differ in how many kernels a step takes (fast-train.ts) or
 * whether it runs in tfjs at all (wasm-train.ts).
 */
interface Trainer {
  /**
   * One optimisation step on a batch of `rows` rows of `width` (row-major): `input` is what
   * the network sees, `target` what it should reconstruct (the same array unless corrupted).
   * The step's objective is added to a sum read by takeLossSum.
   */
  step(input: Float32Array, target: Float32Array, rows: number, width: number): void;
  /** Σ over the steps since the last call of (objective × rows in the batch); resets the sum. */
  takeLossSum(): number;
  /** MSE of the clean held-out windows (no corruption, no penalty): what early stopping watches. */
  validationLoss(val: ValidationSet): number;
  /** A copy of the current weights (the caller disposes it). */
  snapshot(): tf.Tensor[];
  /** Puts a snapshot's weights into the network that is saved and served. */
  restore(weights: tf.Tensor[]): void;
  dispose(): void;
}

/** The held-out windows, as a tensor and as the normalised rows it was made from. */
interface ValidationSet {
  tensor: tf.Tensor2D;
  data: Float32Array;
  n: number;
}

/** A tfjs step on the batch as tensors (made and freed here, as the steps before 'wasm' had them). */
function tensorStep(step: (x: tf.Tensor2D, target: tf.Tensor2D) => void): Trainer['step'] {
  return (input, clean, rows, width) => {
    tf.tidy(() => {
      const target = tf.tensor2d(clean, [rows, width]);
      const x = input === clean ? target : tf.tensor2d(input, [rows, width]);
      step(x, target);
    });
  };
}

/**
 * Dense and denoising AEs in WebAssembly (wasm-train.ts), from the weights the seeded builder
 * initialised; null for other kinds, where WebAssembly SIMD is unavailable, or for a model too
 * large for a WebAssembly memory (the caller takes the fast step).
 */
function wasmDenseTrainer(net: tf.LayersModel, cfg: ModelConfig, width: number): Trainer | null {
  if (cfg.kind !== 'dense' && cfg.kind !== 'dae') return null;
  const activations = denseActivations(cfg);
  const shapes = net.getWeights().map((w) => [...w.shape]);
  const dims = [width, ...activations.map((_, i) => (shapes[2 * i + 1] as number[])[0] as number)];
  const wasm = WasmDenseTrainer.create({
    dims,
    activations,
    weights: net.getWeights().map((w) => w.dataSync() as Float32Array),
    learningRate: cfg.training.learningRate,
    epsilon: tf.backend().epsilon(),
    maxRows: Math.max(1, cfg.training.batchSize),
  });
  if (wasm === null) return null;
  let lossSum = 0;
  return {
    step(input, target, rows) {
      lossSum += Math.fround(wasm.step(input, target, rows)) * rows;
    },
    takeLossSum() {
      const value = lossSum;
      lossSum = 0;
      return value;
    },
    validationLoss: (val) => wasm.validationLoss(val.data, val.n),
    snapshot: () => wasm.weights().map((w, i) => tf.tensor(w, shapes[i])),
    restore(weights) {
      net.setWeights(weights);
    },
    dispose() {
      // The instance's memory goes with the last reference to it.
    },
  };
}

/**
 * Dense, denoising and sparse AEs: the hand-written backward pass and one
 * flat Adam update per step (common/model/fast-train.ts), from the weights
 * the seeded builder initialised.
 */
function denseTrainer(net: tf.LayersModel, cfg: ModelConfig): Trainer {
  const activations = denseActivations(cfg);
  const adam = new FlatAdam(net.getWeights(), cfg.training.learningRate);
  const sparsity = cfg.kind === 'sae' ? { cfg: cfg.sparsity, codeLayer: cfg.hidden.length } : undefined;
  const losses = new BatchLosses();
  return {
    step: tensorStep((x, target) => {
      tf.tidy(() => {
        const { loss, grads } = denseGradients({ params: adam.params(), activations, x, target, ...(sparsity === undefined ? {} : { sparsity }) });
        losses.add(loss, x.shape[0]);
        adam.apply(grads);
      });
    }),
    takeLossSum: () => losses.take(),
    validationLoss(val) {
      return tf.tidy(() => {
        const params = adam.params();
        return validationMse(val.tensor, (batch) => denseForward(params, activations, batch).at(-1) as tf.Tensor2D);
      });
    },
    snapshot: () => [adam.snapshot()],
    restore(weights) {
      tf.tidy(() => net.setWeights(adam.unflatten(weights[0] as tf.Tensor1D)));
    },
    dispose() {
      losses.dispose();
      adam.dispose();
    },
  };
}

/**
 * The objective of every batch of an epoch, kept on the device and read in one go at the end
 * of the epoch, then summed as the layers step sums them (each float32 value × rows, in a
 * double): the same epoch loss without a read per batch.
 */
class BatchLosses {
  private values: tf.Scalar[] = [];
  private rows: number[] = [];

  /** Keeps `loss` (also when called inside a tf.tidy). */
  add(loss: tf.Scalar, rows: number): void {
    this.values.push(tf.keep(loss));
    this.rows.push(rows);
  }

  /** Σ value × rows since the last take. */
  take(): number {
    const read = this.values.length === 0 ? new Float32Array(0) : tf.tidy(() => tf.stack(this.values).dataSync());
    let sum = 0;
    read.forEach((v, i) => (sum += v * (this.rows[i] ?? 0)));
    this.dispose();
    return sum;
  }

  dispose(): void {
    tf.dispose(this.values);
    this.values = [];
    this.rows = [];
  }
}

/** Rows per forward pass of the validation loss: LayersModel.predict's batch, so that both steps compute the same float32 products. */
const validationBatch = 256;

/** MSE of the reconstruction of x, reconstructed `validationBatch` rows at a time as net.predict does. Call inside tf.tidy. */
function validationMse(x: tf.Tensor2D, reconstruct: (batch: tf.Tensor2D) => tf.Tensor2D): number {
  const n = x.shape[0];
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < n; start += validationBatch) parts.push(reconstruct(x.slice([start, 0], [Math.min(validationBatch, n - start), -1])));
  const recon = parts.length === 1 ? (parts[0] as tf.Tensor2D) : tf.concat(parts, 0);
  return recon.sub(x).square().mean().dataSync()[0] ?? Number.NaN;
}

/** The objective of one batch through the layers model: MSE, plus the sparsity penalty for 'sae'. */
function layersObjective(withCode: tf.LayersModel, cfg: ModelConfig, x: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  const [recon, code] = withCode.apply(x, { training: true }) as [tf.Tensor2D, tf.Tensor];
  const mse = tf.losses.meanSquaredError(target, recon) as tf.Scalar;
  if (cfg.kind !== 'sae') return mse;
  return mse.add(sparsityPenalty(code.reshape([x.shape[0], -1]) as tf.Tensor2D, cfg.sparsity)) as tf.Scalar;
}

/**
 * Any layers model (the conv AE): gradients by the layers API's autodiff,
 * then one flat Adam update for all variables (tf.train.adam's maths).
 */
function flatAdamLayersTrainer(net: tf.LayersModel, withCode: tf.LayersModel, cfg: ModelConfig): Trainer {
  const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const adam = new FlatAdam(vars, cfg.training.learningRate);
  const losses = new BatchLosses();
  return {
    step: tensorStep((x, target) => {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => layersObjective(withCode, cfg, x, target), vars);
        losses.add(value, x.shape[0]);
        adam.apply(vars.map((v) => grads[v.name] as tf.Tensor));
        adam.params().forEach((p, i) => (vars[i] as tf.Variable).assign(p));
      });
    }),
    takeLossSum: () => losses.take(),
    validationLoss: (val) => layersValidationLoss(net, val.tensor),
    snapshot: () => net.getWeights().map((w) => w.clone()),
    restore(weights) {
      net.setWeights(weights);
    },
    dispose() {
      losses.dispose();
      adam.dispose();
    },
  };
}

function layersValidationLoss(net: tf.LayersModel, x: tf.Tensor2D): number {
  return tf.tidy(() => (net.predict(x, { batchSize: 256 }) as tf.Tensor).sub(x).square().mean().dataSync()[0] ?? Number.NaN);
}

/** Any layers model: tf.train.adam minimising the objective through the layers API (the way before issue 21). */
function layersTrainer(net: tf.LayersModel, withCode: tf.LayersModel, cfg: ModelConfig): Trainer {
  const optimizer = tf.train.adam(cfg.training.learningRate);
  let lossSum = 0;
  return {
    step: tensorStep((x, target) => {
      const rows = x.shape[0];
      const cost = tf.tidy((): tf.Scalar => optimizer.minimize(() => layersObjective(withCode, cfg, x, target), true) ?? tf.scalar(Number.NaN));
      lossSum += (cost.dataSync()[0] ?? Number.NaN) * rows;
      cost.dispose();
    }),
    takeLossSum() {
      const value = lossSum;
      lossSum = 0;
      return value;
    },
    validationLoss: (val) => layersValidationLoss(net, val.tensor),
    snapshot: () => net.getWeights().map((w) => w.clone()),
    restore(weights) {
      net.setWeights(weights);
    },
    dispose() {
      optimizer.dispose();
    },
  };
}

interface EpochInput {
  trainer: Trainer;
  cfg: ModelConfig;
  xTrain: Float32Array;
  n: number;
  width: number;
  rng: Rng;
  range: ReturnType<typeof channelRange>;
}

/** One pass over the shuffled training windows; returns the mean training objective. */
function trainEpoch({ trainer, cfg, xTrain, n, width, rng, range }: EpochInput): number {
  const order = shuffled(n, rng);
  const batchSize = Math.max(1, cfg.training.batchSize);
  for (let startIdx = 0; startIdx < n; startIdx += batchSize) {
    const rows = order.slice(startIdx, startIdx + batchSize);
    const clean = new Float32Array(rows.length * width);
    rows.forEach((r, i) => clean.set(xTrain.subarray(r * width, (r + 1) * width), i * width));
    // Denoising: a fresh corruption of every batch; the target stays clean.
    const input = cfg.kind === 'dae' ? corrupt(clean, cfg.noise, rng, range) : clean;
    trainer.step(input, clean, rows.length, width);
  }
  return trainer.takeLossSum() / n;
}

/** Smallest per-channel residual scale (normalised units): a channel reconstructed almost exactly still counts in sane units. */
export const minChannelScale = 0.05;

/** Per channel: RMS reconstruction residual over the held-out windows, floored at minChannelScale. */
function channelResidualScale(model: LoadedModel, x: Float32Array, n: number, L: number, C: number): number[] {
  const ms = tf.tidy(() => {
    const input = tf.tensor2d(x, [n, L * C]);
    return model.reconstruct(input).sub(input).square().reshape([n * L, C]).mean(0).dataSync();
  });
  return Array.from(ms, (v) => Number(Math.max(minChannelScale, Math.sqrt(v)).toPrecision(7)));
}

/** Mean activation of the code layer over the held-out windows. */
function meanCodeActivation(model: LoadedModel, x: Float32Array, n: number, width: number): number {
  return tf.tidy(() => model.encode(tf.tensor2d(x, [n, width])).mean().dataSync()[0] ?? Number.NaN);
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j] as number, a[i] as number];
  }
  return a;
}

function thin(xs: readonly number[], max: number): number[] {
  const round = (v: number): number => Number(v.toPrecision(7));
  if (xs.length <= max) return xs.map(round);
  const step = xs.length / max;
  return Array.from({ length: max }, (_, i) => round(xs[Math.floor(i * step)] ?? 0));
}
