// THE alert decision: one pure function from (sensor state, one scored window)
// to (next state, alert events). No Kafka, clock or I/O here: judge.ts feeds
// it (for the scorer's engine and eval alike), and a test can state exact
// expectations. The alert names the channels with the largest terms of the
// judged error (channels.ts), given as data.
//
// Semantics
// - decide() scores the window itself (score.ts: the calibrated likelihood by
//   default, a score in [0, 1]); the lowest severity band is the open level.
//   A window with a new extreme (novelty.ts: beyond every value its sensor has
//   shown) scores 1, and the alert it opens or raises says so in its reason.
// - Open: the window reaches the open level and at least `openAfter` of the
//   last `openWindow` windows did (openAfter = openWindow = 1: the first crossing).
// - While open, every window at or above `releaseScore` keeps the alert open;
//   `resolveAfter` consecutive windows below it resolve it (hysteresis on the
//   value). The history is then cleared.
// - Hold-off: a crossing within `holdOffSamples` after a resolve opens a new
//   alert (its own id, from its own opening window) whose `follows` names the
//   alert resolved before it; after the hold-off `follows` is null. So every id
//   has one `open` and one final `resolve` (never open, resolve, open), and the
//   link still says which alerts are one excursion (docs/operate.md).
// - Severity: the highest band whose minScore <= score. An open alert escalates
//   at once when a window lands in a higher band; it de-escalates only after
//   `resolveAfter` consecutive windows (and the hold-off) in lower bands (to the
//   highest of those), so a score wobbling on a band edge does not spam updates.
// - An excursion the likelihood has learnt as the new normal (it lasted
//   scorer.newNormalAfter, new-normal.ts) resolves with reason `new_normal` at
//   that window, whatever it scored against the estimate before the move.
// - Sensor faults are a second, independent track with the same hysteresis,
//   "above" meaning "the window has a fault verdict". Faults take precedence: a
//   faulty window (or one whose score is NaN) is not fed to the anomaly track at
//   all (it is frozen, neither counting up nor towards resolving), so a stuck or
//   broken sensor raises `sensor_fault`, never `anomaly`. Fault alerts carry the
//   lowest severity band and the fault code of the window that opened them.
// - Replays: a window with seq <= lastSeq and end <= lastEnd was already decided
//   and yields nothing, which makes re-delivered windows harmless.
// - Alert id: a hash of sensor id, kind, seq and start of the opening window, so
//   a deterministic replay reproduces the same ids (and the same `follows`).
import { createHash } from 'node:crypto';
import type { WindowExtremes } from '../calibration/ranges.ts';
import type { AlertKind, AlertState, AnomalyAlert, SignalWindow } from '../types.ts';
import type { HysteresisConfig, Severity } from '../config/types.ts';
import type { AdaptiveState } from './adaptive.ts';
import { channelTerms, topChannels, type ChannelTerms } from './channels.ts';
import type { FaultCode, FaultVerdict } from './faults.ts';
import type { LikelihoodState } from './likelihood.ts';
import { noveltyReason, type RangeState } from './novelty.ts';
import type { SensorPolicy } from './policy.ts';
import { scoreWindow, type JudgedError, type ModelRef, type WindowErrors } from './score.ts';

export { faultCodes, type FaultCode, type FaultVerdict } from './faults.ts';

/** follows: the alert resolved within the hold-off before this one opened, else null (absent in state persisted before it existed: null). */
type OpenAlert = { alertId: string; severity: string; fault: FaultCode | null; follows?: string | null };

export interface AlertTrack {
  /** Above flags of the last `openWindow` windows fed to this track, oldest first. */
  recent: boolean[];
  open: OpenAlert | null;
  /** Consecutive below windows while open. */
  below: number;
  /** Consecutive above windows in a band lower than the open severity, and the highest such band. */
  calm: number;
  calmBand: string | null;
  /** The alert resolved last and the windows since (absent: none within the hold-off). */
  resolved?: { alert: OpenAlert; since: number };
}

