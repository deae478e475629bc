// One window's score in [0, 1], whatever the method: pure. decide.ts calls it.
//
// - `likelihood` (default): the calibrated anomaly likelihood of the judged
//   error (likelihood.ts). The reported threshold is the short-term averaged
//   error at which the score would reach the lowest severity band. With
//   thresholds.likelihood.error `both` the score is the larger of the two
//   errors' scores, but `error`/`threshold` are always the whole window's and
//   the per-step pair goes in `stepError`/`stepThreshold`: one unit per field
//   for every window of a sensor, whichever error set the score.
// - the raw-error methods (`quantile`, `mean_std`, `pot`, `static`,
//   `adaptive`): r = error / threshold of the whole-window error, mapped to
//   r / (1 + r), so the threshold itself scores 0.5 and r = 3 scores 0.75.
import type { WindowExtremes } from '../calibration/ranges.ts';
import { heldOutErrors, heldOutSteps, heldOutWindowSeed, resolveThreshold, type ThresholdSource } from '../calibration/thresholds.ts';
import { adaptiveSettings, adaptiveStep, modelTag, type AdaptiveState } from './adaptive.ts';
import { acceptLevel, levelFor, likelihoodStep, tailForScore, type LikelihoodState } from './likelihood.ts';
import { noveltyStep, seedFor, type NoveltyVerdict, type RangeState } from './novelty.ts';
import type { SensorPolicy } from './policy.ts';

/** What the model said of one window (common/model/score.ts). */
export interface WindowErrors {
  /** Whole-window mean squared error. */
  error: number;
  /** Per-step error (newest samples), channel mean and channel max. */
  step: number;
  stepMax: number;
}

export interface ModelRef {
  key: string;
  version: number;
  calibration: ThresholdSource;
}

export interface ScoreState {
  adaptive?: AdaptiveState;
  likelihood?: LikelihoodState;
  /** With thresholds.likelihood.error `both`: the per-step error's estimate (`likelihood` is the window error's). */
  stepLikelihood?: LikelihoodState;
  /** The new-extreme rule's range of the values seen (novelty.ts). */
  range?: RangeState;
}

export interface WindowScore {
  score: number;
  /** The reported error (of kind `errorKind`, the same for every window under one policy) and the level of it that reaches `level`. */
  error: number;
  threshold: number;
  /** Which error `error` and `threshold` are: the per-step one only with thresholds.likelihood.error `step`. */
  errorKind: JudgedError;
  /** With thresholds.likelihood.error `both`: the averaged per-step error and its level that reaches `level` (else NaN). */
  stepError: number;
  stepThreshold: number;
  /** The excursion lasted scorer.newNormalAfter and is learnt as the new normal (new-normal.ts). */
  learnedLevel: boolean;
  /** The window holds a new extreme (it then scores 1). */
  novelty: NoveltyVerdict | null;
  state: ScoreState;
}

export type JudgedError = 'window' | 'step';

/** r / (1 + r): the raw-error ratio on the [0, 1] scale (NaN stays NaN). */
export const ratioScore = (r: number): number => (r === Number.POSITIVE_INFINITY ? 1 : r / (1 + r));

type ScorePolicy = Pick<SensorPolicy, 'hysteresis' | 'thresholds' | 'likelihood' | 'adaptive' | 'novelty' | 'hop' | 'newNormalAfterMs'>;

export interface ScoreInput {
  sensorId: string;
  errors: WindowErrors;
  model: ModelRef;
  policy: ScorePolicy;
  /** false: the window has a fault verdict (it is judged, but teaches nothing). */
  usable: boolean;
  /** The score that opens an alert (the lowest severity band). */
  level: number;
  /** Event time of the window's end (ms since the epoch): how long an excursion has lasted is measured in it. */
  time: number;
  /** Lowest and highest of the window's new samples (calibration/ranges.ts newSampleExtremes); absent: the new-extreme rule is not applied. */
  extremes?: WindowExtremes | undefined;
}

