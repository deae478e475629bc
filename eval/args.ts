// `sensorwatch eval` flags → options. Pure: argv in, options (or a usage error) out.
import { modelKinds, thresholdMethods } from '../common/config/enums.ts';
import { configOverrides, enumFlag, FlagError, listFlag, numberFlag, parseFlags, positiveInt } from '../common/config/flags.ts';
import { SensorwatchError } from '../common/errors.ts';
import type { Split } from './split.ts';
import { parseTime } from './time.ts';

export const evalUsage = `usage:
  sensorwatch eval --data PATH --out DIR [options]          backtest and write outputs to DIR
  sensorwatch eval --what-if FILE --out DIR                  re-decide DIR's scored history with FILE's settings

input:
  --format csv|nab        csv (default): a file or a directory of files, each an independent series
                          nab: a NAB tree (data/, labels/combined_windows.json, config/profiles.json)
  --data PATH             the file or directory
  --sep S                 csv field separator (default ,)
  --time-col NAME         time column: ISO time or epoch s/ms (default: 'timestamp' if present, else row numbers)
  --label-col NAME        0/1 label per row (optional)
  --ignore-cols a,b       columns that are neither time, label nor channel
  --only a,b              only files whose path contains one of these
protocol (one of; default --train-fraction 0.2, with --format nab NAB's probationary period):
  --train-rows N          the first N rows of each file train, the rest is scored
  --train-fraction F      the first F of each file's rows train
  --train-until TIME      rows at or before TIME train
  --train-data FILE       train on FILE (same columns) and score every row of every --data file
model and decision (override --config FILE, which is a sensorwatch config YAML):
  --config FILE           model, windowing.length, thresholds, scorer.hysteresis/perSensor, …
  --kind ${modelKinds.join('|')}
  --window N              samples per window (windowing.length)
  --train-hop N           stride between training windows (default 1); scoring always uses every window (hop 1)
  --spacing time|rows     time (csv default): rows placed by event time, gaps filled/reset as in the service;
                          rows (nab default): consecutive rows are consecutive samples, whatever their times
  --retrain-every N       replay the trainer: retrain() every N scored rows, its minimum and quality gate
                          included (default 0: train once)
  --lookback N            rows of history each retraining sees (default 1000)
  --verdicts FILE         replay operators' verdicts (JSON Lines: series, at, verdict[, from, to, note]; see
                          docs/operate.md); the figures are of a run with verdicts: compare with a run without
  --epochs N              model.training.epochs
  --threshold-method ${thresholdMethods.join('|')}
  --quantile Q  --multiplier M  --k K  --pot-risk R  --threshold-value V
output:
  --out DIR               series/<file>.csv, plots/<file>.html, history/, metrics.json, report.md[, nab/]
  --no-plots              skip the per-file HTML plots
  --detector NAME         name of the NAB result folder (default sensorwatch-<kind>)
`;

export const evalFormats = ['csv', 'nab'] as const;
export type EvalFormat = (typeof evalFormats)[number];
export const spacings = ['time', 'rows'] as const;
export type Spacing = (typeof spacings)[number];

export interface EvalOptions {
  mode: 'backtest' | 'what-if';
  format: EvalFormat;
  data: string;
  out: string;
  sep: string;
  timeCol: string | null | 'auto';
  labelCol: string | null;
  ignoreCols: string[];
  only: string[];
  split: Split;
  /** --train-data FILE: the first model trains on this file and every row of --data is scored. */
  trainData: string | undefined;
  configFile: string | undefined;
  /** Config overrides from flags, as a partial config object. */
  overrides: Record<string, unknown>;
  trainHop: number;
  spacing: Spacing;
  retrainEvery: number;
  lookback: number;
  plots: boolean;
  detector: string | undefined;
  /** --verdicts FILE: operators' verdicts replayed (eval/verdicts.ts). */
  verdicts: string | undefined;
  whatIf: string | undefined;
}

function usageError(message: string): never {
  throw new SensorwatchError(`${message}\n\n${evalUsage}`, { code: 'usage' });
}

function number(flag: string, text: string | undefined, check: (n: number) => boolean, want: string): number | undefined {
  return flagged(() => numberFlag(flag, text, check, want));
}

/** A flag error (common/config/flags.ts) becomes eval's usage error: the message, then the usage. */
function flagged<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof FlagError) usageError(err.message);
    throw err;
  }
}

