// The `adaptive` threshold method: a per-sensor threshold that follows the
// sensor's own recent reconstruction errors. Pure; the scorer (engine.ts) and
// the eval replay (eval/replay.ts) both call adaptiveStep, window by window.
//
// Per sensor it keeps an exponentially weighted mean μ and variance σ² of
// log(error), seeded from the model's held-out errors (the errors its
// calibrated threshold came from). The threshold of a window is
//   max(floor · calibrated threshold, exp(μ + k·σ))
// and the score stays error / threshold. After the window, μ and σ² absorb its
// log error only when the window was below that threshold (score < 1), so an
// anomaly does not raise the bar it is measured against. A run of above
// windows as long as the half-life is taken as a new normal level (a level
// shift the model does not know): from then on those windows are absorbed too,
// so an alert cannot stay open for ever on a shifted but steady series.
// Faulty windows and non-finite errors leave the state unchanged. The state
// is re-seeded when the model (key and version) changes: errors of two models
// are not on one scale.

export interface AdaptiveSettings {
  /** Windows after which a past log error's weight has halved. */
  halfLife: number;
  /** Threshold = exp(μ + k·σ) of log error. */
  k: number;
  /** The threshold never goes below floor × the calibrated threshold. */
  floor: number;
}

export interface AdaptiveState {
  /** The model the statistics belong to: `key@version`. */
  model: string;
  /** Exponentially weighted mean and variance of log(error). */
  mean: number;
  variance: number;
  /** Consecutive windows at or above the threshold so far. */
  above: number;
}

/** Smallest error whose log is taken (an exact reconstruction would give −∞). */
export const minError = 1e-12;

export const modelTag = (key: string, version: number): string => `${key}@${version}`;

/** Weight of the newest window: 1 − 2^(−1/halfLife). */
export function alphaFor(halfLife: number): number {
  return 1 - 2 ** (-1 / Math.max(halfLife, 1e-9));
}

const logOf = (e: number): number => Math.log(Math.max(e, minError));

/** Mean and (population) variance of the log of the finite held-out errors; NaN when there are none. */
export function seedAdaptive(model: string, heldOut: readonly number[]): AdaptiveState {
  const logs = heldOut.filter((e) => Number.isFinite(e)).map(logOf);
  const n = logs.length;
  const mean = n === 0 ? Number.NaN : logs.reduce((a, b) => a + b, 0) / n;
  const variance = n === 0 ? Number.NaN : logs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { model, mean, variance, above: 0 };
}

/** The threshold in force for the next window: max(floor · calibrated, exp(μ + k·σ)); the calibrated one while unseeded. */
export function adaptiveThreshold(state: AdaptiveState, calibrated: number, s: AdaptiveSettings): number {
  if (!Number.isFinite(state.mean) || !Number.isFinite(state.variance)) return calibrated;
  return Math.max(s.floor * calibrated, Math.exp(state.mean + s.k * Math.sqrt(Math.max(state.variance, 0))));
}

/** One exponentially weighted step: μ += α·d, σ² = (1 − α)(σ² + α·d²), d = x − μ. */
export function absorb(state: AdaptiveState, error: number, alpha: number): AdaptiveState {
  const x = logOf(error);
  if (!Number.isFinite(state.mean) || !Number.isFinite(state.variance)) return { ...state, mean: x, variance: 0 };
  const d = x - state.mean;
  return { ...state, mean: state.mean + alpha * d, variance: (1 - alpha) * (state.variance + alpha * d * d) };
}

export interface AdaptiveInput {
  /** modelTag of the model that scored the window. */
  model: string;
  error: number;
  /** The model's calibrated threshold for this sensor (resolveThreshold). */
  calibrated: number;
  /** The held-out errors to seed from; called only when (re)seeding. */
  heldOut: () => readonly number[];
  /** False for a faulty window: it neither counts nor moves the statistics. */
  usable: boolean;
}

/** The threshold for this window, and the state after it. */
export function adaptiveStep(previous: AdaptiveState | undefined, input: AdaptiveInput, s: AdaptiveSettings): { threshold: number; state: AdaptiveState } {
  const state = previous !== undefined && previous.model === input.model ? previous : seedAdaptive(input.model, input.heldOut());
  const threshold = adaptiveThreshold(state, input.calibrated, s);
  if (!input.usable || !Number.isFinite(input.error)) return { threshold, state };
  const above = input.error >= threshold;
  const run = above ? state.above + 1 : 0;
  const learn = !above || run >= Math.max(1, Math.round(s.halfLife));
  const next = learn ? absorb(state, input.error, alphaFor(s.halfLife)) : state;
  return { threshold, state: { ...next, above: run } };
}

/** The adaptive settings from the config's thresholds section. */
export function adaptiveSettings(t: { adaptiveHalfLife: number; adaptiveK: number; adaptiveFloor: number }): AdaptiveSettings {
  return { halfLife: t.adaptiveHalfLife, k: t.adaptiveK, floor: t.adaptiveFloor };
}
