// The calibrated anomaly likelihood: what turns a sensor's per-step errors into
// one score in [0, 1] that means the same for every sensor and model. Pure.
//
// Per sensor it keeps a long-memory estimate of the distribution of the
// short-term averaged error m (the mean of the last `averageSamples` samples'
// errors): a mean and variance that start as plain running moments and turn
// into exponentially weighted ones once `historySamples` worth of windows are
// in (so thousands of windows of memory, re-estimated with every absorbed
// window). The tail probability of m under a normal with those moments,
//   tail = Q((m − μ) / σ),  σ ≥ minSpread · |μ| (a very clean sensor cannot alarm on noise)
// becomes the score with the log form of Numenta's anomaly likelihood:
//   score = log(tail + 1e-10) / log(1e-10)   (tail 1e-5 → 0.5, tail ≤ 1e-10 → 1)
// An excursion does not teach the estimate that it is normal while it lasts:
// only windows whose score is below `learnBelowScore` are absorbed at once. The
// windows kept out are remembered (their count, mean and spread), and once the
// sensor has been quiet (below learnBelowScore) for `learnAfterQuietSamples`
// the excursion is over and is learnt: its windows join the estimate, so an
// excursion that keeps coming back becomes part of normal, while one that
// persists (short dips do not end it) stays anomalous. If the excursion lasts
// `newNormalAfterMs` in event time from its first kept-out window
// (scorer.newNormalAfter, new-normal.ts) the level is taken as the new normal
// (the estimate is moved to it, its spread scaled alike). An excursion is learnt with its
// values capped at the level that opens an alert, so that one huge excursion
// does not blind the estimate to the next. In the first `warmupSamples` after
// seeding every window is learnt at once (excursions capped alike): the
// held-out seed is only a prior. learnAfterQuietSamples 0: an excursion is
// never learnt, and the count restarts at the first quiet window.
//
// The estimate is seeded from the model's held-out per-step errors and carried
// across retrains: when the model changes, it is rescaled by the ratio of the
// new model's held-out mean to the old one's, so history survives a retrain
// without mixing two models' error scales.
//
// The shape (`distribution`): the moments are of y = f(m), and the tail is that
// of a normal in y. Squared residuals are skewed (roughly a scaled chi-square; a
// channel maximum of them more so), and a normal fitted to m itself puts
// ordinary high values at tails of 1e-6. `cube_root` (the default) is the
// Wilson–Hilferty transform, y = m^(1/3), under which a scaled chi-square of
// any degrees of freedom is close to normal; `lognormal`, y = log m, also
// removes the skew but its spread is inflated by the many near-zero errors of a
// one-sample step (log χ²₁ has a long left tail), so it is slow to alarm.
// minSpread is a relative spread of m in every shape (on y: × |μ_y|/3 for the
// cube root, itself for the log).
import type { LikelihoodConfig } from '../config/types.ts';
import { isNewNormal } from './new-normal.ts';

/** The thresholds.likelihood settings (lengths in samples), plus the samples each window advances by (1 in eval, windowing.hop in the service). */
export type LikelihoodSettings = Omit<LikelihoodConfig, 'error' | 'combine'> & {
  hop: number;
  /** scorer.newNormalAfter in ms (Infinity: never): an excursion lasting this long is the new normal. */
  newNormalAfterMs: number;
  /** An excursion in waiting is learnt with its values capped at the level scoring this (score.ts passes the open level); absent: not capped. */
  capScore?: number;
};

export interface LikelihoodState {
  /** The model whose errors the estimate is on the scale of (`key@version`), and that model's held-out mean of m. */
  model: string;
  seedMean: number;
  /** The moments are of log m (`lognormal`) or m^(1/3) (`cube_root`); absent: of m (`normal`, and states written before the key). */
  space?: Space;
  /** Running / exponentially weighted moments of y = m, log m or m^(1/3), and how many values went in. */
  mean: number;
  variance: number;
  n: number;
  /** Per-step errors of the last windows (newest last), for the short-term average. */
  recent: number[];
  /** Windows not absorbed because they scored at or above learnBelowScore, since the last excursion was learnt (consecutive ones with learnAfterQuietSamples 0). */
  excluded: number;
  /** Moments of y over those windows (count, mean, sum of squared deviations), learnt once the sensor has been quiet long enough. */
  pending?: { n: number; mean: number; m2: number };
  /** Consecutive windows absorbed since the last one kept out. */
  quiet?: number;
  /** Event time (ms) of the excursion's first kept-out window; absent: no excursion (or one from a state written before the field: it starts at the next window). */
  since?: number;
  /** Windows judged since the estimate was seeded (the warm-up counts them). */
  seen: number;
}