/** The method's score, then the new-extreme rule over it (a novel window scores 1). */
export function scoreWindow(state: ScoreState, input: ScoreInput): WindowScore {
  const { sensorId, model, policy, usable, extremes } = input;
  const scored = methodScore(state, input);
  const seed = (): ReturnType<typeof seedFor> => seedFor(model.calibration.calibration.ranges, sensorId);
  const { verdict, range } = noveltyStep(state.range, { model: modelTag(model.key, model.version), seed, extremes, usable }, policy.novelty);
  const next: ScoreState = { ...scored.state };
  if (range !== undefined) next.range = range;
  if (verdict === null) return { ...scored, novelty: null, state: next };
  return { ...scored, score: 1, novelty: verdict, state: next };
}

function methodScore(state: ScoreState, input: ScoreInput): Omit<WindowScore, 'novelty'> {
  const { sensorId, errors, model, policy, usable, level, time } = input;
  const tag = modelTag(model.key, model.version);
  if (policy.thresholds.method === 'likelihood') {
    const l = policy.likelihood;
    const judge = (kind: 'window' | 'step', previous: LikelihoodState | undefined): Omit<WindowScore, 'novelty'> & { state: LikelihoodState } => {
      const judged = kind === 'window' ? errors.error : l.combine === 'max' ? errors.stepMax : errors.step;
      const heldOut = (): readonly number[] => (kind === 'window' ? heldOutWindowSeed(model.calibration, sensorId) : heldOutSteps(model.calibration, sensorId, l.combine));
      const r = likelihoodStep(previous, { model: tag, step: judged, heldOut, usable, time }, { ...l, hop: policy.hop, capScore: level, newNormalAfterMs: policy.newNormalAfterMs });
      const threshold = levelFor(r.state, l.minSpread, tailForScore(level));
      return { score: r.score, error: r.average, threshold, errorKind: kind, stepError: Number.NaN, stepThreshold: Number.NaN, learnedLevel: r.learnedLevel, state: r.state };
    };
    if (l.error !== 'both') {
      const r = judge(l.error, state.likelihood);
      return { ...r, state: { ...state, likelihood: r.state } };
    }
    // Both: the whole-window error (sustained changes) and the per-step error (short ones), each
    // with its own estimate; the window's score is the larger of the two.
    const w = judge('window', state.likelihood);
    const p = judge('step', state.stepLikelihood);
    // The new normal is the sensor's: when one estimate learns the level, the other one, if it is
    // in an excursion too, learns its own at the same window (else it would hold the alert open).
    if (w.learnedLevel !== p.learnedLevel) {
      const other = w.learnedLevel ? p : w;
      if (other.score >= l.learnBelowScore) {
        other.state = acceptLevel(other.state, other.error);
        other.learnedLevel = true;
      }
    }
    return {
      ...w,
      score: Number.isNaN(w.score) || p.score > w.score ? p.score : w.score,
      stepError: p.error,
      stepThreshold: p.threshold,
      learnedLevel: w.learnedLevel || p.learnedLevel,
      state: { ...state, likelihood: w.state, stepLikelihood: p.state },
    };
  }
  const calibrated = resolveThreshold(model.calibration, sensorId, policy.thresholds).value;
  let threshold = calibrated;
  let next = state;
  if (policy.thresholds.method === 'adaptive') {
    const step = adaptiveStep(
      state.adaptive,
      { model: tag, error: errors.error, calibrated, heldOut: () => heldOutErrors(model.calibration, sensorId), usable },
      adaptiveSettings(policy.adaptive),
    );
    threshold = step.threshold;
    next = { ...state, adaptive: step.state };
  }
  return { score: ratioScore(errors.error / threshold), error: errors.error, threshold, errorKind: 'window', stepError: Number.NaN, stepThreshold: Number.NaN, learnedLevel: false, state: next };
}
