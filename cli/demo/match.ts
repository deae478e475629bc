// Scoring the demo's alerts against the simulator's injected anomalies: pure.
// An opened alert is a true positive when its window range overlaps an injected
// interval of the same sensor (widened by `slackMs`, since a window that ends
// just after an anomaly still contains it). An injected anomaly counts as
// detected when any alert overlaps it. Only anomalies that ended after scoring
// began count towards recall: before the first model nothing could detect them.
// An alert re-opened within the hold-off keeps its id: it is one alert, true
// when any of its openings overlaps an injected interval.
import type { InjectedAnomaly } from '../../common/types.ts';

export interface OpenedAlert {
  /** Openings with the same id are one alert (a re-open within the hold-off). */
  alertId?: string;
  sensorId: string;
  kind: string;
  windowStart: number;
  windowEnd: number;
}

export interface DetectionSummary {
  alerts: number;
  truePositives: number;
  anomalies: number;
  detected: number;
  precision: number | null;
  recall: number | null;
}

const overlaps = (a: OpenedAlert, l: InjectedAnomaly, slackMs: number): boolean =>
  a.sensorId === l.sensorId && a.windowStart <= l.end + slackMs && a.windowEnd >= l.start - slackMs;

export function matchAlerts(alerts: OpenedAlert[], labels: InjectedAnomaly[], opts: { scoringSince: number; now: number; slackMs: number }): DetectionSummary {
  const byId = new Map<string, OpenedAlert[]>();
  alerts.forEach((a, i) => {
    const id = a.alertId ?? `#${i}`;
    byId.set(id, [...(byId.get(id) ?? []), a]);
  });
  const truePositives = [...byId.values()].filter((openings) => openings.some((a) => labels.some((l) => overlaps(a, l, opts.slackMs)))).length;
  const eligible = labels.filter((l) => l.end >= opts.scoringSince && l.end + opts.slackMs <= opts.now);
  const detected = eligible.filter((l) => alerts.some((a) => overlaps(a, l, opts.slackMs))).length;
  return {
    alerts: byId.size,
    truePositives,
    anomalies: eligible.length,
    detected,
    precision: byId.size === 0 ? null : truePositives / byId.size,
    recall: eligible.length === 0 ? null : detected / eligible.length,
  };
}