export interface LikelihoodResult {
  score: number;
  /** Tail probability of the short-term average under the estimate. */
  tail: number;
  /** The short-term average that was judged. */
  average: number;
  state: LikelihoodState;
  /** True when this window was absorbed as a new normal (an excursion lasted newNormalAfterMs). */
  learnedLevel: boolean;
}

/** Tails below this are 0 to the score (its ceiling). */
const tailFloor = 1e-10;

/** Windows per run of samples: at least one. */
export const windowsFor = (samples: number, hop: number): number => Math.max(1, Math.round(samples / Math.max(1, hop)));

/** Complementary error function, |error| < 1.2e-7 (Numerical Recipes' erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Upper tail of the standard normal: P(Z > z). */
export const normalTail = (z: number): number => 0.5 * erfc(z / Math.SQRT2);

/** The bounded score of a tail probability: 0 for tail 1, 0.5 for 1e-5, 1 for ≤ 1e-10. */
export function likelihoodScore(tail: number): number {
  if (!Number.isFinite(tail)) return Number.NaN;
  const s = Math.log(Math.max(tail, 0) + tailFloor) / Math.log(tailFloor);
  return Math.min(1, Math.max(0, s));
}

/** Where the moments are kept: y = log m, y = m^(1/3), or (absent) y = m. */
export type Space = 'log' | 'cbrt';

/** Errors at or below this are this to the log (a perfect reconstruction is not −∞). */
const logFloor = 1e-12;

export interface Transform {
  to(m: number): number;
  from(y: number): number;
  /** Floor on σ_y for a relative spread `rel` of m around μ_y. */
  floor(meanY: number, rel: number): number;
  /** The moments of y when m is scaled by r. */
  scale(mean: number, variance: number, r: number): { mean: number; variance: number };
}

const transforms: Record<'none' | Space, Transform> = {
  none: { to: (m) => m, from: (y) => y, floor: (mu, rel) => rel * Math.abs(mu), scale: (mu, v, r) => ({ mean: mu * r, variance: v * r * r }) },
  log: { to: (m) => Math.log(Math.max(m, logFloor)), from: Math.exp, floor: (_, rel) => rel, scale: (mu, v, r) => ({ mean: mu + Math.log(r), variance: v }) },
  cbrt: { to: (m) => Math.cbrt(Math.max(m, 0)), from: (y) => Math.max(y, 0) ** 3, floor: (mu, rel) => (rel * Math.abs(mu)) / 3, scale: (mu, v, r) => ({ mean: mu * Math.cbrt(r), variance: v * Math.cbrt(r) ** 2 }) },
};

export const transformOf = (space: Space | undefined): Transform => transforms[space ?? 'none'];

/** The space a distribution setting keeps its moments in. */
function spaceFor(distribution: LikelihoodSettings['distribution']): Space | undefined {
  return distribution === 'lognormal' ? 'log' : distribution === 'cube_root' ? 'cbrt' : undefined;
}

/** σ_y with its floor (minSpread as a relative spread of m). */
export function spreadOf(mean: number, variance: number, minSpread: number, space?: Space): number {
  return Math.max(Math.sqrt(Math.max(variance, 0)), transformOf(space).floor(mean, minSpread), 1e-12);
}

/** Tail probability of `y` (m, or its transform in `space`) under mean μ_y and variance σ_y² (σ floored). */
export function tailOf(y: number, mean: number, variance: number, minSpread: number, space?: Space): number {
  return normalTail((y - mean) / spreadOf(mean, variance, minSpread, space));
}

/** The value the moments are kept on. */
const toSpace = (m: number, space?: Space): number => transformOf(space).to(m);

/** The short-term averaged error whose tail is `tail` under the estimate (the judged error's level for a score). */
export function levelFor(state: LikelihoodState, minSpread: number, tail: number): number {
  return transformOf(state.space).from(levelInSpace(state, minSpread, tail));
}

/** The same level, in the space the moments are kept in. */
function levelInSpace(state: Pick<LikelihoodState, 'mean' | 'variance' | 'space'>, minSpread: number, tail: number): number {
  return state.mean + spreadOf(state.mean, state.variance, minSpread, state.space) * -normalQuantile(tail);
}

/** Moments of y of the short-term averages of a sensor's held-out per-step errors (time order). */
export function seedMoments(steps: readonly number[], k: number, space?: Space): { mean: number; variance: number; n: number } {
  const finite = steps.filter((e) => Number.isFinite(e));
  const avgs: number[] = [];
  let sum = 0;
  finite.forEach((e, i) => {
    sum += e;
    if (i >= k) sum -= finite[i - k] as number;
    if (i >= k - 1) avgs.push(toSpace(sum / k, space));
  });
  if (avgs.length === 0 && finite.length > 0) avgs.push(toSpace(finite.reduce((a, b) => a + b, 0) / finite.length, space));
  const n = avgs.length;
  if (n === 0) return { mean: Number.NaN, variance: Number.NaN, n: 0 };
  const mean = avgs.reduce((a, b) => a + b, 0) / n;
  return { mean, variance: avgs.reduce((a, b) => a + (b - mean) ** 2, 0) / n, n };
}

