// The demo's precision and recall per sensor type, and overall: pure. Each
// type's alerts and injected anomalies are matched as match.ts does, with the
// type's own slack (its window's duration) and from when the scorer had a model
// for that type (before that nothing could detect them). Overall is the sum of
// the types' counts, so it agrees with the lines under it.
import { matchAlerts, type DetectionSummary, type OpenedAlert } from './match.ts';
import type { InjectedAnomaly } from '../../common/types.ts';

export interface TypeScope {
  name: string;
  /** A window's duration for the type (length x samplePeriodMs): an alert that ends this long after an anomaly still saw it. */
  slackMs: number;
  /** When the scorer first had a model for this type (ms); Infinity: not yet. */
  scoringSince: number;
}

export interface TypeDetection {
  name: string;
  detection: DetectionSummary;
}

export function detectionByType(
  alerts: readonly OpenedAlert[],
  labels: readonly InjectedAnomaly[],
  opts: { types: readonly TypeScope[]; typeOf: (sensorId: string) => string | undefined; now: number },
): TypeDetection[] {
  return opts.types.map((t) => ({
    name: t.name,
    detection: matchAlerts(
      alerts.filter((a) => opts.typeOf(a.sensorId) === t.name),
      labels.filter((l) => opts.typeOf(l.sensorId) === t.name),
      { scoringSince: t.scoringSince, now: opts.now, slackMs: t.slackMs },
    ),
  }));
}

/** The types' counts added up, precision and recall of the sums. */
export function sumDetections(ds: readonly DetectionSummary[]): DetectionSummary {
  const add = (k: Exclude<keyof DetectionSummary, 'precision' | 'recall'>): number => ds.reduce((s, d) => s + d[k], 0);
  const alerts = add('alerts');
  const anomalies = add('anomalies');
  const truePositives = add('truePositives');
  const detected = add('detected');
  return {
    alerts,
    followingAlerts: add('followingAlerts'),
    truePositives,
    anomalies,
    detected,
    precision: alerts === 0 ? null : truePositives / alerts,
    recall: anomalies === 0 ? null : detected / anomalies,
    alertsCoveringSeveral: add('alertsCoveringSeveral'),
    anomaliesCoveredBySharedAlerts: add('anomaliesCoveredBySharedAlerts'),
    anomaliesWithSeveralAlerts: add('anomaliesWithSeveralAlerts'),
    alertsOnSharedAnomalies: add('alertsOnSharedAnomalies'),
    pending: add('pending'),
    beforeScoring: add('beforeScoring'),
  };
}

const pct = (v: number | null): string => (v === null ? '   —' : `${(v * 100).toFixed(0).padStart(3)}%`);

/** One line per type: its shape, alerts (true), precision, recall of its anomalies, and whether it has a model yet. */
export function typeLines(rows: readonly (TypeDetection & { channels: number; rateHz: number; sensors: number; scoring: boolean })[]): string[] {
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  return rows.map((r) => {
    const d = r.detection;
    const shape = `${r.sensors} x ${r.channels} ch @ ${Number(r.rateHz.toFixed(2))} Hz`.padEnd(20);
    const head = `  ${r.name.padEnd(width)}  ${shape}`;
    if (!r.scoring) return `${head}  no model yet`;
    return `${head}  alerts ${String(d.alerts).padStart(3)} (true ${String(d.truePositives).padStart(3)})   precision ${pct(d.precision)}   recall ${pct(d.recall)} of ${d.anomalies}`;
  });
}
