// Scoring the demo's alerts against the simulator's injected anomalies: pure.
// An opened alert is a true positive when its window range overlaps an injected
// interval of the same sensor (widened by `slackMs`, since a window that ends
// just after an anomaly still contains it). An injected anomaly counts as
// detected when any alert overlaps it. Only anomalies that ended after scoring
// began count towards recall: before the first model nothing could detect them.
import type { InjectedAnomaly } from '../../common/types.ts';

export interface OpenedAlert {
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
  const truePositives = alerts.filter((a) => labels.some((l) => overlaps(a, l, opts.slackMs))).length;
  const eligible = labels.filter((l) => l.end >= opts.scoringSince && l.end + opts.slackMs <= opts.now);
  const detected = eligible.filter((l) => alerts.some((a) => overlaps(a, l, opts.slackMs))).length;
  return {
    alerts: alerts.length,
    truePositives,
    anomalies: eligible.length,
    detected,
    precision: alerts.length === 0 ? null : truePositives / alerts.length,
    recall: eligible.length === 0 ? null : detected / eligible.length,
  };
}
