// THE alert decision: one pure function from (sensor state, one scored window)
// to (next state, alert events). No Kafka, clock or I/O here: the service feeds
// it, the eval backtester replays it, and a test can state exact expectations.
//
// Semantics
// - A window is "above" when score = error / threshold >= 1.
// - Open: the current window is above and at least `openAfter` of the last
//   `openWindow` windows are above (openAfter = openWindow = N gives "N in a row").
// - Resolve: `resolveAfter` consecutive windows below while open. The history is
//   then cleared, so a resolved alert cannot reopen on stale flags.
// - Severity: the highest band whose minScore <= score. An open alert escalates
//   at once when an above window lands in a higher band; it de-escalates only
//   after `resolveAfter` consecutive above windows in lower bands (to the highest
//   of those), so a score wobbling on a band edge does not spam updates.
// - Sensor faults are a second, independent track with the same hysteresis,
//   "above" meaning "the window has a fault verdict". Faults take precedence: a
//   faulty window (or one whose score is NaN) is not fed to the anomaly track at
//   all (it is frozen, neither counting up nor towards resolving), so a stuck or
//   broken sensor raises `sensor_fault`, never `anomaly`. Fault alerts carry the
//   lowest severity band and the fault code of the window that opened them.
// - Replays: a window with seq <= lastSeq and end <= lastEnd was already decided
//   and yields nothing, which makes re-delivered windows harmless.
// - Alert id: a hash of sensor id, kind, seq and start of the opening window, so
//   a deterministic replay reproduces the same ids.
import { createHash } from 'node:crypto';
import type { AlertKind, AlertState, AnomalyAlert, ChannelContribution, SignalWindow } from '../common/types.ts';
import type { HysteresisConfig, Severity } from '../common/config/types.ts';
import type { AdaptiveState } from './adaptive.ts';

export const faultCodes = ['missing', 'bad_quality', 'out_of_range', 'flatline'] as const;
export type FaultCode = (typeof faultCodes)[number];

export interface FaultVerdict {
  fault: FaultCode;
  /** Channels implicated (empty for whole-window faults such as missing samples). */
  channels: string[];
  detail: string;
}

export interface AlertTrack {
  /** Above flags of the last `openWindow` windows fed to this track, oldest first. */
  recent: boolean[];
  open: { alertId: string; severity: string; fault: FaultCode | null } | null;
  /** Consecutive below windows while open. */
  below: number;
  /** Consecutive above windows in a band lower than the open severity, and the highest such band. */
  calm: number;
  calmBand: string | null;
}

export interface SensorState {
  sensorId: string;
  lastSeq: number;
  lastEnd: number;
  anomaly: AlertTrack;
  fault: AlertTrack;
  /** Statistics of the `adaptive` threshold method (adaptive.ts); absent: not used yet, seeded on first use. */
  adaptive?: AdaptiveState;
}

export interface DecisionInput {
  window: Pick<SignalWindow, 'sensorId' | 'seq' | 'start' | 'end'>;
  score: number;
  error: number;
  threshold: number;
  topChannels: ChannelContribution[];
  model: { key: string; version: number };
  hysteresis: HysteresisConfig;
  severityBands: Severity[];
  fault: FaultVerdict | null;
}

export interface Decision {
  state: SensorState;
  events: AnomalyAlert[];
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

export function decide(state: SensorState, input: DecisionInput): Decision {
  const { window } = input;
  if (alreadyDecided(state, window)) return { state, events: [] };
  const events: AnomalyAlert[] = [];
  const bands = sortBands(input.severityBands);
  const lowest = bands[0]?.name ?? 'warning';
  const emit = (kind: AlertKind, state: AlertState, alert: { alertId: string; severity: string; fault: FaultCode | null }): void => {
    events.push({
      alertId: alert.alertId,
      sensorId: window.sensorId,
      state,
      kind,
      fault: alert.fault,
      severity: alert.severity,
      score: input.score,
      reconstructionError: input.error,
      threshold: input.threshold,
      topChannels: input.topChannels,
      modelKey: input.model.key,
      modelVersion: input.model.version,
      windowStart: window.start,
      windowEnd: window.end,
    });
  };

  const fault = step(state.fault, input.fault !== null, input.hysteresis, {
    open: () => ({ alertId: alertIdFor(window.sensorId, 'sensor_fault', window.seq, window.start), severity: lowest, fault: input.fault?.fault ?? null }),
    band: () => lowest,
    emit: (s, a) => emit('sensor_fault', s, a),
  });

  let anomaly = state.anomaly;
  if (input.fault === null && !Number.isNaN(input.score)) {
    const band = severityFor(input.score, bands) ?? lowest;
    anomaly = step(state.anomaly, input.score >= 1, input.hysteresis, {
      open: () => ({ alertId: alertIdFor(window.sensorId, 'anomaly', window.seq, window.start), severity: band, fault: null }),
      band: () => band,
      rank: (name) => bands.findIndex((b) => b.name === name),
      emit: (s, a) => emit('anomaly', s, a),
    });
  }
  return { state: { ...state, lastSeq: window.seq, lastEnd: window.end, anomaly, fault }, events };
}

interface StepHooks {
  open: () => NonNullable<AlertTrack['open']>;
  band: () => string;
  /** Band order for escalation; without it the severity never changes. */
  rank?: (band: string) => number;
  emit: (state: AlertState, alert: NonNullable<AlertTrack['open']>) => void;
}

/** One track's hysteresis: returns the next track state and emits its events. */
function step(track: AlertTrack, above: boolean, h: HysteresisConfig, hooks: StepHooks): AlertTrack {
  const span = Math.max(1, h.openWindow, h.openAfter);
  const recent = [...track.recent, above].slice(-span);
  if (track.open === null) {
    if (above && recent.filter(Boolean).length >= h.openAfter) {
      const alert = hooks.open();
      hooks.emit('open', alert);
      return { recent, open: alert, below: 0, calm: 0, calmBand: null };
    }
    return { ...track, recent };
  }
  if (!above) {
    const below = track.below + 1;
    if (below >= h.resolveAfter) {
      hooks.emit('resolve', track.open);
      return emptyTrack();
    }
    return { ...track, recent, below };
  }
  const next: AlertTrack = { ...track, recent, below: 0 };
  if (hooks.rank === undefined) return next;
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
  if (calm >= h.resolveAfter) {
    const alert = { ...track.open, severity: calmBand };
    hooks.emit('update', alert);
    return { ...next, open: alert, calm: 0, calmBand: null };
  }
  return { ...next, calm, calmBand };
}

function sortBands(bands: readonly Severity[]): Severity[] {
  return [...bands].sort((a, b) => a.minScore - b.minScore);
}
