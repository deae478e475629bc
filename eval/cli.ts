// `sensorwatch eval`: backtest on historical CSV or NAB data, or (--what-if)
// re-decide an earlier backtest's scored history with other settings.
// This file wires the edges: flags, config, files, backend, progress.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultConfig } from '../common/config/defaults.ts';
import { loadCommandLineConfig } from '../common/config/command-line.ts';
import { parseConfigText } from '../common/config/load.ts';
import { resetUnreadKeys } from '../common/config/method-keys.ts';
import type { Config } from '../common/config/types.ts';
import { SensorwatchError } from '../common/errors.ts';
import { createLogger } from '../common/log.ts';
import { initBackend } from '../common/model/backend.ts';
import { openLevel } from '../common/decision/decide.ts';
import { parseEvalArgs, type EvalOptions } from './args.ts';
import { backtestSeries, type SeriesResult } from './backtest.ts';
import { labelColumnWarnings, readCsvSeries } from './csv.ts';
import { readNabCorpus, readNabProfiles, type NabSeries } from './nab-data.ts';
import { nabScoreKeys } from './nab-score.ts';
import { createProgress } from './progress.ts';
import { reportMarkdown } from './report.ts';
import type { Series } from './series.ts';
import { trainRowCount } from './split.ts';
import { parseVerdictsFile } from './verdicts.ts';
import { summarise, type Summary } from './summary.ts';
import { checkWhatIfSections, deepMerge, globalThresholdsChanged, parseHistory, reDecide, whatIfTable } from './what-if.ts';
import { outputPaths, writeJson, writeSeriesOutputs, writeText } from './write.ts';

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write((await import('./args.ts')).evalUsage);
    return 0;
  }
  let options: EvalOptions;
  try {
    options = parseEvalArgs(argv);
  } catch (err) {
    process.stderr.write(`sensorwatch eval: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    return options.mode === 'what-if' ? whatIf(options) : await backtest(options);
  } catch (err) {
    if (err instanceof SensorwatchError) {
      process.stderr.write(`sensorwatch eval: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function backtest(options: EvalOptions): Promise<number> {
  const { config } = loadCommandLineConfig({ file: options.configFile, overrides: options.overrides });
  const log = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, fields: { component: 'eval' } });
  const backend = await initBackend(config.trainer.backend, log);
  const series: Series[] =
    options.format === 'nab'
      ? readNabCorpus(options.data, options.only)
      : readCsvSeries(options.data, { sep: options.sep, timeCol: options.timeCol, labelCol: options.labelCol, ignoreCols: options.ignoreCols }).filter(
          (s) => options.only.length === 0 || options.only.some((o) => s.name.includes(o)),
        );
  if (options.format === 'csv') for (const w of labelColumnWarnings(series, options.labelCol)) process.stderr.write(`sensorwatch eval: warning: ${w}\n`);
  const trainOn = options.trainData === undefined ? undefined : readTrainData(options);
  const detector = options.detector ?? `sensorwatch-${config.model.kind}`;
  const verdicts = options.verdicts === undefined ? undefined : parseVerdictsFile(readFileSync(options.verdicts, 'utf8'), options.verdicts);
  const unknownSeries = [...new Set((verdicts ?? []).map((v) => v.series))].filter((name) => !series.some((s) => s.name === name));
  if (unknownSeries.length > 0) throw new SensorwatchError(`--verdicts ${options.verdicts}: no series named ${unknownSeries.map((n) => `'${n}'`).join(', ')} (names as in series/: ${series.slice(0, 3).map((s) => s.name).join(', ')}…)`, { code: 'eval_bad_input' });
  const progress = createProgress({ total: series.length });
  const results: SeriesResult[] = [];
  const failed: Record<string, string> = {};
  const started = Date.now();
  for (const s of series) {
    try {
      const trainRows = trainOn === undefined ? trainRowCount(s.timestamps, options.split, s.name) : 0;
      const r = await backtestSeries({
        series: s,
        trainRows,
        config,
        backend: backend.name,
        trainHop: options.trainHop,
        spacing: options.spacing,
        retrainEvery: options.retrainEvery,
        lookback: options.lookback,
        ...(trainOn === undefined ? {} : { trainOn }),
        ...(verdicts === undefined ? {} : { verdicts: verdicts.filter((v) => v.series === s.name) }),
      });
      writeSeriesOutputs(options.out, s, r, { nabDetector: options.format === 'nab' ? detector : null, plots: options.plots, openScore: openLevel(config.scorer.severities) });
      results.push({ ...r, windows: [] }); // the history is on disk now; keep memory flat
    } catch (err) {
      // One bad file does not sink the run: it is reported in metrics.json and the exit code.
      failed[s.name] = (err as Error).message;
      log.error('file failed', { file: s.name, err });
    }
    progress.tick(s.name);
  }
  progress.done();

  const nab =
    options.format === 'nab'
      ? { profiles: readNabProfiles(options.data), windows: Object.fromEntries((series as NabSeries[]).map((s) => [s.name, s.windows])) }
      : undefined;
  const summary = summarise(results, nab);
  const runInfo = {
    command: ['sensorwatch', 'eval', ...process.argv.slice(3)].join(' '),
    format: options.format,
    data: options.data,
    split: options.split,
    trainHop: options.trainHop,
    scoringHop: 1,
    spacing: options.spacing,
    retrainEvery: options.retrainEvery,
    lookback: options.lookback,
    detector,
    // Figures with operators' verdicts replayed are not the detector's own: say so wherever they go.
    verdicts: options.verdicts === undefined ? null : { file: options.verdicts, given: verdicts?.length ?? 0, applied: sum(results, (r) => r.verdicts?.applied ?? 0), resolved: sum(results, (r) => r.verdicts?.resolved ?? 0) },
    backend: backend.name,
    seconds: (Date.now() - started) / 1000,
    config,
  };
  writeJson(outputPaths.metrics(options.out), { ...summary, failed, run: { ...runInfo, config: undefined } });
  writeJson(outputPaths.run(options.out), runInfo);
  writeText(outputPaths.report(options.out), reportMarkdown(summary, `sensorwatch eval: ${detector} on ${options.data}${options.verdicts === undefined ? '' : ` WITH operators' verdicts replayed from ${options.verdicts} (${runInfo.verdicts?.applied ?? 0} applied, ${runInfo.verdicts?.resolved ?? 0} alerts resolved by them): not the no-verdict figures`}`));
  if (nab !== undefined) writeNabScoreTables(options.out, detector, summary);
  process.stdout.write(headline(summary, failed, options.out));
  return Object.keys(failed).length === 0 ? 0 : 1;
}

/** The --train-data file, read like the --data files; it must have their channels. */
function readTrainData(options: EvalOptions): Series {
  const [train] = readCsvSeries(options.trainData as string, { sep: options.sep, timeCol: options.timeCol, labelCol: null, ignoreCols: [...options.ignoreCols, ...(options.labelCol === null ? [] : [options.labelCol])] });
  if (train === undefined) throw new SensorwatchError(`--train-data ${options.trainData}: no CSV file there`, { code: 'eval_bad_input' });
  return train;
}

/** NAB's per-profile score tables: one row per file at the corpus-optimised threshold, then the total. */
function writeNabScoreTables(out: string, detector: string, summary: Summary): void {
  for (const [profile, p] of Object.entries(summary.nab?.profiles ?? {})) {
    const key = nabScoreKeys[profile] ?? `nab.${profile}`;
    const lines = ['Detector,Profile,File,Threshold,Score'];
    for (const [file, f] of Object.entries(summary.perFile)) lines.push(`${detector},${profile},${file},${p.threshold},${f.nab?.[key] ?? ''}`);
    lines.push(`${detector},${profile},Totals,${p.threshold},${p.raw}`);
    writeText(join(out, 'nab', detector, `${detector}_${profile}_scores.csv`), `${lines.join('\n')}\n`);
  }
}

function headline(s: Summary, failed: Record<string, string>, out: string): string {
  const f = (v: number | null | undefined, d = 3): string => (v === null || v === undefined ? '–' : v.toFixed(d));
  const parts = [`files ${s.files}`, `rows ${s.rowsScored}`, `precision ${f(s.precision)}`, `recall ${f(s.recall)}`, `f1 ${f(s.f1)}`, `far ${f(s.far, 2)}%`, `mar ${f(s.mar, 2)}%`, `event recall ${f(s.eventRecall)}`];
  for (const [k, v] of Object.entries(s)) if (k.startsWith('nab.') && typeof v === 'number') parts.push(`${k} ${v.toFixed(1)}`);
  const models = modelNote(s);
  const failures = Object.keys(failed).length === 0 ? '' : `\nFAILED ${Object.keys(failed).length} file(s): ${Object.entries(failed).map(([k, v]) => `${k}: ${v}`).join('; ')}`;
  return `${parts.join('  ')}${models}\nwritten to ${out} (metrics.json, report.md, series/, plots/)${failures}\n`;
}

/** Files whose training rows held fewer than trainer.minWindows windows (as in the service: the first model came later, or never). */
function modelNote(s: Summary): string {
  const files = Object.entries(s.perFile);
  const late = files.filter(([, f]) => f.model.firstModelRow !== null && f.model.firstModelRow > f.trainRows).map(([k]) => k);
  const none = files.filter(([, f]) => f.model.models === 0).map(([k]) => k);
  const lines: string[] = [];
  if (late.length > 0) lines.push(`${late.length} file(s) with fewer than trainer.minWindows training windows: the first model trained on scored rows too (as the service does): ${late.join(', ')}`);
  if (none.length > 0) lines.push(`${none.length} file(s) never had trainer.minWindows windows: no model, no scores: ${none.join(', ')}`);
  return lines.map((l) => `\n${l}`).join('');
}

function listJson(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? listJson(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []));
}

function whatIf(options: EvalOptions): number {
  const file = options.whatIf as string;
  const runPath = outputPaths.run(options.out);
  let runText: string;
  try {
    runText = readFileSync(runPath, 'utf8');
  } catch {
    throw new SensorwatchError(`${runPath}: not found; --what-if needs --out pointing at an earlier 'sensorwatch eval' output`, { code: 'eval_bad_input' });
  }
  const before = (JSON.parse(runText) as { config: Config }).config;
  const raw = checkWhatIfSections(parseYaml(readFileSync(file, 'utf8')), file);
  const merged = deepMerge(before, raw) as { thresholds: Record<string, unknown> };
  const edit = raw.thresholds;
  merged.thresholds = resetUnreadKeys(merged.thresholds, typeof edit === 'object' && edit !== null ? (edit as Record<string, unknown>) : {}, defaultConfig);
  const after = parseConfigText(JSON.stringify(merged), file);
  const recalibrate = globalThresholdsChanged(before.thresholds, after.thresholds);
  const historyDir = join(options.out, 'history');
  const rows = listJson(historyDir).map((p) => {
    const h = parseHistory(readFileSync(p, 'utf8'), relative(options.out, p));
    return { sensor: h.sensorId, before: reDecide(h, before), after: reDecide(h, after, { recalibrate }) };
  });
  process.stdout.write(whatIfTable(rows));
  writeJson(join(options.out, 'what-if.json'), { settings: file, sensors: rows });
  return 0;
}

const sum = <T>(items: readonly T[], of: (item: T) => number): number => items.reduce((n, item) => n + of(item), 0);
