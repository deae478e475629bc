// The trainer service: on a schedule (and on trainNow()), read the last
// trainer.lookbackMs of windows (minus alerted ones), retrain every model key
// found, gate each candidate against the model in force and publish the
// promoted ones (artifact chunks + pointer + ModelUpdated) with a copy in the
// local cache. A model key without a model gets its first one as soon as
// trainer.minWindows windows exist for it, not at the next scheduled round
// (first-model.ts). Edits to the config file apply from the next round on,
// except the restart-only keys below.
//
// Replicas share the model keys (ownership.ts): each joins the consumer group
// <kafka.clientId>.trainer on the windows topic without consuming from it,
// and trains only the keys that hash to the partitions it owns. A rebalance
// (a replica added, stopped or dead) moves keys; a candidate trained while the
// group rebalanced is dropped, not published, so no key gets two versions from
// two replicas. A one-off run (CLI --once) joins no group and trains every key.
import * as tf from '@tensorflow/tfjs';
import type { Registry } from '../common/service/metrics-registry.ts';
import { decodeAlert, decodeVerdict, decodeWindow } from '../common/codec/records.ts';
import type { Config } from '../common/config/types.ts';
import { createKafka, describeMismatch, ensureTopics, joinGroup, type GroupMembership, type KafkaClient } from '../common/kafka/index.ts';
import { loadConfig } from '../common/config/load.ts';
import type { Logger } from '../common/log.ts';
import { watchConfig, type ConfigWatch } from '../common/service/reload.ts';
import { stopInSteps } from '../common/service/stop.ts';
import { parseArtifact, serialiseArtifact, type LoadedModel } from '../common/model/artifact.ts';
import { initBackend } from '../common/model/backend.ts';
import { newNormalAfterMsOf } from '../common/decision/new-normal.ts';
import type { EpochProgress } from '../common/model/train.ts';
import { createModelCache } from '../common/model/store/cache.ts';
import { createModelCatalog, type ModelCatalog } from '../common/model/store/catalog.ts';
import { createModelPublisher, readArtifactLog, ensureModelTopics } from '../common/model/store/kafka.ts';
import type { AlertVerdict, AnomalyAlert, SignalWindow } from '../common/types.ts';
import { createTrainerMetrics, declareModelKeys } from './metrics.ts';
import { modelKeysOf } from '../common/model/keys.ts';
import { emptyReport, reportOf, type TrainReport } from './report.ts';
import { retrain } from '../common/training/retrain.ts';
import { parseSchedule } from '../common/config/schedule.ts';
import { minWindowsOf, selectTrainingWindows, smallestMinWindows, trainingConfigFor, trainingKeyOf } from '../common/training/select.ts';
import { verdictRulings } from '../common/training/verdicts.ts';
import { countSince, readTopicSince } from './source.ts';
import { firstModelPlan, nextFirstRoundAt } from './first-model.ts';
import { ownsKey, type KeyShare } from './ownership.ts';

export interface TrainerContext {
  config: Config;
  log: Logger;
  registry: Registry;
  /** Brokers to use instead of config.kafka.brokers (the demo's local broker). */
  brokers?: string[];
  /** false: no timer, runs only on trainNow() (CLI --once, tests). Default true. */
  scheduled?: boolean;
  /** Train a key's first model as soon as trainer.minWindows windows exist for it. Default: as `scheduled`. */
  firstModels?: boolean;
  /** How often the windows topic is counted while a key waits for its first model (ms); default 2000. */
  firstModelPollMs?: number;
  /** When given, edits to it (on SIGHUP: reload()) apply from the next round on. */
  configFile?: string;
  /** Environment for config reloads (loadConfig); the CLI passes the env its config was loaded with (common/config/command-line.ts). */
  env?: Record<string, string | undefined>;
  /**
   * The consumer group (on the windows topic) in which trainer replicas share
   * the model keys; default `<kafka.clientId>.trainer`. null: no group, this
   * trainer trains every key (a one-off run).
   */
  groupId?: string | null;
  /** The group's session timeout (ms): how long a replica that died keeps its keys; default 60 s. */
  sessionTimeoutMs?: number;
  /** How often the replica heartbeats in its group (ms), and so how soon it learns of a rebalance; default 3 s. */
  heartbeatIntervalMs?: number;
  /** Overrides config.trainer.backend (CLI --backend). */
  backend?: Config['trainer']['backend'];
  now?: () => number;
  /** After each epoch; a returned promise holds the round until it settles (tests). */
  onEpoch?: (modelKey: string, progress: EpochProgress) => unknown;
  /** A run failed unexpectedly (Kafka gone …); the CLI exits non-zero so a supervisor restarts it. */
  onFatal?: (error: unknown) => void;
}

