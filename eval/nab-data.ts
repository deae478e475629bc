// The Numenta Anomaly Benchmark layout: data/<category>/<file>.csv with
// `timestamp,value`, labels/combined_windows.json (anomaly windows by time)
// and config/profiles.json (cost matrices). Only the files under --data are read.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SensorwatchError } from '../common/errors.ts';
import { listCsvFiles, parseCsv } from './csv.ts';
import type { CostMatrix } from './nab-score.ts';
import type { Series } from './series.ts';
import { parseTime } from './time.ts';

/** NAB's published application profiles (config/profiles.json), used when the tree has none. */
export const nabProfiles: Record<string, CostMatrix> = {
  standard: { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 },
  reward_low_FP_rate: { tpWeight: 1, fnWeight: 1, fpWeight: 0.22 },
  reward_low_FN_rate: { tpWeight: 1, fnWeight: 2, fpWeight: 0.11 },
};

export interface NabSeries extends Series {
  /** Anomaly windows as inclusive row-index ranges. */
  windows: Array<[number, number]>;
}

/**
 * Map windows given by time to row ranges: first row at or after the start,
 * last row at or before the end (NAB's windows start and end on rows).
 */
export function windowsToRows(timestamps: number[], windows: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [start, end] of windows) {
    const a = timestamps.findIndex((t) => t >= start);
    if (a < 0) continue;
    let b = a;
    while (b + 1 < timestamps.length && (timestamps[b + 1] as number) <= end) b++;
    if ((timestamps[a] as number) > end) continue;
    out.push([a, b]);
  }
  return out;
}

export function parseWindowsJson(text: string, where: string): Record<string, Array<[number, number]>> {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const out: Record<string, Array<[number, number]>> = {};
  for (const [file, list] of Object.entries(raw)) {
    if (!Array.isArray(list)) throw new SensorwatchError(`${where}: windows of '${file}' are not a list`, { code: 'eval_bad_input' });
    out[file] = list.map((w: unknown) => {
      const pair = w as [string, string];
      const a = parseTime(String(pair[0]));
      const b = parseTime(String(pair[1]));
      if (!Number.isFinite(a) || !Number.isFinite(b)) throw new SensorwatchError(`${where}: bad window ${JSON.stringify(w)} for '${file}'`, { code: 'eval_bad_input' });
      return [a, b] as [number, number];
    });
  }
  return out;
}

export function readNabProfiles(root: string): Record<string, CostMatrix> {
  const p = join(root, 'config', 'profiles.json');
  if (!existsSync(p)) return nabProfiles;
  const raw = JSON.parse(readFileSync(p, 'utf8')) as Record<string, { CostMatrix: CostMatrix }>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, { tpWeight: v.CostMatrix.tpWeight, fnWeight: v.CostMatrix.fnWeight, fpWeight: v.CostMatrix.fpWeight }]));
}

/** Every series of a NAB tree with its label windows; `only` filters by substring of the name. */
export function readNabCorpus(root: string, only: string[] = []): NabSeries[] {
  const labelsPath = join(root, 'labels', 'combined_windows.json');
  if (!existsSync(labelsPath)) throw new SensorwatchError(`${labelsPath}: not found; --format nab expects a NAB tree (data/, labels/combined_windows.json)`, { code: 'eval_bad_input' });
  const windows = parseWindowsJson(readFileSync(labelsPath, 'utf8'), labelsPath);
  const { files } = listCsvFiles(join(root, 'data'));
  return files
    .filter((f) => only.length === 0 || only.some((s) => f.includes(s)))
    .map((f) => {
      const series = parseCsv(readFileSync(join(root, 'data', f), 'utf8'), f, { sep: ',', timeCol: 'timestamp', labelCol: null, ignoreCols: [] });
      const fileWindows = windows[f];
      if (fileWindows === undefined) throw new SensorwatchError(`${labelsPath}: no entry for '${f}'`, { code: 'eval_bad_input' });
      const rows = windowsToRows(series.timestamps, fileWindows);
      const labels = new Uint8Array(series.timestamps.length);
      for (const [a, b] of rows) labels.fill(1, a, b + 1);
      return { ...series, labels, windows: rows };
    });
}