export function parseEvalArgs(argv: string[]): EvalOptions {
  const v = flagged(() =>
    parseFlags(argv, {
      format: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      sep: { type: 'string' },
      'time-col': { type: 'string' },
      'label-col': { type: 'string' },
      'ignore-cols': { type: 'string' },
      only: { type: 'string' },
      'train-rows': { type: 'string' },
      'train-fraction': { type: 'string' },
      'train-until': { type: 'string' },
      'train-data': { type: 'string' },
      config: { type: 'string' },
      kind: { type: 'string' },
      window: { type: 'string' },
      'train-hop': { type: 'string' },
      spacing: { type: 'string' },
      'retrain-every': { type: 'string' },
      lookback: { type: 'string' },
      epochs: { type: 'string' },
      'threshold-method': { type: 'string' },
      quantile: { type: 'string' },
      multiplier: { type: 'string' },
      k: { type: 'string' },
      'pot-risk': { type: 'string' },
      'threshold-value': { type: 'string' },
      'no-plots': { type: 'boolean' },
      detector: { type: 'string' },
      'what-if': { type: 'string' },
      verdicts: { type: 'string' },
    }),
  );
  if (v.out === undefined) usageError('--out DIR is required');
  const whatIf = v['what-if'];
  const format = flagged(() => enumFlag('format', v.format, evalFormats)) ?? 'csv';
  if (whatIf === undefined && v.data === undefined) usageError('--data PATH is required');

  const splits = (['train-rows', 'train-fraction', 'train-until', 'train-data'] as const).filter((f) => v[f] !== undefined);
  if (splits.length > 1) usageError(`give one of --train-rows, --train-fraction, --train-until, --train-data (got ${splits.map((s) => `--${s}`).join(' and ')})`);
  let split: Split = format === 'nab' ? { kind: 'nab' } : { kind: 'fraction', fraction: 0.2 };
  if (v['train-data'] !== undefined && format !== 'csv') usageError('--train-data goes with --format csv');
  const rows = number('train-rows', v['train-rows'], positiveInt, 'a positive integer');
  const fraction = number('train-fraction', v['train-fraction'], (n) => n > 0 && n < 1, 'between 0 and 1 (exclusive)');
  if (rows !== undefined) split = { kind: 'rows', rows };
  if (fraction !== undefined) split = { kind: 'fraction', fraction };
  if (v['train-until'] !== undefined) {
    const time = parseTime(v['train-until']);
    if (!Number.isFinite(time)) usageError(`--train-until must be an ISO time or epoch number, got '${v['train-until']}'`);
    split = { kind: 'until', time };
  }

  const kind = flagged(() => enumFlag('kind', v.kind, modelKinds));
  const method = flagged(() => enumFlag('threshold-method', v['threshold-method'], thresholdMethods));
  const positive = (n: number): boolean => n > 0;
  const window = number('window', v.window, positiveInt, 'a positive integer');
  const epochs = number('epochs', v.epochs, positiveInt, 'a positive integer');
  const fraction01 = (n: number): boolean => n > 0 && n < 1;
  const overrides = configOverrides({
    'model.kind': kind,
    'model.training.epochs': epochs,
    'windowing.length': window,
    // Eval scores every window (hop 1) and ignores windowing.hop; it is set only so
    // the config stays valid (the streaming rule: hop <= length).
    'windowing.hop': window === undefined ? undefined : Math.max(1, Math.floor(window / 4)),
    'thresholds.method': method,
    'thresholds.quantile': number('quantile', v.quantile, fraction01, 'between 0 and 1'),
    'thresholds.multiplier': number('multiplier', v.multiplier, positive, 'positive'),
    'thresholds.k': number('k', v.k, positive, 'positive'),
    'thresholds.potRisk': number('pot-risk', v['pot-risk'], fraction01, 'between 0 and 1'),
    'thresholds.value': number('threshold-value', v['threshold-value'], positive, 'positive'),
  });

  const timeCol = v['time-col'];
  const spacing = flagged(() => enumFlag('spacing', v.spacing, spacings)) ?? (format === 'nab' ? 'rows' : 'time');
  return {
    mode: whatIf === undefined ? 'backtest' : 'what-if',
    format,
    data: v.data ?? '',
    out: v.out,
    sep: v.sep ?? ',',
    timeCol: timeCol === undefined ? 'auto' : timeCol,
    labelCol: v['label-col'] ?? null,
    ignoreCols: listFlag(v['ignore-cols']),
    only: listFlag(v.only),
    split,
    trainData: v['train-data'],
    configFile: v.config,
    overrides,
    trainHop: number('train-hop', v['train-hop'], positiveInt, 'a positive integer') ?? 1,
    spacing,
    retrainEvery: number('retrain-every', v['retrain-every'], (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0') ?? 0,
    lookback: number('lookback', v.lookback, positiveInt, 'a positive integer') ?? 1000,
    plots: v['no-plots'] !== true,
    detector: v.detector,
    whatIf,
    verdicts: v.verdicts,
  };
}
