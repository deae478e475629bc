// What operators' verdicts (topics.verdicts) do to the training data. Pure.
//
// A verdict covers event time of one sensor: its range [from, to] and the
// whole span of each alert it names (opening window's start to resolving
// window's end, not cut at trainer.maxExcludeMs; an alert not resolved yet
// runs on). A window that overlaps what a verdict covers is
// - included when the latest such verdict is false_positive or new_normal,
//   even if it overlaps an alert (the alerted-window exclusion no longer
//   applies to it);
// - excluded when it is confirmed, for good (also past maxExcludeMs, and
//   with trainer.excludeAlerted false).
// A window no verdict covers is selected as before (select.ts). "Latest" is
// topic order, which for one sensor is the order the verdicts were given.
import type { AlertVerdict, AnomalyAlert } from '../types.ts';

export type VerdictRuling = 'include' | 'exclude';

interface Cover {
  from: number;
  to: number;
  /** Topic order (higher: later). */
  order: number;
  ruling: VerdictRuling;
}

/** Per alert id: its opening window's start and its resolving window's end (Infinity while open). */
function alertSpans(alerts: readonly AnomalyAlert[]): Map<string, { from: number; to: number }> {
  const spans = new Map<string, { from: number; to: number }>();
  for (const a of alerts) {
    if (a.kind !== 'anomaly') continue;
    const span = spans.get(a.alertId) ?? { from: a.windowStart, to: Number.POSITIVE_INFINITY };
    if (a.state === 'open') span.from = Math.min(span.from, a.windowStart);
    if (a.state === 'resolve') span.to = a.windowEnd;
    spans.set(a.alertId, span);
  }
  return spans;
}

/**
 * The ruling of verdicts (in topic order) on a window, given the alerts known; null where no verdict covers it.
 * A named alert that is not among `alerts` covers the verdict's own range only (`to` null: up to the newest window).
 */
export function verdictRulings(verdicts: readonly AlertVerdict[], alerts: readonly AnomalyAlert[]): (w: { sensorId: string; start: number; end: number }) => VerdictRuling | null {
  const spans = alertSpans(alerts);
  const bySensor = new Map<string, Cover[]>();
  verdicts.forEach((v, order) => {
    const ruling: VerdictRuling = v.verdict === 'confirmed' ? 'exclude' : 'include';
    const list = bySensor.get(v.sensorId) ?? [];
    bySensor.set(v.sensorId, list);
    const named = v.alertIds.map((id) => spans.get(id)).filter((s) => s !== undefined);
    const to = v.to ?? (named.length === v.alertIds.length && named.length > 0 ? Math.max(...named.map((s) => s.to)) : Number.POSITIVE_INFINITY);
    list.push({ from: v.from, to, order, ruling });
    for (const s of named) list.push({ ...s, order, ruling });
  });
  return (w) => {
    const covers = bySensor.get(w.sensorId);
    if (covers === undefined) return null;
    let best: Cover | null = null;
    for (const c of covers) if (w.start <= c.to && w.end >= c.from && (best === null || c.order > best.order)) best = c;
    return best?.ruling ?? null;
  };
}
