// `sensorwatch train`: one training run (--once), on simulator data without
// Kafka (--synthetic) or on the windows topic; without --once, the scheduled
// trainer service with its own /metrics and /healthz (a key's first model as
// soon as trainer.minWindows windows exist; SIGHUP re-reads the config file).
import { parseArgs } from 'node:util';
import { Registry } from '../common/service/metrics-registry.ts';
import type { BackendChoice, Config, ModelKind } from '../common/config/types.ts';
import type { Logger } from '../common/log.ts';
import { serialiseArtifact } from '../common/model/artifact.ts';
import { initBackend } from '../common/model/backend.ts';
import { defaultModelKey } from '../common/model/keys.ts';
import { createModelCache } from '../common/model/store/cache.ts';
import { trainModel } from '../common/model/train.ts';
import { configFileOf, loadCliConfig, reportCliError, resolveBrokers } from '../common/service/edge.ts';
import { serveUntilSignal } from '../common/service/serve.ts';
import { progressPrinter } from './progress.ts';
import { reportOf, type TrainReport } from './report.ts';
import { startTrainer } from './service.ts';
import { syntheticTrainingWindows } from './synthetic.ts';

const kinds: readonly ModelKind[] = ['dense', 'dae', 'sae', 'conv'];
const backends: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

const usage = `usage: sensorwatch train [--once] [--synthetic] [--kind dense|dae|sae|conv] [--json]
                       [--backend auto|tensorflow|wasm|cpu] [--config FILE] [--brokers LIST]
                       [--epochs N] [--seconds N] [--metrics-port N] [--quiet]

  --once        train every model key once, then exit (default: run on trainer.schedule, and
                train a model key's first model as soon as trainer.minWindows windows exist;
                SIGHUP re-reads the config file)
  --synthetic   with --once: train on simulator data (--seconds of it, default 300) without Kafka;
                the model is saved to trainer.modelDir
  --kind        model kind (overrides model.kind)
  --json        print one JSON object per trained model key on stdout
  --backend     force a TensorFlow.js backend (overrides trainer.backend)
  --epochs      overrides model.training.epochs
  --quiet       no progress bar on stderr
`;

interface Flags {
  once: boolean;
  synthetic: boolean;
  json: boolean;
  quiet: boolean;
  kind: ModelKind | undefined;
  backend: BackendChoice | undefined;
  epochs: number | undefined;
  seconds: number;
  metricsPort: number | undefined;
  config: string | undefined;
  brokers: string | undefined;
}

function parseFlags(argv: string[]): Flags | string {
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      options: {
        once: { type: 'boolean' },
        synthetic: { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        kind: { type: 'string' },
        backend: { type: 'string' },
        epochs: { type: 'string' },
        seconds: { type: 'string' },
        'metrics-port': { type: 'string' },
        config: { type: 'string' },
        brokers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    return (err as Error).message;
  }
  if (v.help === true) return 'help';
  if (v.kind !== undefined && !kinds.includes(v.kind as ModelKind)) return `--kind must be one of ${kinds.join(', ')}, got '${v.kind}'`;
  if (v.backend !== undefined && !backends.includes(v.backend as BackendChoice)) return `--backend must be one of ${backends.join(', ')}, got '${v.backend}'`;
  const positive = (name: string, text: string | undefined): number | undefined | string => {
    if (text === undefined) return undefined;
    const n = Number(text);
    return Number.isInteger(n) && n > 0 ? n : `--${name} must be a positive integer, got '${text}'`;
  };
  const epochs = positive('epochs', v.epochs);
  const seconds = positive('seconds', v.seconds);
  const metricsPort = v['metrics-port'] === undefined ? undefined : Number(v['metrics-port']);
  if (typeof epochs === 'string') return epochs;
  if (typeof seconds === 'string') return seconds;
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536)) {
    return `--metrics-port must be a port number 0-65535, got '${v['metrics-port']}'`;
  }
  if (v.synthetic === true && v.once !== true) return '--synthetic needs --once (the scheduled service trains from the windows topic)';
  return {
    once: v.once === true,
    synthetic: v.synthetic === true,
    json: v.json === true,
    quiet: v.quiet === true,
    kind: v.kind as ModelKind | undefined,
    backend: v.backend as BackendChoice | undefined,
    epochs,
    seconds: seconds ?? 300,
    metricsPort,
    config: v.config,
    brokers: v.brokers,
  };
}

