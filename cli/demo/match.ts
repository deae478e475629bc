// Scoring the demo's alerts against the simulator's injected anomalies: pure.
// An opened alert is a true positive when its window range overlaps an injected
// interval of the same sensor (widened by `slackMs`, since a window that ends
// just after an anomaly still contains it). An injected anomaly counts as
// detected when any alert overlaps it. Only anomalies that ended after scoring
// began count towards recall: before the first model nothing could detect them.
// Precision counts excursions: an alert that `follows` another (it opened
// within the hold-off of that one's resolve: one excursion of the sensor) is
// counted with the alert it follows, and the excursion is true when any of its
// alerts overlaps an injected interval; so is a record whose id opened twice
// (a scorer before AnomalyAlert v4 re-opened the same id). So alerts and
// anomalies need not be equal in number at 100 % precision and recall: one
// excursion (a second anomaly on its sensor within the hold-off) can cover two
// anomalies, and one anomaly can raise two (an anomaly and a sensor fault, or a
// new excursion after the hold-off). The counts below say which happened, so
// the summary can explain it.
import type { InjectedAnomaly } from '../../common/types.ts';

export interface OpenedAlert {
  /** Openings with the same id are one alert. */
  alertId?: string;
  /** The alert this one follows (AnomalyAlert.follows): counted in that one's excursion. */
  follows?: string | null;
  sensorId: string;
  kind: string;
  windowStart: number;
  windowEnd: number;
}

export interface DetectionSummary {
  /** Excursions: an alert and those that follow it (AnomalyAlert.follows) count once; precision is of these. */
  alerts: number;
  /** Alerts that follow another (opened within the hold-off of its resolve), counted in its excursion. */
  followingAlerts: number;
  /** Excursions that overlap an injected anomaly. */
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
  const followed = new Map<string, string>();
  for (const a of alerts) if (a.alertId !== undefined && a.follows !== undefined && a.follows !== null) followed.set(a.alertId, a.follows);
  // The first alert of the excursion: follow the links back (one whose predecessor opened before the watch began still groups with its siblings).
  const excursionOf = (id: string): string => {
    const seen = new Set([id]);
    let at = id;
    for (let up = followed.get(at); up !== undefined && !seen.has(up); up = followed.get(at)) {
      seen.add(up);
      at = up;
    }
    return at;
  };
  const byId = new Map<string, OpenedAlert[]>();
  alerts.forEach((a, i) => {
    const id = a.alertId === undefined ? `#${i}` : excursionOf(a.alertId);
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
    followingAlerts: new Set(alerts.filter((a) => a.alertId !== undefined && a.follows !== undefined && a.follows !== null).map((a) => a.alertId)).size,
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

/**
 * For the log at the demo's end: the counted anomalies no alert overlaps, and the
 * excursions that overlap no anomaly (same rules as matchAlerts).
 */
export function misses(alerts: OpenedAlert[], labels: InjectedAnomaly[], opts: { scoringSince: number; now: number; slackMs: number }): { missed: InjectedAnomaly[]; falseAlerts: OpenedAlert[] } {
  const eligible = labels.filter((l) => l.end >= opts.scoringSince && l.end + opts.slackMs <= opts.now);
  const missed = eligible.filter((l) => !alerts.some((a) => overlaps(a, l, opts.slackMs)));
  const falseAlerts = alerts.filter((a) => (a.follows ?? null) === null && !labels.some((l) => overlaps(a, l, opts.slackMs)));
  return { missed, falseAlerts };
}
