// The trainer service: on a schedule (and on trainNow()), read the last
// trainer.lookbackMs of windows (minus alerted ones), retrain every model key
// found, gate each candidate against the model in force and publish the
// promoted ones (artifact chunks + pointer + ModelUpdated) with a copy in the
// local cache.
import * as tf from '@tensorflow/tfjs';
import type { Registry } from 'prom-client';
import { decodeAlert, decodeWindow } from '../common/codec/records.ts';
import type { Config } from '../common/config/types.ts';
import { createKafka, type Kafka } from '../common/kafka/index.ts';
import type { Logger } from '../common/log.ts';
import { parseArtifact, serialiseArtifact, type LoadedModel } from '../common/model/artifact.ts';
import { initBackend } from '../common/model/backend.ts';
import type { EpochProgress } from '../common/model/train.ts';
import { createModelCache } from '../common/model/store/cache.ts';
import { createModelCatalog, type ModelCatalog } from '../common/model/store/catalog.ts';
import { createModelPublisher, readArtifactLog, ensureModelTopics } from '../common/model/store/kafka.ts';
import type { AnomalyAlert, SignalWindow } from '../common/types.ts';
import { createTrainerMetrics, declareModelKeys } from './metrics.ts';
import { defaultModelKey } from '../common/model/keys.ts';
import { emptyReport, reportOf, type TrainReport } from './report.ts';
import { retrain } from '../common/training/retrain.ts';
import { parseSchedule } from '../common/config/schedule.ts';
import { selectTrainingWindows } from '../common/training/select.ts';
import { readTopicSince } from './source.ts';

export interface TrainerContext {
  config: Config;
  log: Logger;
  registry: Registry;
  /** Brokers to use instead of config.kafka.brokers (the demo's local broker). */
  brokers?: string[];
  /** false: no timer, runs only on trainNow() (CLI --once, tests). Default true. */
  scheduled?: boolean;
  /** Overrides config.trainer.backend (CLI --backend). */
  backend?: Config['trainer']['backend'];
  now?: () => number;
  onEpoch?: (modelKey: string, progress: EpochProgress) => void;
  /** A run failed unexpectedly (Kafka gone …); the CLI exits non-zero so a supervisor restarts it. */
  onFatal?: (error: unknown) => void;
}

export interface Trainer {
  /** Runs one training round now (after any round in progress) and reports per model key. */
  trainNow(): Promise<TrainReport[]>;
  /** When the next scheduled round starts (ms since the epoch), or null when unscheduled. */
  nextRunAt(): number | null;
  stop(): Promise<void>;
}

