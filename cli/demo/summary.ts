// The demo's live terminal summary: pure rendering of a snapshot.
import type { AnomalyAlert } from '../../common/types.ts';
import type { DetectionSummary } from './match.ts';
import type { RecoveryFigures } from './recovery.ts';

export interface Snapshot {
  elapsedSeconds: number;
  durationSeconds: number | null;
  /** Over the last few seconds (rate.ts); null until a second has passed. */
  readingsPerSecond: number | null;
  windowsPerSecond: number | null;
  readings: number;
  windowsScored: number;
  deadLettered: number;
  model: string;
  phase: string;
  recentAlerts: AnomalyAlert[];
  detection: DetectionSummary;
  /** How alerts close after the anomalies (recovery.ts); null before scoring began. */
  recovery: RecoveryFigures | null;
  /** Per sensor type (by-type.ts typeLines); empty with one type. */
  byType?: string[];
  metricsUrl: string;
  logFile: string;
}

const pct = (v: number): string => `${(v * 100).toFixed(0).padStart(4)}%`;
const time = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
const rate = (v: number | null, digits: number): string => (v === null ? '—' : v.toFixed(digits)).padStart(6);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The precision and recall line; recall says what it is of, and why alerts and anomalies differ in number. */
export function detectionLines(d: DetectionSummary): string[] {
  const precision = d.precision === null ? 'precision    — (no alert yet)' : `precision ${pct(d.precision)}`;
  let recall: string;
  if (d.recall !== null) recall = `recall ${pct(d.recall)} of ${plural(d.anomalies, 'injected anomaly', 'injected anomalies')}`;
  else if (d.pending > 0) recall = `recall    — (${plural(d.pending, 'anomaly', 'anomalies')} injected, counted once ${d.pending === 1 ? 'it ends' : 'they end'})`;
  else if (d.beforeScoring > 0) recall = `recall    — (${plural(d.beforeScoring, 'anomaly', 'anomalies')} injected before the first model, not counted)`;
  else recall = 'recall    — (no anomaly injected yet)';
  // Precision is of excursions (match.ts): an alert that follows another within the hold-off is counted with it.
  const opened = d.followingAlerts === 0 ? `${d.alerts}` : `${d.alerts + d.followingAlerts} in ${plural(d.alerts, 'excursion')}`;
  const lines = [`alerts opened ${opened} (true ${d.truePositives})   ${precision}   ${recall}`];
  if (d.followingAlerts > 0) lines.push(`  ${plural(d.followingAlerts, 'alert')} followed another of ${d.followingAlerts === 1 ? 'its' : 'their'} sensor within the hold-off: one excursion, counted once`);
  // Why the two counts differ: an excursion counts for every anomaly of its sensor that one of its
  // alerts overlaps (match.ts), so one can cover two close anomalies, and one anomaly can
  // raise two (an anomaly and a sensor fault, or a new excursion after the hold-off).
  // With followers the counts below are of excursions, and say so.
  const unit = d.followingAlerts > 0 ? 'excursion' : 'alert';
  const why: string[] = [];
  if (d.alertsCoveringSeveral > 0) why.push(`${plural(d.alertsCoveringSeveral, unit)} covered ${d.anomaliesCoveredBySharedAlerts} anomalies of ${d.alertsCoveringSeveral === 1 ? 'its sensor' : 'their sensors'}`);
  if (d.anomaliesWithSeveralAlerts > 0) why.push(`${plural(d.anomaliesWithSeveralAlerts, 'anomaly', 'anomalies')} raised ${d.alertsOnSharedAnomalies} ${unit}s`);
  if (d.alerts > d.truePositives) why.push(`${plural(d.alerts - d.truePositives, unit)} matched no anomaly`);
  if (d.anomalies > d.detected) why.push(`${plural(d.anomalies - d.detected, 'anomaly', 'anomalies')} missed`);
  if (d.recall !== null && d.pending > 0) why.push(`${plural(d.pending, 'anomaly', 'anomalies')} still running, counted once ended`);
  if (d.recall !== null && d.beforeScoring > 0) why.push(`${plural(d.beforeScoring, 'anomaly', 'anomalies')} before the first model, not counted`);
  if (d.alerts !== d.anomalies && d.anomalies > 0 && why.length > 0) lines.push(`  ${plural(d.alerts, unit)} for ${plural(d.anomalies, 'anomaly', 'anomalies')}: ${why.join('; ')}`);
  return lines;
}

const seconds = (ms: number | null): string => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** The share of normal time inside open alerts, and how fast alerts close after an anomaly ends. */
export function recoveryLine(r: RecoveryFigures | null): string {
  if (r === null || r.normalInAlerts === null) return 'normal time in open alerts    — (not scoring yet)';
  const share = `normal time in open alerts ${(r.normalInAlerts * 100).toFixed(1)}% of ${(r.normalMs / 1000).toFixed(0)} sensor-s`;
  if (r.openAtEnd === 0) return `${share}   no alert open at an anomaly's end`;
  const closed = r.closed === 0 ? 'none closed yet' : `closed ${r.closed} after ${seconds(r.meanCloseMs)} on average (longest ${seconds(r.maxCloseMs)})`;
  return `${share}   alerts open at an anomaly's end ${r.openAtEnd}: ${closed}${r.stillOpen > 0 ? `, ${r.stillOpen} still open` : ''}`;
}

export function renderSummary(s: Snapshot): string {
  const d = s.detection;
  const lines = [
    `sensorwatch demo · ${s.elapsedSeconds.toFixed(0)} s${s.durationSeconds === null ? '' : ` of ${s.durationSeconds} s`} · ${s.phase}`,
    `metrics ${s.metricsUrl} · logs ${s.logFile} · Ctrl-C stops`,
    '',
    `readings/s ${rate(s.readingsPerSecond, 0)}   windows scored/s ${rate(s.windowsPerSecond, 1)}   model ${s.model}`,
    `readings   ${String(s.readings).padStart(6)}   windows scored   ${String(s.windowsScored).padStart(6)}   dead-lettered ${s.deadLettered}`,
    ...detectionLines(d),
    recoveryLine(s.recovery),
    ...(s.byType === undefined || s.byType.length === 0 ? [] : ['by sensor type:', ...s.byType]),
    '',
    'recent alerts:',
  ];
  if (s.recentAlerts.length === 0) lines.push('  (none yet)');
  for (const a of s.recentAlerts) {
    // A resolve names the severity the alert had, not one the resolving score has; channels only where they explain an alert.
    const top = a.state === 'resolve' ? (a.reason ?? '') : a.topChannels.map((c) => `${c.channel} ${(c.contribution / Math.max(a.reconstructionError, 1e-12) * 100).toFixed(0)}%`).join(', ');
    const severity = a.state === 'resolve' ? `(was ${a.severity})` : a.severity;
    lines.push(
      `  ${time(a.windowEnd)} ${a.state.padEnd(7)} ${a.sensorId.padEnd(10)} ${(a.fault === null ? a.kind : `${a.kind}:${a.fault}`).padEnd(22)} ${severity.padEnd(14)} score ${a.score.toFixed(2).padStart(5)}  ${top}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
