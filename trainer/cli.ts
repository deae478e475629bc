// `sensorwatch train`: one training run (--once), on simulator data without
// Kafka (--synthetic) or on the windows topic; without --once, the scheduled
// trainer service with its own /metrics and /healthz (a key's first model as
// soon as trainer.minWindows windows exist; SIGHUP re-reads the config file).
import { Registry } from '../common/service/metrics-registry.ts';
import type { Env } from '../common/config/command-line.ts';
import { FlagError } from '../common/config/flags.ts';
import type { Config } from '../common/config/types.ts';
import type { Logger } from '../common/log.ts';
import { serialiseArtifact } from '../common/model/artifact.ts';
import { initBackend } from '../common/model/backend.ts';
import { defaultModelKey } from '../common/model/keys.ts';
import { createModelCache } from '../common/model/store/cache.ts';
import { trainModel } from '../common/model/train.ts';
import { loadCliConfig, reportCliError, resolveBrokers } from '../common/service/edge.ts';
import { serveUntilSignal } from '../common/service/serve.ts';
import { parseTrainArgs, trainUsage, type TrainOptions } from './args.ts';
import { progressPrinter } from './progress.ts';
import { reportOf, type TrainReport } from './report.ts';
import { startTrainer } from './service.ts';
import { syntheticTrainingWindows } from './synthetic.ts';

export async function run(argv: string[]): Promise<number> {
  let flags: TrainOptions;
  try {
    flags = parseTrainArgs(argv);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`sensorwatch train: ${err.message}\n\n${trainUsage}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(trainUsage);
    return 0;
  }
  try {
    // The flag overrides are validated with the file: a --kind that breaks a cross-field rule is refused here.
    const { config, log, configFile, env } = loadCliConfig(flags.config, flags.overrides);
    if (flags.synthetic) return await trainSynthetic(config, flags, log);
    if (flags.once) return await trainOnceFromKafka(config, flags, log);
    return await serve(config, flags, log, { configFile, env });
  } catch (err) {
    return reportCliError('train', err);
  }
}

async function trainSynthetic(config: Config, flags: TrainOptions, log: Logger): Promise<number> {
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
    flatlineEpsilon: config.scorer.faults.flatlineEpsilon,
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

async function trainOnceFromKafka(config: Config, flags: TrainOptions, log: Logger): Promise<number> {
  const brokers = resolveBrokers(config, flags.brokers);
  const bars = new Map<string, ReturnType<typeof progressPrinter>>();
  const trainer = await startTrainer({
    config,
    log,
    registry: new Registry(),
    brokers,
    scheduled: false,
    // A one-off run trains every key: it joins no trainer group.
    groupId: null,
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

async function serve(config: Config, flags: TrainOptions, log: Logger, { configFile, env }: { configFile: string | undefined; env: Env }): Promise<number> {
  const brokers = resolveBrokers(config, flags.brokers);
  return serveUntilSignal({
    name: 'trainer',
    config,
    log,
    metricsPort: flags.metricsPort,
    brokers,
    configFile,
    env,
    start: async ({ registry, onFatal }) => {
      // Command-line overrides (--kind, --epochs, --backend) are not in the file: a reload would undo them,
      // so with one, SIGHUP only says which edits need a restart (serveUntilSignal's default).
      const live = configFile !== undefined && Object.keys(flags.overrides).length === 0;
      const trainer = await startTrainer({ config, log, registry, brokers, onFatal, env, ...(live ? { configFile } : {}) });
      const running = { ready: () => true, health: () => ({ nextRunAt: trainer.nextRunAt(), windowsPartitions: trainer.share() }), stop: () => trainer.stop() };
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