export async function startTrainer(ctx: TrainerContext): Promise<Trainer> {
  const { config } = ctx;
  const log = ctx.log.child({ service: 'trainer' });
  const now = ctx.now ?? Date.now;
  const schedule = parseSchedule(config.trainer.schedule);
  const backend = await initBackend(ctx.backend ?? config.trainer.backend, log);
  const metrics = createTrainerMetrics(ctx.registry, () => tf.memory().numTensors);
  metrics.backendInfo.set({ backend: backend.name }, 1);
  declareModelKeys(metrics, [defaultModelKey, ...Object.keys(config.model.groups)]);

  const kafka = createKafka({ ...config.kafka, brokers: ctx.brokers ?? config.kafka.brokers }, log, { clientSuffix: 'trainer' });
  const topics = { modelArtifacts: config.topics.modelArtifacts, models: config.topics.models };
  await ensureModelTopics(kafka, topics);
  const publisher = await createModelPublisher(kafka, topics, { now });
  const cache = createModelCache(config.trainer.modelDir);
  const current = new Map<string, LoadedModel>();

  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let nextAt: number | null = null;
  let stopped = false;

  const round = async (): Promise<TrainReport[]> => {
    const catalog = await readCatalog(kafka, topics.modelArtifacts, log);
    const data = await collect(kafka, config, now(), log);
    const reports: TrainReport[] = [];
    for (const [modelKey, windows] of data.byKey) {
      if (stopped) break;
      reports.push(await trainKey(modelKey, windows, data.offsets, catalog));
    }
    return reports;
  };

  const trainKey = async (modelKey: string, windows: SignalWindow[], offsets: Awaited<ReturnType<typeof collect>>['offsets'], catalog: ModelCatalog): Promise<TrainReport> => {
    const started = now();
    const klog = log.child({ modelKey });
    // Export the failure counter at 0 before any failure: a series that first
    // appears at 1 gives increase() = 0, and the first failure would never alert.
    metrics.failures.inc({ model: modelKey }, 0);
    try {
      const inForce = await currentModel(modelKey, catalog);
      const version = Math.max(catalog.highestVersion(modelKey), ...(await cache.versions(modelKey)), inForce?.meta.version ?? 0) + 1;
      const outcome = await retrain({
        modelKey,
        windows,
        config,
        current: inForce,
        version,
        backend: backend.name,
        offsets,
        now,
        ...(ctx.onEpoch === undefined ? {} : { onEpoch: (p: EpochProgress) => ctx.onEpoch?.(modelKey, p) }),
      });
      if (outcome.outcome === 'skipped') {
        klog.warn('not enough windows to train; the current model stays', { windows: outcome.windows, minWindows: outcome.minWindows });
        metrics.rejected.inc({ model: modelKey, reason: outcome.reason });
        return emptyReport(modelKey, 'skipped', outcome.reason, outcome.windows);
      }
      const { trained, decision } = outcome;
      metrics.trainingDuration.observe({ model: modelKey }, (now() - started) / 1000);
      metrics.valLoss.set({ model: modelKey }, trained.meta.metrics.valLoss);
      metrics.lastSuccess.set({ model: modelKey }, now() / 1000);
      if (outcome.outcome === 'rejected') {
        klog.warn('candidate rejected: worse than the current model; the current model stays', { ...decision, version, ...(outcome.currentNote === undefined ? {} : { note: outcome.currentNote }) });
        metrics.rejected.inc({ model: modelKey, reason: decision.reason });
        trained.model.dispose();
        return reportOf(trained.meta, 'rejected', decision.reason, decision.currentError);
      }
      const bytes = await serialiseArtifact(trained.model);
      await cache.write(modelKey, version, bytes);
      const event = await publisher.publish(bytes, trained.meta, 'promoted');
      await cache.setCurrent(modelKey, version);
      current.get(modelKey)?.dispose();
      current.set(modelKey, trained.model);
      metrics.promoted.inc({ model: modelKey });
      klog.info('model promoted and published', { ...event, reason: decision.reason, currentError: decision.currentError, note: outcome.currentNote });
      return reportOf(trained.meta, 'promoted', decision.reason, decision.currentError);
    } catch (err) {
      klog.error('training failed; the current model stays', { error: err });
      metrics.failures.inc({ model: modelKey });
      metrics.rejected.inc({ model: modelKey, reason: 'training_failed' });
      return emptyReport(modelKey, 'failed', 'training_failed', windows.length, (err as Error).message);
    }
  };

  /** The model the pointer names (reloaded when a rollback moved it), else the one we promoted. */
  const currentModel = async (modelKey: string, catalog: ModelCatalog): Promise<LoadedModel | null> => {
    const have = current.get(modelKey);
    for (const version of catalog.candidates(modelKey)) {
      const entry = catalog.artifact(modelKey, version);
      if (entry === undefined) continue;
      if (have?.meta.version === version && have.meta.checksum === entry.checksum) return have;
      try {
        const model = await parseArtifact(entry.bytes, `${topics.modelArtifacts} ${modelKey}/${version}`);
        have?.dispose();
        current.set(modelKey, model);
        return model;
      } catch (err) {
        log.warn('a published model cannot be loaded for the quality gate; trying an older one', { modelKey, version, error: err });
      }
    }
    return have ?? null;
  };

  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    const run = chain.then(job);
    chain = run.catch(() => undefined);
    return run;
  };

  const arm = (): void => {
    if (stopped || ctx.scheduled === false) return;
    const at = schedule.next(now());
    nextAt = at;
    timer = setTimeout(() => {
      void enqueue(round)
        .then((reports) => log.info('scheduled training round done', { reports: reports.map((r) => `${r.modelKey}: ${r.outcome} (${r.reason})`) }))
        .catch((err: unknown) => {
          log.error('scheduled training round failed', { error: err });
          ctx.onFatal?.(err);
        })
        .finally(arm);
    }, Math.max(0, at - now()));
  };
  arm();
  log.info('trainer started', { schedule: schedule.text, nextRunAt: nextAt === null ? null : new Date(nextAt).toISOString(), backend: backend.name });

  return {
    trainNow: () => enqueue(round),
    nextRunAt: () => nextAt,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await chain;
      await publisher.close();
      for (const m of current.values()) m.dispose();
      current.clear();
    },
  };
}

async function readCatalog(kafka: Kafka, topic: string, log: Logger): Promise<ModelCatalog> {
  const catalog = createModelCatalog();
  const reader = await readArtifactLog({ kafka, topic, log, onRecord: (r) => void catalog.apply(r), groupPrefix: 'sensorwatch.trainer.catalog' });
  await reader.caughtUp;
  await reader.stop();
  return catalog;
}

async function collect(kafka: Kafka, config: Config, nowMs: number, log: Logger) {
  const sinceMs = nowMs - config.trainer.lookbackMs;
  const windows = await readTopicSince<SignalWindow>({ kafka, topic: config.topics.windows, sinceMs, decode: decodeWindow, log });
  let alerts: AnomalyAlert[] = [];
  if (config.trainer.excludeAlerted) {
    alerts = (await readTopicSince<AnomalyAlert>({ kafka, topic: config.topics.alerts, sinceMs, decode: decodeAlert, log })).records;
  }
  const selection = selectTrainingWindows(windows.records, {
    alerts,
    excludeAlerted: config.trainer.excludeAlerted,
    maxExcludeMs: config.trainer.maxExcludeMs,
    groups: config.model.groups,
    maxWindows: config.trainer.maxWindows,
  });
  log.info('training data collected', {
    windows: windows.records.length,
    undecodable: windows.bad,
    alerts: alerts.length,
    excludedAlerted: selection.excludedAlerted,
    duplicates: selection.duplicates,
    droppedOverMax: selection.droppedOverMax,
    keys: Object.fromEntries([...selection.byKey].map(([k, v]) => [k, v.length])),
  });
  return { byKey: selection.byKey, offsets: windows.offsets };
}