export interface SensorState {
  sensorId: string;
  lastSeq: number;
  lastEnd: number;
  anomaly: AlertTrack;
  fault: AlertTrack;
  /** Statistics of the `adaptive` threshold method (adaptive.ts); absent: not used yet, seeded on first use. */
  adaptive?: AdaptiveState;
  /** The anomaly likelihood's estimate (likelihood.ts); absent: seeded on first use. */
  likelihood?: LikelihoodState;
  /** With thresholds.likelihood.error `both`: the per-step error's estimate. */
  stepLikelihood?: LikelihoodState;
  /** The new-extreme rule's range of the values seen (novelty.ts); absent: not judged yet. */
  range?: RangeState;
  /** Where on the verdicts topic the last verdict applied to this sensor lies (verdict.ts); absent: none yet. */
  verdict?: { partition: number; offset: string };
  /** The sensor type it was judged as (sensorTypes; absent with the implicit type): a sensor moved to another type starts afresh. */
  sensorType?: string;
}

export interface DecisionInput {
  window: Pick<SignalWindow, 'sensorId' | 'seq' | 'start' | 'end'>;
  errors: WindowErrors;
  /** Per-channel terms of the errors the score may judge; the alert names the largest of the judged one's. Absent: it names none. */
  channels?: ChannelTerms;
  model: ModelRef;
  policy: Pick<SensorPolicy, 'hysteresis' | 'severities' | 'thresholds' | 'likelihood' | 'adaptive' | 'novelty' | 'hop' | 'newNormalAfterMs'>;
  /** Event time of the window's end (ms since the epoch; absent: window.end): scorer.newNormalAfter is measured in it (eval with row keys passes the row's time). */
  time?: number;
  fault: FaultVerdict | null;
  /** Lowest and highest of the window's new samples per model channel (calibration/ranges.ts newSampleExtremes); absent: the new-extreme rule is not applied. */
  extremes?: WindowExtremes;
}

export interface Decision {
  state: SensorState;
  events: AnomalyAlert[];
  /** The window's score in [0, 1], the reported error and the level of it that opens (for metrics, series and plots). */
  score: number;
  error: number;
  threshold: number;
  /** Which error `error` and `threshold` are (fixed by the policy, whichever error set the score). */
  errorKind: JudgedError;
  /** Per channel (input.channels' names), its term of the reported error; empty without input.channels. */
  contributions: number[];
}

const emptyTrack = (): AlertTrack => ({ recent: [], open: null, below: 0, calm: 0, calmBand: null });

export function initialSensorState(sensorId: string): SensorState {
  return { sensorId, lastSeq: -1, lastEnd: -1, anomaly: emptyTrack(), fault: emptyTrack() };
}

export function alertIdFor(sensorId: string, kind: AlertKind, seq: number, start: number): string {
  return createHash('sha256').update(`${sensorId}\u0000${kind}\u0000${seq}\u0000${start}`).digest('hex').slice(0, 24);
}

/** Bands sorted by minScore; the band of a score is the highest one it reaches (null below all). */
export function severityFor(score: number, bands: readonly Severity[]): string | null {
  let found: string | null = null;
  for (const band of sortBands(bands)) if (score >= band.minScore) found = band.name;
  return found;
}

/** True when this window (or a later one) of the sensor was already decided: a replay. */
export function alreadyDecided(state: SensorState, window: Pick<SignalWindow, 'seq' | 'end'>): boolean {
  return window.seq <= state.lastSeq && window.end <= state.lastEnd;
}

/** The score that opens an alert: the lowest severity band. */
export function openLevel(bands: readonly Severity[]): number {
  return sortBands(bands)[0]?.minScore ?? 0.5;
}