export function seedLikelihood(model: string, heldOutSteps: readonly number[], s: LikelihoodSettings): LikelihoodState {
  const space = spaceFor(s.distribution);
  const { mean, variance, n } = seedMoments(heldOutSteps, windowsFor(s.averageSamples, s.hop), space);
  // seedMean stays on the scale of m (the rescale ratio is of m in every space).
  const seedMean = transformOf(space).from(mean);
  return { model, seedMean, ...(space === undefined ? {} : { space }), mean, variance, n, recent: [], excluded: 0, seen: 0 };
}

/** The carried estimate on a new model's scale: moments rescaled by the ratio of the two models' held-out means. */
export function rescaleTo(state: LikelihoodState, model: string, seed: LikelihoodState): LikelihoodState {
  if (!Number.isFinite(state.mean) || !Number.isFinite(state.seedMean) || state.seedMean <= 0 || !Number.isFinite(seed.seedMean)) return seed;
  if (state.space !== seed.space) return seed;
  const r = seed.seedMean / state.seedMean;
  const t = transformOf(state.space);
  const moved = t.scale(state.mean, state.variance, r);
  const next: LikelihoodState = { ...state, model, seedMean: seed.seedMean, ...moved, recent: state.recent.map((e) => e * r) };
  if (state.pending !== undefined) {
    const p = t.scale(state.pending.mean, state.pending.m2 / Math.max(1, state.pending.n), r);
    next.pending = { n: state.pending.n, mean: p.mean, m2: p.variance * state.pending.n };
  }
  return next;
}

/** Adds one value to the moments: running while n < memory, exponentially weighted after. */
export function absorbValue(state: LikelihoodState, m: number, memoryWindows: number): LikelihoodState {
  if (!Number.isFinite(state.mean) || !Number.isFinite(state.variance) || state.n === 0) return { ...state, mean: m, variance: 0, n: 1 };
  const alpha = Math.max(1 / (state.n + 1), 1 / Math.max(1, memoryWindows));
  const d = m - state.mean;
  return { ...state, mean: state.mean + alpha * d, variance: (1 - alpha) * (state.variance + alpha * d * d), n: state.n + 1 };
}

/** The estimate with a batch of values (count, mean, sum of squared deviations) absorbed, weighted as that many absorbValue steps would weigh them. */
export function absorbBatch(state: LikelihoodState, batch: { n: number; mean: number; m2: number }, memoryWindows: number): LikelihoodState {
  if (batch.n <= 0) return state;
  if (!Number.isFinite(state.mean) || !Number.isFinite(state.variance) || state.n === 0) return { ...state, mean: batch.mean, variance: batch.m2 / batch.n, n: batch.n };
  const memory = Math.max(1, memoryWindows);
  const w = state.n + batch.n <= memory ? batch.n / (state.n + batch.n) : 1 - (1 - 1 / memory) ** batch.n;
  const mean = (1 - w) * state.mean + w * batch.mean;
  const variance = (1 - w) * (state.variance + (state.mean - mean) ** 2) + w * (batch.m2 / batch.n + (batch.mean - mean) ** 2);
  return { ...state, mean, variance, n: state.n + batch.n };
}

/** One more value in a batch's moments (Welford). */
function addToBatch(batch: LikelihoodState['pending'], y: number): { n: number; mean: number; m2: number } {
  const b = batch ?? { n: 0, mean: 0, m2: 0 };
  const n = b.n + 1;
  const d = y - b.mean;
  const mean = b.mean + d / n;
  return { n, mean, m2: b.m2 + d * (y - mean) };
}

/** The state without an excursion in waiting. */
function settled(state: LikelihoodState): LikelihoodState {
  const { pending: _pending, since: _since, ...rest } = state;
  return { ...rest, excluded: 0 };
}

export interface LikelihoodInput {
  /** modelTag of the model that scored the window. */
  model: string;
  /** The window's per-step error; non-finite: the state is kept and the score is NaN. */
  step: number;
  /** The model's held-out per-step errors for this sensor, time order; called only when (re)seeding. */
  heldOut: () => readonly number[];
  /** False for a faulty window: judged but neither remembered nor absorbed. */
  usable: boolean;
  /** Event time of the window's end (ms): how long an excursion has lasted is measured in it. */
  time: number;
}

