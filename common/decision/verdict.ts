// An operator's verdict on a sensor's alerts (`sensorwatch alerts mark`,
// schemas/AlertVerdict.avsc) applied to the sensor's decided state. Pure: the
// scorer (scorer/verdicts.ts) applies a verdict before the sensor's next
// window, eval's backtest (--verdicts) at the verdict's event time, both with
// this function.
//
// | verdict | the open alert it names | the likelihood's estimate |
// | --- | --- | --- |
// | false_positive | resolves, reason `verdict_false_positive` | learns the excursion's windows kept out since it opened (as if the sensor had been quiet long enough) |
// | new_normal | resolves, reason `verdict_new_normal` | moves to the level of the last windows (as when an excursion outlasts maxExcludeSamples) |
// | confirmed | stays open | forgets the windows kept out: they are never learnt |
//
// The estimate is taught only when the judged alert is the sensor's open one,
// or the one resolved last (within the hold-off) with no other open: the
// windows it keeps out belong to that excursion. A verdict on an older alert
// changes nothing here; it still teaches the next training
// (common/training/verdicts.ts), and its excursion was in most cases learnt
// already (capped) once the sensor had been quiet for learnAfterQuietSamples.
//
// Idempotent: the state remembers the position (partition, offset) of the
// last verdict applied to it; a verdict at or before that position changes
// nothing, so a re-read topic (restart, rebalance) applies each verdict once.
// A sensor's verdicts share a partition (keyed by sensor id), so positions of
// one sensor are in order.
import type { AlertVerdict, AnomalyAlert, VerdictKind } from '../types.ts';
import { windowlessFields, type SensorState } from './decide.ts';
import { absorbBatch, transformOf, type LikelihoodState } from './likelihood.ts';
import type { SensorPolicy } from './policy.ts';

/** Where a verdict lies on the verdicts topic (eval: partition 0, the line number). */
export interface VerdictPosition {
  partition: number;
  offset: string;
}

/** The resolve reason a verdict gives an alert. */
export const verdictReasons: Record<Exclude<VerdictKind, 'confirmed'>, string> = {
  false_positive: 'verdict_false_positive',
  new_normal: 'verdict_new_normal',
};

export interface VerdictInput {
  verdict: AlertVerdict;
  position: VerdictPosition;
  policy: Pick<SensorPolicy, 'likelihood' | 'hop'>;
}

export interface VerdictOutcome {
  state: SensorState;
  /** The resolve event of the open alert (false_positive, new_normal), else empty. */
  events: AnomalyAlert[];
  /** False: applied before (at or before the state's position): nothing changed. */
  applied: boolean;
  /** The likelihood's estimate was changed. */
  taught: boolean;
}

/** True when the verdict at `position` was applied to this state already. */
export function verdictApplied(state: SensorState, position: VerdictPosition): boolean {
  const last = state.verdict;
  return last !== undefined && last.partition === position.partition && BigInt(position.offset) <= BigInt(last.offset);
}

export function applyVerdict(state: SensorState, input: VerdictInput): VerdictOutcome {
  const { verdict, position } = input;
  if (verdictApplied(state, position)) return { state, events: [], applied: false, taught: false };
  const named = new Set(verdict.alertIds);
  const open = state.anomaly.open;
  const isOpen = open !== null && named.has(open.alertId);
  const lastResolved = open === null && state.anomaly.resolved !== undefined && named.has(state.anomaly.resolved.alert.alertId);
  const events: AnomalyAlert[] = [];
  let next: SensorState = { ...state, verdict: { partition: position.partition, offset: position.offset } };
  if (isOpen && verdict.verdict !== 'confirmed') {
    events.push({
      ...windowlessFields(state.sensorId, state),
      alertId: open.alertId,
      state: 'resolve',
      kind: 'anomaly',
      fault: null,
      severity: open.severity,
      reason: verdictReasons[verdict.verdict],
      follows: open.follows ?? null,
    });
    // An operator closed it: the next crossing opens a new alert that follows none.
    next = { ...next, anomaly: { recent: [], open: null, below: 0, calm: 0, calmBand: null } };
  }
  let taught = false;
  if (isOpen || lastResolved) {
    const memory = Math.max(1, input.policy.likelihood.historySamples / Math.max(1, input.policy.hop));
    const teach = (l: LikelihoodState | undefined): LikelihoodState | undefined => {
      if (l === undefined) return undefined;
      const after = teachEstimate(l, verdict.verdict, memory);
      if (after !== l) taught = true;
      return after;
    };
    const likelihood = teach(next.likelihood);
    const stepLikelihood = teach(next.stepLikelihood);
    if (likelihood !== undefined) next.likelihood = likelihood;
    if (stepLikelihood !== undefined) next.stepLikelihood = stepLikelihood;
  }
  return { state: next, events, applied: true, taught };
}

/** The estimate after a verdict on the excursion it keeps out (`pending`); unchanged (the same object) when there is nothing to teach. */
export function teachEstimate(l: LikelihoodState, kind: VerdictKind, memoryWindows: number): LikelihoodState {
  if (kind === 'confirmed') {
    if (l.pending === undefined) return l;
    // Forgotten, never learnt; the count of windows kept out goes on (maxExcludeSamples still applies).
    const { pending: _pending, ...rest } = l;
    return rest;
  }
  if (kind === 'false_positive') {
    if (l.pending === undefined && l.excluded === 0) return l;
    const learnt = l.pending === undefined ? l : absorbBatch(l, l.pending, memoryWindows);
    return settled(learnt);
  }
  // new_normal: the level of the last windows is the sensor's normal now (likelihood.ts, maxExcludeSamples).
  const average = l.recent.length === 0 ? Number.NaN : l.recent.reduce((a, b) => a + b, 0) / l.recent.length;
  const t = transformOf(l.space);
  const level = t.from(l.mean);
  if (!(level > 0 && average > 0)) return l.pending === undefined && l.excluded === 0 ? l : settled(l);
  return settled({ ...l, ...t.scale(l.mean, l.variance, average / level) });
}

function settled(l: LikelihoodState): LikelihoodState {
  const { pending: _pending, ...rest } = l;
  return { ...rest, excluded: 0, quiet: 0 };
}
