// The backtest protocol's train/score split: the first rows of each file
// train the model (and calibrate its threshold); the rest is scored.
import { SensorwatchError } from '../common/errors.ts';
import { probationaryLength } from './nab-score.ts';

export type Split =
  | { kind: 'rows'; rows: number }
  | { kind: 'fraction'; fraction: number }
  | { kind: 'until'; time: number }
  /** NAB's probationary period: min(⌊0.15·n⌋, 750) rows, which NAB does not score. */
  | { kind: 'nab' };

/** How many leading rows train, for a file of `timestamps.length` rows. */
export function trainRowCount(timestamps: readonly number[], split: Split, where: string): number {
  const n = timestamps.length;
  let rows: number;
  switch (split.kind) {
    case 'rows':
      rows = split.rows;
      break;
    case 'fraction':
      rows = Math.floor(split.fraction * n);
      break;
    case 'until': {
      const i = timestamps.findIndex((t) => t > split.time);
      rows = i < 0 ? n : i;
      break;
    }
    case 'nab':
      rows = probationaryLength(n);
      break;
  }
  if (rows < 1 || rows >= n) {
    throw new SensorwatchError(`${where}: the split leaves ${rows} training and ${n - rows} scored rows of ${n}; both must be at least 1 (adjust --train-rows, --train-fraction or --train-until)`, {
      code: 'eval_bad_split',
      details: { file: where, rows, total: n },
    });
  }
  return rows;
}