export interface Trainer {
  /** Runs one training round now (after any round in progress) and reports per model key. */
  trainNow(): Promise<TrainReport[]>;
  /** The windows partitions whose model keys this replica trains: 'all' without a group, null while the group rebalances. */
  share(): KeyShare | 'all' | null;
  /** When the next scheduled round starts (ms since the epoch), or null when unscheduled. */
  nextRunAt(): number | null;
  /** Re-reads the config file now (SIGHUP), applying what can change live. */
  reload(reason: string): void;
  /** Bounded (stopBudgetMs): a training round in progress is waited for that long at most. */
  stop(): Promise<void>;
}

/**
 * Keys the trainer reads once at start-up: the connection, topics, metrics
 * port, windowing (the windows on the topic have ingest's shape), where models
 * go and with which backend, the schedule's timer and the model keys' metrics.
 */
export const restartOnly = ['kafka', 'topics', 'metrics', 'windowing', 'logLevel', 'trainer.backend', 'trainer.modelDir', 'trainer.schedule', 'model.groups'] as const;

export const stopBudgetMs = 25_000;

export async function startTrainer(ctx: TrainerContext): Promise<Trainer> {
  const { config } = ctx;
  const log = ctx.log.child({ service: 'trainer' });
  let watcher: ConfigWatch | null = null;
  if (ctx.configFile !== undefined) {
    const env = ctx.env ?? {};
    watcher = watchConfig({ service: 'trainer', file: ctx.configFile, initial: config, load: (file) => loadConfig({ file, env }), log, restartOnly });
  }
  /** The config in force: the start-up one with the edits applied since. */
  const live = (): Config => watcher?.current() ?? config;
  const now = ctx.now ?? Date.now;
  const schedule = parseSchedule(config.trainer.schedule);
  const backend = await initBackend(ctx.backend ?? config.trainer.backend, log);
  const metrics = createTrainerMetrics(ctx.registry, () => tf.memory().numTensors);
  metrics.backendInfo.set({ backend: backend.name }, 1);
  declareModelKeys(metrics, modelKeysOf(config));

  const kafka = createKafka({ ...config.kafka, brokers: ctx.brokers ?? config.kafka.brokers }, log, { clientSuffix: 'trainer' });
  const topics = { modelArtifacts: config.topics.modelArtifacts, models: config.topics.models };
  await ensureModelTopics(kafka, topics);
  const publisher = await createModelPublisher(kafka, topics, { now });
  const cache = createModelCache(config.trainer.modelDir);
  const current = new Map<string, LoadedModel>();

  let stopped = false;
  let signalStop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (signalStop = resolve));
  const groupId = ctx.groupId === undefined ? `${config.kafka.clientId}.trainer` : ctx.groupId;
  let membership: GroupMembership | null = null;
  if (groupId !== null) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ensured = await ensureTopics(admin, [{ name: config.topics.windows, partitions: config.topics.partitions, replicationFactor: config.topics.replicationFactor }]);
      for (const m of ensured.mismatched) log.warn(describeMismatch(m), { ...m });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    membership = await joinGroup(kafka, {
      groupId,
      topic: config.topics.windows,
      ...(ctx.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: ctx.sessionTimeoutMs }),
      ...(ctx.heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs: ctx.heartbeatIntervalMs }),
      onChange: (share) => {
        if (share === null) log.info('trainer group rebalancing: no model keys trained until it settles', { groupId });
        else log.info('trainer group settled: training the model keys of these windows partitions', { groupId, partitions: share.partitions, of: share.of });
      },
      onFatal: (error) => {
        if (stopped) return;
        log.error('trainer group membership failed: no model keys trained', { groupId, error });
        ctx.onFatal?.(error);
      },
    });
  }
  /** How long a round waits for the group to settle before it trains nothing. */
  const settleMs = 60_000;
  /** The keys' share to train now: 'all' without a group; null when the group has not settled (or stopped). */
  const settledShare = async (): Promise<(KeyShare & { generation?: number }) | 'all' | null> =>
    membership === null ? 'all' : Promise.race([membership.settled(Date.now() + settleMs), stopSignal.then(() => null)]);
  /** Still the share the round started with (no rebalance since): a candidate may be published. */
  const unmoved = (share: (KeyShare & { generation?: number }) | 'all'): boolean => share === 'all' || membership?.share()?.generation === share.generation;

  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let nextAt: number | null = null;

  /** A scheduled round trains every key found; a first-model round only keys without a model that have enough windows. */
  const round = async (kind: 'scheduled' | 'first' = 'scheduled'): Promise<TrainReport[]> => {
    const share = await settledShare();
    if (share === null) {
      if (!stopped) log.warn('the trainer group has not settled: this round trains nothing', { groupId });
      return [];
    }
    const catalog = await readCatalog(kafka, topics.modelArtifacts, log);
    const data = await collectTrainingData(kafka, live(), now(), log, (modelKey) => ownsKey(modelKey, share));
    const plan =
      kind === 'first'
        ? firstModelPlan(new Map([...data.byKey].map(([k, w]) => [k, w.length])), (k) => current.has(k) || catalog.highestVersion(k) > 0, minWindowsOf(live()))
        : null;
    const reports: TrainReport[] = [];
    for (const [modelKey, windows] of data.byKey) {
      if (stopped) break;
      if (plan !== null && !plan.train.includes(modelKey)) {
        if (plan.waiting.some((w) => w.modelKey === modelKey)) reports.push(emptyReport(modelKey, 'skipped', 'not_enough_windows', windows.length));
        continue;
      }
      if (!unmoved(share)) {
        reports.push(emptyReport(modelKey, 'skipped', 'key_moved', windows.length));
        continue;
      }
      reports.push(await trainKey(modelKey, windows, data.offsets, catalog, () => unmoved(share)));
    }
    return reports;
  };

  const trainKey = async (
    modelKey: string,
    windows: SignalWindow[],
    offsets: Awaited<ReturnType<typeof collectTrainingData>>['offsets'],
    catalog: ModelCatalog,
    stillOurs: () => boolean,
  ): Promise<TrainReport> => {
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
        config: trainingConfigFor(live(), modelKey),
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
      if (!stillOurs()) {
        klog.warn('the trainer group rebalanced during training: the candidate is dropped, the key\'s new owner trains it', { version, groupId });
        trained.model.dispose();
        return emptyReport(modelKey, 'skipped', 'key_moved', windows.length);
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
      void enqueue(() => round())
        .then((reports) => log.info('scheduled training round done', { reports: reports.map((r) => `${r.modelKey}: ${r.outcome} (${r.reason})`) }))
        .catch((err: unknown) => {
          log.error('scheduled training round failed', { error: err });
          ctx.onFatal?.(err);
        })
        .finally(arm);
    }, Math.max(0, at - now()));
  };
  arm();

  // First models: count the windows topic (offsets only) until it holds enough for a key without a model.
  let wake: () => void = () => undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => (clearTimeout(t), resolve());
    });
  const firstModels = async (): Promise<void> => {
    let waitFor = smallestMinWindows(live());
    const pollMs = ctx.firstModelPollMs ?? 2000;
    let pauseMs = pollMs;
    while (!stopped) {
      let total = 0;
      try {
        total = await countSince({ kafka, topic: config.topics.windows, sinceMs: now() - live().trainer.lookbackMs });
        pauseMs = pollMs;
      } catch (error) {
        // The broker is away: look less often (each failed look logs kafkajs' connection errors).
        pauseMs = Math.min(30_000, pauseMs * 2);
        log.debug('windows not counted; trying again', { error, inMs: pauseMs });
      }
      if (!stopped && total >= waitFor) {
        const reports = await enqueue(() => round('first'));
        if (reports.length > 0) log.info('first-model round done', { reports: reports.map((r) => `${r.modelKey}: ${r.outcome} (${r.reason}, ${r.windows} windows)`) });
        const next = nextFirstRoundAt(total, reports, minWindowsOf(live()));
        if (next === null) {
          if (membership === null) return;
          // Every key of this replica has a model: look again when a rebalance brings others.
          await Promise.race([membership.changed().then(() => membership?.settled(Date.now() + settleMs)), stopSignal]);
          waitFor = 0;
          continue;
        }
        waitFor = next;
      }
      if (!stopped) await pause(pauseMs);
    }
  };
  const first = (ctx.firstModels ?? ctx.scheduled !== false)
    ? firstModels().catch((err: unknown) => {
        if (stopped) return;
        log.error('first-model round failed', { error: err });
        ctx.onFatal?.(err);
      })
    : Promise.resolve();
  log.info('trainer started', { schedule: schedule.text, nextRunAt: nextAt === null ? null : new Date(nextAt).toISOString(), backend: backend.name, minWindows: config.trainer.minWindows });

  return {
    trainNow: () => enqueue(() => round()),
    share: () => (membership === null ? 'all' : membership.share()),
    nextRunAt: () => nextAt,
    reload(reason) {
      if (watcher === null) log.info(`${reason}: no config file to re-read (--config or SENSORWATCH_CONFIG); the trainer goes on unchanged`);
      else watcher.reload(reason);
    },
    async stop() {
      stopped = true;
      signalStop();
      if (timer !== undefined) clearTimeout(timer);
      wake();
      watcher?.stop();
      const outcome = await stopInSteps(
        [
          { name: 'the first-model watch', run: () => first },
          { name: 'the training round in progress', run: () => chain },
          // After the round: a key is handed over only once its candidate is published or dropped.
          ...(membership === null ? [] : [{ name: 'the trainer group (its keys go to the other replicas)', run: () => membership?.stop() ?? Promise.resolve() }]),
          { name: 'the model publisher (flush and disconnect)', run: () => publisher.close() },
        ],
        { budgetMs: stopBudgetMs, log },
      );
      // A round still training holds these models: leave them to the process's end.
      if (outcome.gaveUpOn.length > 0) return;
      for (const m of current.values()) m.dispose();
      current.clear();
    },
  };
}