/** The config with the command-line overrides applied (the loaded one is frozen). */
function withOverrides(config: Config, flags: Flags): Config {
  return {
    ...config,
    model: {
      ...config.model,
      kind: flags.kind ?? config.model.kind,
      training: { ...config.model.training, epochs: flags.epochs ?? config.model.training.epochs },
    },
    trainer: { ...config.trainer, backend: flags.backend ?? config.trainer.backend },
  };
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  if (typeof flags === 'string') {
    process.stderr.write(`sensorwatch train: ${flags}\n\n${usage}`);
    return 2;
  }
  try {
    const loaded = loadCliConfig(flags.config);
    const config = withOverrides(loaded.config, flags);
    const { log } = loaded;
    if (flags.synthetic) return await trainSynthetic(config, flags, log);
    if (flags.once) return await trainOnceFromKafka(config, flags, log);
    return await serve(config, flags, log);
  } catch (err) {
    return reportCliError('train', err);
  }
}

async function trainSynthetic(config: Config, flags: Flags, log: Logger): Promise<number> {
  const backend = await initBackend(config.trainer.backend, log);
  const windows = syntheticTrainingWindows(config, flags.seconds);
  const cache = createModelCache(config.trainer.modelDir);
  const version = Math.max(0, ...(await cache.versions(defaultModelKey))) + 1;
  log.info('training on simulator data', { windows: windows.length, kind: config.model.kind, backend: backend.name, version });
  const bar = progressPrinter(process.stderr, `${defaultModelKey} v${version} ${config.model.kind} `);
  const trained = await trainModel({
    windows,
    config: config.model,
    thresholds: config.thresholds,
    modelKey: defaultModelKey,
    version,
    backend: backend.name,
    stepSamples: config.windowing.hop,
    ...(flags.quiet ? {} : { onEpoch: (p) => bar.update(p) }),
  });
  bar.done();
  const bytes = await serialiseArtifact(trained.model);
  const path = await cache.write(defaultModelKey, version, bytes);
  await cache.setCurrent(defaultModelKey, version);
  log.info('model saved', { path, bytes: bytes.length, checksum: trained.meta.checksum });
  print([reportOf(trained.meta, 'promoted', 'saved', null)], flags.json);
  trained.model.dispose();
  return 0;
}

async function trainOnceFromKafka(config: Config, flags: Flags, log: Logger): Promise<number> {
  const brokers = resolveBrokers(config, flags.brokers);
  const bars = new Map<string, ReturnType<typeof progressPrinter>>();
  const trainer = await startTrainer({
    config,
    log,
    registry: new Registry(),
    brokers,
    scheduled: false,
    ...(flags.quiet
      ? {}
      : {
          onEpoch: (key: string, p) => {
            const bar = bars.get(key) ?? progressPrinter(process.stderr, `${key} `);
            bars.set(key, bar);
            bar.update(p);
          },
        }),
  });
  try {
    const reports = await trainer.trainNow();
    for (const b of bars.values()) b.done();
    print(reports, flags.json);
    return reports.some((r) => r.outcome === 'failed') ? 1 : 0;
  } finally {
    await trainer.stop();
  }
}

async function serve(config: Config, flags: Flags, log: Logger): Promise<number> {
  const brokers = resolveBrokers(config, flags.brokers);
  const configFile = configFileOf(flags.config);
  return serveUntilSignal({
    name: 'trainer',
    config,
    log,
    metricsPort: flags.metricsPort,
    brokers,
    configFile,
    env: process.env,
    start: async ({ registry, onFatal }) => {
      // Command-line overrides (--kind, --epochs, --backend) are not in the file: a reload would undo them,
      // so with one, SIGHUP only says which edits need a restart (serveUntilSignal's default).
      const live = configFile !== undefined && flags.kind === undefined && flags.epochs === undefined && flags.backend === undefined;
      const trainer = await startTrainer({ config, log, registry, brokers, onFatal, env: process.env, ...(live ? { configFile } : {}) });
      const running = { ready: () => true, health: () => ({ nextRunAt: trainer.nextRunAt() }), stop: () => trainer.stop() };
      return live ? { ...running, reload: (reason: string) => trainer.reload(reason) } : running;
    },
  });
}

function print(reports: TrainReport[], json: boolean): void {
  for (const r of reports) {
    if (json) {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      continue;
    }
    const lines = [
      `model ${r.modelKey}: ${r.outcome} (${r.reason})${r.error === undefined ? '' : ` — ${r.error}`}`,
      r.version === null ? null : `  version ${r.version}, kind ${r.kind}, backend ${r.backend}, ${r.windows} windows, ${r.epochs} epochs in ${r.trainSeconds?.toFixed(1)}s`,
      r.valLoss === null ? null : `  val loss ${r.valLoss.toPrecision(4)}${r.currentValLoss === null ? '' : ` (current model ${r.currentValLoss.toPrecision(4)})`}`,
      r.threshold === null ? null : `  threshold ${r.threshold.toPrecision(4)} (${r.thresholdMethod}), mean code activation ${r.meanCodeActivation?.toPrecision(3)}`,
    ];
    process.stdout.write(`${lines.filter((l) => l !== null).join('\n')}\n`);
  }
}