export function decide(state: SensorState, input: DecisionInput): Decision {
  const { window, policy } = input;
  const termsOf = (kind: JudgedError): number[] => (input.channels === undefined ? [] : channelTerms(input.channels, kind, policy.likelihood.combine));
  if (alreadyDecided(state, window)) return { state, events: [], score: Number.NaN, error: Number.NaN, threshold: Number.NaN, errorKind: 'window', contributions: termsOf('window') };
  const level = openLevel(policy.severities);
  const usable = input.fault === null;
  const scored = scoreWindow(state, { sensorId: window.sensorId, errors: input.errors, model: input.model, policy, usable, level, time: input.time ?? window.end, extremes: input.extremes });
  const events: AnomalyAlert[] = [];
  const bands = sortBands(policy.severities);
  const lowest = bands[0]?.name ?? 'warning';
  const both = policy.thresholds.method === 'likelihood' && policy.likelihood.error === 'both';
  const contributions = termsOf(scored.errorKind);
  const named = input.channels === undefined ? [] : topChannels(input.channels.names, contributions, input.channels.top);
  const emit = (kind: AlertKind, state: AlertState, alert: OpenAlert, reason: string | null): void => {
    events.push({
      alertId: alert.alertId,
      sensorId: window.sensorId,
      state,
      kind,
      fault: alert.fault,
      severity: alert.severity,
      score: scored.score,
      reconstructionError: scored.error,
      threshold: scored.threshold,
      stepError: both ? scored.stepError : null,
      stepThreshold: both ? scored.stepThreshold : null,
      topChannels: named,
      modelKey: input.model.key,
      modelVersion: input.model.version,
      windowStart: window.start,
      windowEnd: window.end,
      reason,
      follows: alert.follows ?? null,
    });
  };
  const rules: TrackRules = { ...policy.hysteresis, holdOffWindows: policy.hysteresis.holdOffSamples / Math.max(1, policy.hop) };
  // A window from a sensor that was silent: the silence is over.
  let faultTrack = state.fault;
  if (faultTrack.open?.fault === 'silent') {
    emit('sensor_fault', 'resolve', faultTrack.open, 'readings are back');
    faultTrack = emptyTrack();
  }

  const fault = stepTrack(faultTrack, input.fault === null ? 0 : 1, { ...rules, releaseScore: 1 }, 1, {
    open: (follows) => ({ alertId: alertIdFor(window.sensorId, 'sensor_fault', window.seq, window.start), severity: lowest, fault: input.fault?.fault ?? null, follows }),
    band: () => lowest,
    emit: (s, a) => emit('sensor_fault', s, a, s === 'open' || s === 'update' ? (input.fault?.detail ?? null) : null),
  });

  let anomaly = state.anomaly;
  if (usable && !Number.isNaN(scored.score)) {
    const band = severityFor(scored.score, bands) ?? lowest;
    anomaly = stepTrack(state.anomaly, scored.score, rules, level, {
      open: (follows) => ({ alertId: alertIdFor(window.sensorId, 'anomaly', window.seq, window.start), severity: band, fault: null, follows }),
      band: () => band,
      rank: (name) => bands.findIndex((b) => b.name === name),
      emit: (s, a) => emit('anomaly', s, a, s === 'resolve' && scored.learnedLevel ? 'new_normal' : s !== 'resolve' && scored.novelty !== null ? noveltyReason(scored.novelty) : null),
      forceResolve: scored.learnedLevel,
    });
  }
  const next: SensorState = { ...state, lastSeq: window.seq, lastEnd: window.end, anomaly, fault };
  if (scored.state.adaptive !== undefined) next.adaptive = scored.state.adaptive;
  if (scored.state.likelihood !== undefined) next.likelihood = scored.state.likelihood;
  if (scored.state.stepLikelihood !== undefined) next.stepLikelihood = scored.state.stepLikelihood;
  if (scored.state.range !== undefined) next.range = scored.state.range;
  return { state: next, events, score: scored.score, error: scored.error, threshold: scored.threshold, errorKind: scored.errorKind, contributions };
}

type TrackRules = HysteresisConfig & { holdOffWindows: number };

interface StepHooks {
  /** A new alert at this window; follows: the id of the alert it follows (resolved within the hold-off), else null. */
  open: (follows: string | null) => OpenAlert;
  band: () => string;
  /** Band order for escalation; without it the severity never changes. */
  rank?: (band: string) => number;
  emit: (state: AlertState, alert: OpenAlert) => void;
  /** Resolve now if open (the excursion is being learnt as normal and is below the open level). */
  forceResolve?: boolean;
}

