// metrics.json: pooled point-wise and event-wise figures, per-file figures,
// and with NAB data the NAB scores. Pure: takes results, returns the object.
import type { SeriesResult } from './backtest.ts';
import { addCounts, addEvents, addRecovery, countEvents, countPoints, countRecovery, figures, noCounts, noEvents, noRecovery, withFaultRows, type QualityFigures } from './metrics.ts';
import { alertRuns } from './plot-input.ts';
import { rollingScore } from './rolling.ts';
import { nabProfileScore, nabScoreKeys, type CostMatrix, type NabFile, type ProfileResult } from './nab-score.ts';

export interface FileSummary extends Partial<QualityFigures> {
  rowsScored: number;
  trainRows: number;
  /** The first model's threshold (later models: see series/<file>.csv). */
  threshold: number;
  /** Distinct alerts (ids; a crossing within the hold-off is an alert of its own), and the runs of rows with one open: the plot's spans. */
  anomalyAlerts: number;
  anomalySpans: number;
  faultAlerts: number;
  alertsPerDay: number | null;
  model: SeriesResult['model'];
  windower: SeriesResult['windowerStats'];
  nab?: Record<string, number>;
}

export interface Summary extends Partial<QualityFigures> {
  files: number;
  rowsScored: number;
  /** Present with NAB data: 'nab.standard', 'nab.lowFP', 'nab.lowFN'. */
  [key: `nab.${string}`]: number;
  nab?: { profiles: Record<string, Omit<ProfileResult, 'perFile'>>; atDecisions: Record<string, number>; scoreEveryRow: Record<string, number>; rollingZ: Record<string, number> };
  perFile: Record<string, FileSummary>;
}

/** Scored span in days (at least one row period), for alerts per day. */
export function spanDays(timestamps: readonly number[]): number | null {
  const a = timestamps[0];
  const b = timestamps[timestamps.length - 1];
  if (a === undefined || b === undefined || b <= a) return null;
  return (b - a) / 86_400_000;
}

/** A [0, 1] score for NAB's files; 0 for unscored rows. */
export const nabAnomalyScore = (score: number): number => (Number.isFinite(score) ? score : 0);

/**
 * What NAB scores, per row. `detection` (the headline): the calibrated score where an
 * anomaly alert opens, 0 elsewhere: the detector's detections with their confidence,
 * one per excursion. `score`: the calibrated score of every row. `decision`: 1 where
 * any alert is open. `rolling`: the causal rolling z diagnostic of the judged error.
 */
export type NabUse = 'detection' | 'score' | 'decision' | 'rolling';
const nabRow = (r: SeriesResult, use: NabUse, i: number): number =>
  use === 'detection' ? (r.detections[i] as number) : use === 'score' ? nabAnomalyScore(r.scores[i] as number) : (r.flags[i] as number);

/** Full-length NAB inputs: training rows (inside NAB's probation) score 0. */
export function nabFiles(results: readonly SeriesResult[], windows: Record<string, Array<[number, number]>>, use: NabUse): NabFile[] {
  return results.map((r) => {
    const scores = new Float64Array(r.trainRows + r.errors.length);
    const rolling = use === 'rolling' ? rollingScore(r.errors) : null;
    r.errors.forEach((e, i) => {
      scores[r.trainRows + i] = rolling !== null ? (rolling[i] as number) : nabRow(r, use, i);
    });
    return { name: r.name, scores, windows: windows[r.name] ?? [] };
  });
}

export function summarise(results: readonly SeriesResult[], nab?: { profiles: Record<string, CostMatrix>; windows: Record<string, Array<[number, number]>> }): Summary {
  let counts = noCounts;
  let events = noEvents;
  let recovery = noRecovery;
  let labelled = false;
  const perFile: Record<string, FileSummary> = {};
  for (const r of results) {
    const days = spanDays(r.timestamps);
    const file: FileSummary = {
      rowsScored: r.errors.length,
      trainRows: r.trainRows,
      threshold: r.segments[0] === undefined ? Number.NaN : (r.thresholds.find(Number.isFinite) ?? Number.NaN),
      anomalyAlerts: r.anomalyAlerts,
      anomalySpans: alertRuns(r, 'anomaly').length,
      faultAlerts: r.faultAlerts,
      alertsPerDay: days === null ? null : r.anomalyAlerts / days,
      model: r.model,
      windower: r.windowerStats,
    };
    if (r.labels !== null) {
      labelled = true;
      const c = countPoints(r.flags, r.labels);
      const e = countEvents(r.flags, r.labels, r.timestamps);
      counts = addCounts(counts, c);
      const rec = withFaultRows(countRecovery(r.flags, r.labels, r.timestamps), r.kinds, r.labels);
      events = addEvents(events, e);
      recovery = addRecovery(recovery, rec);
      Object.assign(file, figures(c, e, rec));
    }
    perFile[r.name] = file;
  }
  const summary: Summary = {
    files: results.length,
    rowsScored: results.reduce((s, r) => s + r.errors.length, 0),
    ...(labelled ? figures(counts, events, recovery) : {}),
    perFile,
  };
  if (nab !== undefined) {
    const scored = nabFiles(results, nab.windows, 'detection');
    const everyRow = nabFiles(results, nab.windows, 'score');
    const decided = nabFiles(results, nab.windows, 'decision');
    const rolled = nabFiles(results, nab.windows, 'rolling');
    const rollingZ: Record<string, number> = {};
    const profiles: Record<string, Omit<ProfileResult, 'perFile'>> = {};
    const atDecisions: Record<string, number> = {};
    const scoreEveryRow: Record<string, number> = {};
    for (const [name, cost] of Object.entries(nab.profiles)) {
      const { perFile: files, ...rest } = nabProfileScore(scored, cost);
      const key = nabScoreKeys[name] ?? `nab.${name}`;
      summary[key as `nab.${string}`] = rest.normalised;
      profiles[name] = rest;
      atDecisions[key] = nabProfileScore(decided, cost).normalised;
      scoreEveryRow[key] = nabProfileScore(everyRow, cost).normalised;
      rollingZ[key] = nabProfileScore(rolled, cost).normalised;
      for (const [f, s] of Object.entries(files)) {
        const entry = perFile[f];
        if (entry !== undefined) (entry.nab ??= {})[key] = s.score;
      }
    }
    summary.nab = { profiles, atDecisions, scoreEveryRow, rollingZ };
  }
  return summary;
}
