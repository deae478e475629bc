// The demo's live terminal summary: pure rendering of a snapshot.
import type { AnomalyAlert } from '../../common/types.ts';
import type { DetectionSummary } from './match.ts';

export interface Snapshot {
  elapsedSeconds: number;
  durationSeconds: number | null;
  readingsPerSecond: number;
  windowsPerSecond: number;
  readings: number;
  windowsScored: number;
  deadLettered: number;
  model: string;
  phase: string;
  recentAlerts: AnomalyAlert[];
  detection: DetectionSummary;
  metricsUrl: string;
  logFile: string;
}

const pct = (v: number | null): string => (v === null ? '  n/a' : `${(v * 100).toFixed(0).padStart(4)}%`);
const time = (ms: number): string => new Date(ms).toISOString().slice(11, 19);

export function renderSummary(s: Snapshot): string {
  const d = s.detection;
  const lines = [
    `sensorwatch demo · ${s.elapsedSeconds.toFixed(0)} s${s.durationSeconds === null ? '' : ` of ${s.durationSeconds} s`} · ${s.phase}`,
    `metrics ${s.metricsUrl} · logs ${s.logFile} · Ctrl-C stops`,
    '',
    `readings/s ${s.readingsPerSecond.toFixed(0).padStart(6)}   windows scored/s ${s.windowsPerSecond.toFixed(1).padStart(6)}   model ${s.model}`,
    `readings   ${String(s.readings).padStart(6)}   windows scored   ${String(s.windowsScored).padStart(6)}   dead-lettered ${s.deadLettered}`,
    `alerts opened ${d.alerts} (true ${d.truePositives})   precision ${pct(d.precision)}   recall ${pct(d.recall)} of ${d.anomalies} injected anomalies`,
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