/** One track's hysteresis: returns the next track state and emits its events. */
function stepTrack(track: AlertTrack, score: number, h: TrackRules, level: number, hooks: StepHooks): AlertTrack {
  const above = score >= level;
  const span = Math.max(1, h.openWindow, h.openAfter);
  const recent = [...track.recent, above].slice(-span);
  if (track.open === null) {
    const resolved = track.resolved === undefined || track.resolved.since + 1 > h.holdOffWindows ? undefined : { ...track.resolved, since: track.resolved.since + 1 };
    if (above && recent.filter(Boolean).length >= h.openAfter) {
      // Within the hold-off a new alert opens that names the one it follows: an id is never opened twice.
      const alert = hooks.open(resolved === undefined ? null : resolved.alert.alertId);
      hooks.emit('open', alert);
      return { recent, open: alert, below: 0, calm: 0, calmBand: null };
    }
    const next: AlertTrack = { ...track, recent };
    if (resolved === undefined) delete next.resolved;
    else next.resolved = resolved;
    return next;
  }
  if (score < h.releaseScore || hooks.forceResolve === true) {
    const below = track.below + 1;
    if (below >= h.resolveAfter || hooks.forceResolve === true) {
      hooks.emit('resolve', track.open);
      return h.holdOffWindows >= 1 && hooks.forceResolve !== true ? { ...emptyTrack(), resolved: { alert: track.open, since: 0 } } : emptyTrack();
    }
    return { ...track, recent, below };
  }
  const next: AlertTrack = { ...track, recent, below: 0 };
  if (hooks.rank === undefined || !above) return next;
  const band = hooks.band();
  const have = hooks.rank(track.open.severity);
  const now = hooks.rank(band);
  if (now > have) {
    const alert = { ...track.open, severity: band };
    hooks.emit('update', alert);
    return { ...next, open: alert, calm: 0, calmBand: null };
  }
  if (now === have) return { ...next, calm: 0, calmBand: null };
  const calmBand = track.calmBand === null || now > hooks.rank(track.calmBand) ? band : track.calmBand;
  const calm = track.calm + 1;
  // De-escalation waits out the hold-off too, so a score wobbling on a band edge does not flap the severity.
  if (calm >= Math.max(h.resolveAfter, Math.round(h.holdOffWindows))) {
    const alert = { ...track.open, severity: calmBand };
    hooks.emit('update', alert);
    return { ...next, open: alert, calm: 0, calmBand: null };
  }
  return { ...next, calm, calmBand };
}

export interface SilenceInput {
  sensorId: string;
  /** When the sensor's last window arrived, and now (ms since the epoch). */
  lastSeenAt: number;
  now: number;
  severities: readonly Severity[];
}

/** The fields of an alert event that no window caused (a silence, an operator's verdict): no score, error or model, at the sensor's last window end. */
export function windowlessFields(sensorId: string, state: SensorState) {
  return {
    sensorId,
    score: Number.NaN,
    reconstructionError: Number.NaN,
    threshold: Number.NaN,
    stepError: null,
    stepThreshold: null,
    topChannels: [],
    modelKey: '',
    modelVersion: 0,
    windowStart: state.lastEnd,
    windowEnd: state.lastEnd,
  };
}

/**
 * A sensor that sent no window for scorer.silentAfterMs: a `sensor_fault` `silent` opens
 * (lowest band), and an anomaly alert still open resolves with reason `silent` (nothing can
 * tell any more whether it goes on). Nothing happens while the silent fault is already open;
 * the next window resolves it (decide). The alert id is derived from the last window.
 */
export function decideSilence(state: SensorState, input: SilenceInput): Decision {
  if (state.fault.open?.fault === 'silent') return { state, events: [], score: Number.NaN, error: Number.NaN, threshold: Number.NaN, errorKind: 'window', contributions: [] };
  const lowest = sortBands(input.severities)[0]?.name ?? 'warning';
  const events: AnomalyAlert[] = [];
  const base = windowlessFields(input.sensorId, state);
  const silentFor = Math.round((input.now - input.lastSeenAt) / 1000);
  if (state.anomaly.open !== null) {
    events.push({ ...base, alertId: state.anomaly.open.alertId, state: 'resolve', kind: 'anomaly', fault: null, severity: state.anomaly.open.severity, reason: 'silent', follows: state.anomaly.open.follows ?? null });
  }
  if (state.fault.open !== null) {
    events.push({ ...base, alertId: state.fault.open.alertId, state: 'resolve', kind: 'sensor_fault', fault: state.fault.open.fault, severity: state.fault.open.severity, reason: 'silent', follows: state.fault.open.follows ?? null });
  }
  const open: OpenAlert = { alertId: alertIdFor(input.sensorId, 'sensor_fault', state.lastSeq + 1, input.lastSeenAt), severity: lowest, fault: 'silent', follows: null };
  events.push({ ...base, alertId: open.alertId, state: 'open', kind: 'sensor_fault', fault: 'silent', severity: lowest, reason: `no window for ${silentFor} s`, follows: null });
  const next: SensorState = { ...state, anomaly: emptyTrack(), fault: { ...emptyTrack(), open } };
  return { state: next, events, score: Number.NaN, error: Number.NaN, threshold: Number.NaN, errorKind: 'window', contributions: [] };
}

function sortBands(bands: readonly Severity[]): Severity[] {
  return [...bands].sort((a, b) => a.minScore - b.minScore);
}