export function likelihoodStep(previous: LikelihoodState | undefined, input: LikelihoodInput, s: LikelihoodSettings): LikelihoodResult {
  const space = spaceFor(s.distribution);
  const t = transformOf(space);
  let state = previous;
  // An estimate kept in another space (the setting changed) cannot be converted: seed again.
  if (state !== undefined && state.space !== space) state = undefined;
  if (state === undefined || state.model !== input.model) {
    const seed = seedLikelihood(input.model, input.heldOut(), s);
    state = state === undefined ? seed : rescaleTo(state, input.model, seed);
  }
  if (!Number.isFinite(input.step)) return { score: Number.NaN, tail: Number.NaN, average: Number.NaN, state, learnedLevel: false };
  const k = windowsFor(s.averageSamples, s.hop);
  const recent = [...state.recent, input.step].slice(-k);
  const average = recent.reduce((a, b) => a + b, 0) / recent.length;
  const x = t.to(average);
  const tail = Number.isFinite(state.mean) ? tailOf(x, state.mean, state.variance, s.minSpread, space) : 1;
  const score = likelihoodScore(tail);
  if (!input.usable) return { score, tail, average, state, learnedLevel: false };
  const memory = Math.max(1, s.historySamples / Math.max(1, s.hop));
  const seen = state.seen + 1;
  const learnAfter = s.learnAfterQuietSamples > 0 ? windowsFor(s.learnAfterQuietSamples, s.hop) : 0;
  // Values learnt from an excursion are capped at the level that scores capScore (the open level):
  // one huge excursion widens the estimate no more than one that just alarmed, so the next one still alarms.
  // (Worked out only for windows at or above learnBelowScore: most windows are quiet.)
  const capped = (): number => (s.capScore === undefined ? x : Math.min(x, levelInSpace(state, s.minSpread, tailForScore(s.capScore))));
  if (score < s.learnBelowScore || seen * Math.max(1, s.hop) <= s.warmupSamples) {
    // In the warm-up an excursion is learnt at once, capped like any other.
    const absorbed: LikelihoodState = { ...absorbValue(state, score < s.learnBelowScore ? x : capped(), memory), recent, seen };
    if (learnAfter === 0) return { score, tail, average, state: settled(absorbed), learnedLevel: false };
    const quiet = (state.quiet ?? 0) + 1;
    // Quiet for long enough: the excursion in waiting is over, and is learnt.
    if (state.pending !== undefined && quiet >= learnAfter) return { score, tail, average, state: { ...settled(absorbBatch(absorbed, state.pending, memory)), quiet }, learnedLevel: false };
    return { score, tail, average, state: { ...absorbed, quiet }, learnedLevel: false };
  }
  const excluded = state.excluded + 1;
  const since = state.since !== undefined && Number.isFinite(state.since) ? state.since : input.time;
  if (isNewNormal(since, input.time, s.newNormalAfterMs)) return { score, tail, average, state: acceptLevel({ ...state, recent, seen, excluded }, average), learnedLevel: true };
  const kept: LikelihoodState = { ...state, recent, excluded, seen, quiet: 0, since };
  if (learnAfter > 0) kept.pending = addToBatch(state.pending, capped());
  return { score, tail, average, state: kept, learnedLevel: false };
}

/**
 * The excursion has lasted: its level is the new normal. The estimate moves to the short-term
 * average `average` at once, its spread scaled with it (as for a new model), and the excursion in
 * waiting is dropped, so the sensor scores low from the next window and re-arms. The moved
 * estimate then counts only as many windows as the excursion kept out (at least one): it is a
 * fresh estimate of the new operating point that the next quiet windows refine quickly, not a
 * long memory that would keep a one-off level and blind the sensor to what comes after (when the
 * process goes back to where it was, the estimate follows within about as many windows).
 */
export function acceptLevel(state: LikelihoodState, average: number): LikelihoodState {
  const t = transformOf(state.space);
  const level = t.from(state.mean);
  const moved = level > 0 && average > 0 && Number.isFinite(average) ? t.scale(state.mean, state.variance, average / level) : {};
  return { ...settled({ ...state, ...moved, n: Math.max(1, Math.min(state.n, state.excluded)) }), quiet: 0 };
}

/** The tail probability whose score is `score` (the inverse of likelihoodScore). */
export const tailForScore = (score: number): number => Math.max(Math.exp(score * Math.log(tailFloor)) - tailFloor, Number.MIN_VALUE);

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9 after one refinement). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? Number.NEGATIVE_INFINITY : p === 1 ? Number.POSITIVE_INFINITY : Number.NaN;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  const poly = (k: number[], x: number): number => k.reduce((acc, v) => acc * x + v, 0);
  let x: number;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = poly(c, q) / (poly(d, q) * q + 1);
  } else if (p <= 1 - lo) {
    const q = p - 0.5;
    const r = q * q;
    x = (poly(a, r) * q) / (poly(b, r) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -poly(c, q) / (poly(d, q) * q + 1);
  }
  // One Halley step on the normal CDF.
  const e = 1 - normalTail(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
