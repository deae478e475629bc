// Generic CSV input: a file or a directory of files, each an independent
// series. One time column, an optional 0/1 label column, ignored columns;
// every other column whose cells are all numbers (or empty) is a channel.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SensorwatchError } from '../common/errors.ts';
import type { Series } from './series.ts';
import { parseTime } from './time.ts';

export interface CsvOptions {
  sep: string;
  /** Name of the time column; null: rows are numbered 0, 1, 2 …; 'auto': 'timestamp' if the header has it, else null. */
  timeCol: string | null;
  labelCol: string | null;
  ignoreCols: string[];
}

/** Split one line on `sep`, honouring double-quoted fields ("a;b" and "" escapes). */
export function splitLine(line: string, sep: string): string[] {
  if (!line.includes('"')) return line.split(sep);
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (line.startsWith(sep, i)) {
      out.push(cur);
      cur = '';
      i += sep.length - 1;
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function fail(message: string, file: string, line?: number): never {
  const where = line === undefined ? file : `${file}:${line}`;
  throw new SensorwatchError(`${where}: ${message}`, { code: 'eval_bad_input', details: { file, line } });
}

/** Parse one CSV text into a Series (pure: the caller reads the file). */
export function parseCsv(text: string, name: string, options: CsvOptions): Series {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const headerLine = lines[0];
  if (headerLine === undefined) fail('empty file (no header line)', name);
  const header = splitLine(headerLine, options.sep).map((h) => h.trim());
  const indexOf = (col: string | null, what: string): number => {
    if (col === null) return -1;
    const i = header.indexOf(col);
    if (i < 0) fail(`${what} column '${col}' not in header [${header.join(', ')}]; check --sep ('${options.sep}') and ${what === 'time' ? '--time-col' : '--label-col'}`, name, 1);
    return i;
  };
  const timeCol = options.timeCol === 'auto' ? (header.includes('timestamp') ? 'timestamp' : null) : options.timeCol;
  const timeIdx = indexOf(timeCol, 'time');
  const labelIdx = indexOf(options.labelCol, 'label');
  const rows = lines.slice(1).map((l) => splitLine(l, options.sep).map((c) => c.trim()));
  rows.forEach((r, i) => {
    if (r.length !== header.length) fail(`expected ${header.length} fields, found ${r.length}`, name, i + 2);
  });
  const skip = new Set([timeIdx, labelIdx, ...options.ignoreCols.map((c) => header.indexOf(c))]);
  const channelIdx = header
    .map((_, i) => i)
    .filter((i) => !skip.has(i))
    .filter((i) => rows.some((r) => r[i] !== '') && rows.every((r) => r[i] === '' || Number.isFinite(Number(r[i]))));
  if (channelIdx.length === 0) fail(`no numeric channel column (columns: ${header.join(', ')}; ignored: ${options.ignoreCols.join(', ') || 'none'})`, name, 1);

  const timestamps: number[] = [];
  const timeText: string[] = [];
  const values: number[] = [];
  const labels = labelIdx >= 0 ? new Uint8Array(rows.length) : null;
  const last = channelIdx.map(() => Number.NaN);
  let filledCells = 0;
  let outOfOrderRows = 0;
  rows.forEach((r, row) => {
    const line = row + 2;
    const tText = timeIdx >= 0 ? (r[timeIdx] as string) : String(row);
    const t = timeIdx >= 0 ? parseTime(tText) : row;
    if (!Number.isFinite(t)) fail(`time '${tText}' is not an ISO time or epoch number`, name, line);
    // A row earlier than its predecessor is kept (one output row per input row);
    // the windower treats it as a stream would: late, duplicate or conflicting.
    const prev = timestamps[timestamps.length - 1];
    if (prev !== undefined && t < prev) outOfOrderRows++;
    timestamps.push(t);
    timeText.push(tText);
    channelIdx.forEach((c, k) => {
      const cell = r[c] as string;
      if (cell === '') {
        // Carried forward like the streaming windower's gap fill; counted in metrics.json.
        if (Number.isNaN(last[k])) fail(`empty value in channel '${header[c]}' before any value to carry forward`, name, line);
        filledCells++;
      } else last[k] = Number(cell);
      values.push(last[k] as number);
    });
    if (labels !== null) {
      const l = parseLabel(r[labelIdx] ?? '');
      if (l === null) fail(`label '${r[labelIdx]}' must be 0 or 1 (also written 0.0/1.0 or false/true)`, name, line);
      labels[row] = l;
    }
  });
  return { name, timestamps, timeText, channels: channelIdx.map((i) => header[i] as string), values, labels, filledCells, outOfOrderRows };
}

/** Column names that usually hold a label (case-insensitive): read as a channel without --label-col, they would feed the answer to the model. */
export const labelLikeNames = ['label', 'labels', 'anomaly', 'is_anomaly', 'target', 'class', 'attack'] as const;

/**
 * Pure: one warning per series whose channels include a column named like a label while no
 * label column was given (--label-col), naming the file, the column and both ways out.
 */
export function labelColumnWarnings(series: readonly Pick<Series, 'name' | 'channels'>[], labelCol: string | null): string[] {
  if (labelCol !== null) return [];
  return series.flatMap((s) => {
    const suspects = s.channels.filter((c) => (labelLikeNames as readonly string[]).includes(c.trim().toLowerCase()));
    if (suspects.length === 0) return [];
    const names = suspects.map((c) => `'${c}'`).join(', ');
    const first = suspects[0] as string;
    return [
      `${s.name}: column ${names} looks like a label but is read as a channel (the model would see the answer), because --label-col is not set; ` +
        `pass --label-col ${first} to score against it, or --ignore-cols ${suspects.join(',')} to leave it out`,
    ];
  });
}

/** A 0/1 label as CSV files write it: 0, 1, 0.0, 1.0, false, true (any case, surrounding blanks); null otherwise. */
export function parseLabel(cell: string): 0 | 1 | null {
  const t = cell.trim().toLowerCase();
  if (t === 'true') return 1;
  if (t === 'false') return 0;
  if (!/^[01](\.0*)?$/.test(t)) return null;
  return t.startsWith('1') ? 1 : 0;
}

/** The .csv files at `path` (itself, or every file under it, sorted), as paths relative to the root. */
export function listCsvFiles(path: string): { root: string; files: string[] } {
  if (statSync(path).isFile()) return { root: join(path, '..'), files: [relative(join(path, '..'), path)] };
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.csv') ? [join(dir, e.name)] : []));
  const files = walk(path).map((f) => relative(path, f));
  if (files.length === 0) fail('no .csv files found', path);
  return { root: path, files };
}

export function readCsvSeries(path: string, options: CsvOptions): Series[] {
  const { root, files } = listCsvFiles(path);
  return files.map((f) => parseCsv(readFileSync(join(root, f), 'utf8'), f, options));
}