async function readCatalog(kafka: KafkaClient, topic: string, log: Logger): Promise<ModelCatalog> {
  const catalog = createModelCatalog();
  const reader = await readArtifactLog({ kafka, topic, log, onRecord: (r) => void catalog.apply(r), groupPrefix: 'sensorwatch.trainer.catalog' });
  await reader.caughtUp;
  await reader.stop();
  return catalog;
}

/**
 * The training data of a round: windows of the last trainer.lookbackMs, selected by alerts and verdicts, per model key.
 * `owns`: the model keys this replica trains; the other keys' windows are dropped as they are read.
 */
export async function collectTrainingData(kafka: KafkaClient, config: Config, nowMs: number, log: Logger, owns: (modelKey: string) => boolean = () => true) {
  const sinceMs = nowMs - config.trainer.lookbackMs;
  // Drops other replicas' windows as they are read; it must key windows as selectTrainingWindows does.
  const keyOf = trainingKeyOf(config);
  const keep = (w: SignalWindow): boolean => {
    const key = keyOf(w);
    return key !== null && owns(key);
  };
  const windows = await readTopicSince<SignalWindow>({ kafka, topic: config.topics.windows, sinceMs, decode: decodeWindow, log, keep });
  // Every verdict ever given (few; one given long ago may name an alert still open): common/training/verdicts.ts.
  const verdicts = (await readTopicSince<AlertVerdict>({ kafka, topic: config.topics.verdicts, sinceMs: 0, decode: decodeVerdict, log })).records;
  let alerts: AnomalyAlert[] = [];
  if (config.trainer.excludeAlerted || verdicts.length > 0) {
    alerts = (await readTopicSince<AnomalyAlert>({ kafka, topic: config.topics.alerts, sinceMs, decode: decodeAlert, log })).records;
  }
  const selection = selectTrainingWindows(windows.records, {
    ...(verdicts.length === 0 ? {} : { verdicts: verdictRulings(verdicts, alerts) }),
    alerts,
    excludeAlerted: config.trainer.excludeAlerted,
    maxExcludeMs: (sensorId) => newNormalAfterMsOf(config, sensorId),
    groups: config.model.groups,
    maxWindows: config.trainer.maxWindows,
    keyOf,
  });
  // The keys as the selection made them decide what this replica trains (`keep` only spares memory).
  for (const key of [...selection.byKey.keys()]) if (!owns(key)) selection.byKey.delete(key);
  log.info('training data collected', {
    windows: windows.records.length,
    undecodable: windows.bad,
    alerts: alerts.length,
    excludedAlerted: selection.excludedAlerted,
    verdicts: verdicts.length,
    verdictIncluded: selection.verdictIncluded,
    verdictExcluded: selection.verdictExcluded,
    duplicates: selection.duplicates,
    droppedOverMax: selection.droppedOverMax,
    otherType: selection.otherType,
    keys: Object.fromEntries([...selection.byKey].map(([k, v]) => [k, v.length])),
  });
  return { byKey: selection.byKey, offsets: windows.offsets };
}
