// Scoring the demo's alerts against the simulator's injected anomalies: pure.
// An opened alert is a true positive when its window range overlaps an injected
// interval of the same sensor (widened by `slackMs`, since a window that ends
// just after an anomaly still contains it). An injected anomaly counts as
// detected when any alert overlaps it. Only anomalies that ended after scoring
// began count towards recall: before the first model nothing could detect them.
// An alert re-opened within the hold-off keeps its id: it is one alert, true
// when any of its openings overlaps an injected interval. So alerts and
// anomalies need not be equal in number at 100 % precision and recall: one
// alert (re-opened for a second anomaly on its sensor within the hold-off)
// can cover two anomalies, and one anomaly can raise two alerts (an anomaly
// and a sensor fault, or a re-open after the hold-off). The counts below say
// which happened, so the summary can explain it.
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
  /** Anomalies counted for recall: ended after scoring began, and at least `slackMs` ago. */
  anomalies: number;
  detected: number;
  precision: number | null;
  recall: number | null;
  /** Alerts that overlap two or more of the counted anomalies, and how many anomalies those cover. */
  alertsCoveringSeveral: number;
  anomaliesCoveredBySharedAlerts: number;
  /** Counted anomalies that two or more alerts overlap, and how many alerts those are. */
  anomaliesWithSeveralAlerts: number;
  alertsOnSharedAnomalies: number;
  /** Injected anomalies not counted yet: still running, or ended less than `slackMs` ago. */
  pending: number;
  /** Injected anomalies that ended before scoring began (no model yet): never counted. */
  beforeScoring: number;
}

const overlaps = (a: OpenedAlert, l: InjectedAnomaly, slackMs: number): boolean =>
  a.sensorId === l.sensorId && a.windowStart <= l.end + slackMs && a.windowEnd >= l.start - slackMs;

export function matchAlerts(alerts: OpenedAlert[], labels: InjectedAnomaly[], opts: { scoringSince: number; now: number; slackMs: number }): DetectionSummary {
  const byId = new Map<string, OpenedAlert[]>();
  alerts.forEach((a, i) => {
    const id = a.alertId ?? `#${i}`;
    byId.set(id, [...(byId.get(id) ?? []), a]);
  });
  const grouped = [...byId.values()];
  const hits = (openings: OpenedAlert[], l: InjectedAnomaly): boolean => openings.some((a) => overlaps(a, l, opts.slackMs));
  const truePositives = grouped.filter((openings) => labels.some((l) => hits(openings, l))).length;
  const eligible = labels.filter((l) => l.end >= opts.scoringSince && l.end + opts.slackMs <= opts.now);
  const detected = eligible.filter((l) => alerts.some((a) => overlaps(a, l, opts.slackMs))).length;
  const coverPerAlert = grouped.map((openings) => eligible.filter((l) => hits(openings, l)).length).filter((n) => n >= 2);
  const alertsPerAnomaly = eligible.map((l) => grouped.filter((openings) => hits(openings, l)).length).filter((n) => n >= 2);
  const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
  return {
    alerts: byId.size,
    truePositives,
    anomalies: eligible.length,
    detected,
    precision: byId.size === 0 ? null : truePositives / byId.size,
    recall: eligible.length === 0 ? null : detected / eligible.length,
    alertsCoveringSeveral: coverPerAlert.length,
    anomaliesCoveredBySharedAlerts: sum(coverPerAlert),
    anomaliesWithSeveralAlerts: alertsPerAnomaly.length,
    alertsOnSharedAnomalies: sum(alertsPerAnomaly),
    pending: labels.filter((l) => l.end + opts.slackMs > opts.now).length,
    beforeScoring: labels.filter((l) => l.end < opts.scoringSince && l.end + opts.slackMs <= opts.now).length,
  };
}
