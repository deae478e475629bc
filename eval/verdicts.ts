// `eval --verdicts FILE`: operators' verdicts replayed in a backtest, so their
// effect can be measured (figures with verdicts are reported apart: the run's
// metrics.json and report.md say so). The file is JSON Lines, one verdict a line:
//
//   {"series": "<series name as in series/>", "at": "2014-02-19T10:00:00", "verdict": "new-normal"}
//   {"series": "...", "at": "...", "verdict": "confirmed", "from": "...", "to": "...", "note": "..."}
//
// `at` (required) is when the operator gives it, in the series' event time: the
// verdict applies before the first window ending after it. Without from/to it
// judges the anomaly alert open at `at` (none open: it does nothing but count);
// with them, every anomaly alert of the series so far that overlaps [from, to],
// and the range itself for training. Times: ISO (a missing zone is UTC) or epoch
// s/ms, as in the data. The decision and the training selection are the
// service's own (common/decision/verdict.ts, common/training/verdicts.ts).
import { SensorwatchError } from '../common/errors.ts';
import { verdictKinds, type AlertVerdict, type AnomalyAlert, type VerdictKind } from '../common/types.ts';
import { parseTime } from './time.ts';

export interface EvalVerdict {
  series: string;
  at: number;
  verdict: VerdictKind;
  from: number | null;
  to: number | null;
  note: string | null;
  /** 1-based line in the file: its position (partition 0, offset = line). */
  line: number;
}

export function parseVerdictsFile(text: string, source: string): EvalVerdict[] {
  const out: EvalVerdict[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || raw.trim().startsWith('#')) return;
    const where = `${source}:${line}`;
    let o: unknown;
    try {
      o = JSON.parse(raw);
    } catch (err) {
      problems.push(`${where}: not JSON (${(err as Error).message})`);
      return;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      problems.push(`${where}: expected an object {series, at, verdict[, from, to, note]}`);
      return;
    }
    const r = o as Record<string, unknown>;
    const time = (key: string, required: boolean): number | null => {
      const v = r[key];
      if (v === undefined || v === null) {
        if (required) problems.push(`${where}: '${key}' is required (ISO time or epoch number)`);
        return null;
      }
      const t = typeof v === 'number' ? parseTime(String(v)) : typeof v === 'string' ? parseTime(v) : Number.NaN;
      if (!Number.isFinite(t)) problems.push(`${where}: '${key}' must be an ISO time or epoch number, got ${JSON.stringify(v)}`);
      return t;
    };
    const series = r['series'];
    if (typeof series !== 'string' || series === '') problems.push(`${where}: 'series' must name a series (its name in series/)`);
    const verdict = verdictKinds.find((k) => k === (typeof r['verdict'] === 'string' ? r['verdict'].replace(/-/g, '_') : ''));
    if (verdict === undefined) problems.push(`${where}: 'verdict' must be false-positive, new-normal or confirmed, got ${JSON.stringify(r['verdict'])}`);
    const at = time('at', true);
    const from = time('from', false);
    const to = time('to', false);
    if ((from === null) !== (to === null)) problems.push(`${where}: give both 'from' and 'to', or neither (the alert open at 'at')`);
    if (from !== null && to !== null && to < from) problems.push(`${where}: 'to' is before 'from'`);
    const note = typeof r['note'] === 'string' ? r['note'] : null;
    if (typeof series === 'string' && verdict !== undefined && at !== null) out.push({ series, at, verdict, from, to, note, line });
  });
  if (problems.length > 0) throw new SensorwatchError(`--verdicts ${source}: ${problems.length} bad line(s):\n  ${problems.join('\n  ')}`, { code: 'eval_bad_input' });
  return out;
}

/**
 * The AlertVerdict a replayed verdict stands for, given the alerts so far and the anomaly alert open now
 * (times in event time): without a range, the open alert (from its opening); with one, the alerts overlapping it.
 */
export function verdictRecord(v: EvalVerdict, alerts: readonly AnomalyAlert[], open: string | null): AlertVerdict {
  const base = { verdictId: `line-${v.line}`, sensorId: v.series, verdict: v.verdict, note: v.note, markedAt: v.at };
  const spans = new Map<string, { from: number; to: number }>();
  for (const a of alerts) {
    if (a.kind !== 'anomaly') continue;
    const s = spans.get(a.alertId) ?? { from: a.windowStart, to: Number.POSITIVE_INFINITY };
    if (a.state === 'resolve') s.to = a.windowEnd;
    spans.set(a.alertId, s);
  }
  if (v.from === null || v.to === null) {
    const span = open === null ? undefined : spans.get(open);
    return { ...base, alertIds: open === null ? [] : [open], from: span?.from ?? v.at, to: open === null ? v.at : null };
  }
  const { from, to } = v;
  const alertIds = [...spans].filter(([, s]) => s.from <= to && s.to >= from).map(([id]) => id);
  return { ...base, alertIds, from, to };
}
