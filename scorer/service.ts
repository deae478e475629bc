// The scorer service: wires Kafka, the model feed, the config watch, metrics
// and the engine, and owns their lifecycle. Delivery is at least once with
// effects exactly once: a batch's offsets are committed only after its alerts
// and sensor states were acknowledged by the broker (engine.ts), and a restart
// or rebalance first reloads the states (state-store.ts), so replayed windows
// are recognised and no alert is opened twice.
import type { Registry } from '../common/service/metrics-registry.ts';
import * as tf from '@tensorflow/tfjs';
import { decodeWindow } from '../common/codec/index.ts';
import { loadConfig } from '../common/config/load.ts';
import type { Config } from '../common/config/types.ts';
import type { ConsumedBatch, TakenBatch, TopicSpec } from '../common/kafka/index.ts';
import type { Logger } from '../common/log.ts';
import { defaultGroupIds, startService } from '../common/service/skeleton.ts';
import { initBackend } from '../common/model/backend.ts';
import { createModelFeed } from '../common/model/store/feed.ts';
import { modelKeysOf, typeOfModelKey } from '../common/model/keys.ts';
import type { DeadLetterReason, SignalWindow } from '../common/types.ts';
import { createBatcher } from './batcher.ts';
import type { SensorState } from '../common/decision/decide.ts';
import { createEngine, deferReport, type BatchItem } from './engine.ts';
import { createLiveness } from './liveness.ts';
import { createScorerMetrics } from './metrics.ts';
import { createModelShelf } from './models.ts';
import { systemClock, type Clock, type ModelFeed, type ScorerMetrics } from './ports.ts';
import { createAlertPublisher, createDeadLetterSink, publishesSettled, stopPublishing } from './publisher.ts';
import { watchConfig, type ConfigWatch } from './reload.ts';
import { startStateReader, stateTopicSpec } from './state-store.ts';
import { startVerdictReader } from './verdicts.ts';
import { stopForwardThreads } from '../common/model/forward-threads.ts';

export interface ScorerContext {
  config: Config;
  /** When given, edits to it (and SIGHUP) change thresholds, hysteresis, severities and overrides live. */
  configFile?: string;
  log: Logger;
  registry: Registry;
  /** Where models come from; default: the trainer's model-artifacts topic (common/model/store/feed.ts). */
  models?: ModelFeed;
  /** Environment for config reloads (loadConfig); the CLI passes the env its config was loaded with (common/config/command-line.ts). */
  env?: Record<string, string | undefined>;
  /** Brokers to use instead of config.kafka.brokers (the demo's local broker). */
  brokers?: string[];
  /** Consumer group; default `<kafka.clientId>.scorer`. Scorers in one group share the partitions. */
  groupId?: string;
  /** Listen for SIGHUP itself (the demo; the CLI passes SIGHUP on through serveUntilSignal and reload()). */
  sighup?: boolean;
  clock?: Clock;
  /**
   * Group membership timing. A crashed member keeps its partitions until its
   * session times out (default 30 s); tests that kill scorers use a few seconds.
   */
  consumer?: { sessionTimeoutMs?: number; heartbeatIntervalMs?: number };
  /** Called when consuming stopped for good (the CLI exits non-zero so a supervisor restarts it). */
  onFatal?: (error: unknown) => void;
  /** Stage timestamps (the bench's latency breakdown): called with each batch's windows; absent in production. */
  trace?: ScorerTrace;
}

/**
 * Where a window's time goes in the scorer: `fetched` (its consumer batch was
 * handed to the scorer), `started` (its scoring batch began: after the
 * batcher's cut and the batch before it), `decided` (scored and judged, its
 * alerts and states handed to the producer), `acked` (acknowledged by the
 * broker); `at` is the wall clock, ms.
 */
export type ScorerTrace = (stage: 'fetched' | 'started' | 'decided' | 'acked', windows: readonly SignalWindow[], at: number) => void;

export interface Scorer {
  ready(): boolean;
  groupId: string;
  stateTopic: string;
  /** The config in force (changes on reload). */
  config(): Config;
  /** The models in force, and staged ones waiting for the next batch, for /healthz. */
  models(): { modelKey: string; version: number; staged: boolean }[];
  /** Re-reads the config file now (SIGHUP), applying what can change live. */
  reload(reason: string): void;
  /** Bounded: within stopBudgetMs (common/service/skeleton.ts), naming in the log whatever it stopped waiting for. */
  stop(): Promise<void>;
}


/** A quarter of the silence time, between 100 ms and 5 s (5 s when off: it may be turned on live). */
export function sweepEveryMs(silentAfterMs: number): number {
  if (silentAfterMs === 0) return 5000;
  return Math.min(5000, Math.max(100, Math.floor(silentAfterMs / 4)));
}

/** An open alert that keeps a sensor's score series on /metrics (its own `silent` fault does not: the score is stale). */
function hasOpenAlert(state: SensorState | undefined): boolean {
  return state !== undefined && (state.anomaly.open !== null || (state.fault.open !== null && state.fault.open.fault !== 'silent'));
}

/** One entry per open alert: sensor, kind and the severity the decision gave it. */
export function openPerSensor(states: Iterable<SensorState>): { sensorId: string; kind: string; severity: string; type: string }[] {
  const out: { sensorId: string; kind: string; severity: string; type: string }[] = [];
  for (const s of states) {
    const type = s.sensorType ?? 'default';
    if (s.anomaly.open !== null) out.push({ sensorId: s.sensorId, kind: 'anomaly', severity: s.anomaly.open.severity, type });
    if (s.fault.open !== null) out.push({ sensorId: s.sensorId, kind: 'sensor_fault', severity: s.fault.open.severity, type });
  }
  return out;
}

export async function startScorer(ctx: ScorerContext): Promise<Scorer> {
  const log = ctx.log.child({ service: 'scorer' });
  const initial = ctx.config;
  const groupId = ctx.groupId ?? defaultGroupIds.scorer(initial.kafka.clientId);
  const stateSpec = stateTopicSpec(initial, groupId);
  const topics = initial.topics;
  const backend = await initBackend(initial.scorer.backend, log);

  const spec = (name: string): TopicSpec => ({ name, partitions: topics.partitions, replicationFactor: topics.replicationFactor });
  // Set once the state reader is up: a (re)join reloads the sensor states.
  let onJoin: () => void = () => undefined;
  const service = await startService({
    name: 'scorer',
    config: initial,
    log,
    brokers: ctx.brokers,
    groupId,
    topics: [spec(topics.windows), spec(topics.alerts), spec(topics.deadLetter), spec(topics.verdicts), stateSpec],
    consumer: { maxWaitTimeMs: 100, ...ctx.consumer },
    onJoin: () => onJoin(),
    onFatal: (error) => ctx.onFatal?.(error),
  });
  const { kafka, admin, producer } = service;

  let watcher: ConfigWatch | null = null;
  let onConfigChange: (next: Config) => void = () => undefined;
  const config = (): Config => watcher?.current() ?? initial;

  return service.orCleanUp(async () => {
    if (ctx.configFile !== undefined) {
      const env = ctx.env ?? {};
      watcher = watchConfig({ file: ctx.configFile, initial, load: (file) => loadConfig({ file, env }), log, sighup: ctx.sighup ?? false, onChange: (next) => onConfigChange(next) });
    }
    service.undo('the config watch', () => watcher?.stop());
    const metrics = createScorerMetrics({
      registry: ctx.registry,
      maxSensorsExported: () => config().scorer.maxSensorsExported,
      tensorCount: () => tf.memory().numTensors,
      backend: () => backend.name,
    });
    const declareSeverities = (c: Config): void =>
      metrics.declareSeverities([...new Set([...c.scorer.severities, ...Object.values(c.scorer.perSensor).flatMap((o) => o.severities ?? [])].map((b) => b.name))]);
    declareSeverities(initial);
    metrics.declareModelKeys(modelKeysOf(initial), (k) => typeOfModelKey(initial, k) ?? 'default');
    onConfigChange = declareSeverities;
    const shelf = createModelShelf();
    service.undo('the models', () => shelf.dispose());
    service.undo('the scoring thread', () => stopForwardThreads());
    const clock = ctx.clock ?? systemClock;
    const liveness = createLiveness({ silentAfterMs: () => config().scorer.silentAfterMs });
    // The engine reports open alerts as counts; the per-sensor alert series are
    // recomputed from its states at the same moments.
    let statesNow: () => ReadonlyMap<string, SensorState> = () => new Map();
    const engineMetrics: ScorerMetrics = {
      ...metrics,
      openAlerts(counts) {
        metrics.openAlerts(counts);
        metrics.sensorAlerts(openPerSensor(statesNow().values()));
      },
    };
    const deadLetters = createDeadLetterSink({ producer, topic: topics.deadLetter });
    const verdicts = await startVerdictReader({
      kafka,
      admin,
      topic: topics.verdicts,
      groupId,
      log,
      deadLetter: (record) => {
        metrics.deadLettered(record.reason, 1);
        deadLetters.send([record]).catch((error: unknown) => log.error('could not dead-letter an unreadable verdict', { error, offset: record.offset }));
      },
    });
    service.undo('the verdicts reader', () => verdicts.stop());
    const trace = ctx.trace;
    const alertPublisher = createAlertPublisher({ producer, alertsTopic: topics.alerts, stateTopic: stateSpec.name });
    /** With a trace: the windows of the scoring batch being handled (the engine handles one at a time). */
    let tracing: SignalWindow[] | null = null;
    const engine = createEngine({
      config,
      models: shelf,
      publisher:
        trace === undefined
          ? alertPublisher
          : {
              publish(alerts, states) {
                const windows = tracing;
                if (windows !== null) trace('decided', windows, Date.now());
                const sent = alertPublisher.publish(alerts, states);
                if (windows !== null) sent.then(() => trace('acked', windows, Date.now()), () => undefined);
                return sent;
              },
            },
      deadLetters,
      metrics: engineMetrics,
      clock,
      log,
      backend: () => backend.name,
      verdicts,
      afterBatch: deferReport(log),
    });
    statesNow = () => engine.states();

    const reader = await startStateReader({ kafka, admin, topic: stateSpec.name, groupId, log, ownPublishes: () => publishesSettled(producer) });
    service.undo('the state store reader', () => reader.stop());
    // Restored sensors count as seen now: one that never sends again still
    // leaves /metrics (once its alert resolves) after scorer.silentAfterMs.
    const restore = (loaded: ReadonlyMap<string, SensorState>): void => {
      engine.restore(loaded.values());
      const now = clock.now();
      for (const id of loaded.keys()) liveness.seen(id, now);
    };
    restore(await reader.caughtUp());
    await verdicts.caughtUp();
    log.info('sensor states loaded', { stateTopic: stateSpec.name, sensors: engine.states().size });

    const feed = ctx.models ?? createModelFeed({ kafka, topics, log, cacheDir: initial.trainer.modelDir, onRefused: (r) => metrics.modelRefused(r.modelKey, r.code) });
    await feed.start((model) => shelf.offer(model));
    service.undo('the model feed', () => feed.stop());

    const handleItems = (items: BatchItem[]): Promise<void[]> => {
      if (trace === undefined) return engine.handle(items);
      // The batcher hands over one batch at a time, after the one before it resolved.
      const windows = items.flatMap((i) => ('window' in i ? [i.window] : []));
      trace('started', windows, Date.now());
      tracing = windows;
      return engine.handle(items).finally(() => (tracing = null));
    };
    const batcher = createBatcher<BatchItem, void>({ limits: () => config().scorer.batch, handle: handleItems });

    // After every (re)join, states are reloaded before the next batch: partitions
    // may have moved here from another scorer that decided their windows so far.
    const reload = (): Promise<void> => {
      const attempt = reader.caughtUp().then(restore);
      attempt.catch(() => undefined); // awaited (and reported) by the next batch
      return attempt;
    };
    let restoring: Promise<void> = Promise.resolve();
    // Sensors whose windows this member received since it last joined the group.
    const ownSensors = new Set<string>();
    onJoin = () => {
      ownSensors.clear();
      restoring = reload();
    };

    const handle = async (batch: ConsumedBatch): Promise<void | TakenBatch> => {
      const fetchedAt = trace === undefined ? 0 : Date.now();
      log.debug('windows fetched', { partition: batch.partition, count: batch.messages.length, from: batch.messages[0]?.offset });
      try {
        await restoring;
      } catch (error) {
        // No deciding on stale states: fail the batch (the consumer retries it) and try the reload again.
        log.error('could not reload sensor states; retrying before the next batch', { error });
        restoring = reload();
        throw error;
      }
      const items = batch.messages.map((m): BatchItem => {
        const source = { topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value ?? Buffer.alloc(0) };
        try {
          const window = decodeWindow(m.value);
          liveness.seen(window.sensorId, clock.now());
          ownSensors.add(window.sensorId);
          return { source, window };
        } catch (error) {
          const code = (error as { code?: unknown }).code;
          const reason: DeadLetterReason = code === 'bad_window' ? 'bad_window' : 'bad_avro';
          return { source, problem: { reason, message: (error as Error).message } };
        }
      });
      if (trace !== undefined) trace('fetched', items.flatMap((i) => ('window' in i ? [i.window] : [])), fetchedAt);
      const decided = Promise.all(items.map((item) => batcher.add(item)));
      batcher.cutSoon();
      await decided;
      // Windows still waiting for their key's model (engine.ts) are not committed past.
      const waitingFrom = engine.oldestWaiting(batch.topic, batch.partition);
      return waitingFrom === undefined ? undefined : { durable: Promise.resolve(), commitOffset: waitingFrom };
    };

    // Consume only once a model is there (the demo starts the scorer before the
    // trainer has produced one); until then /healthz says not ready.
    service.undo('the windows consumer', () => service.stopConsuming());
    const consume = async (): Promise<void> => {
      if (!shelf.hasModel()) log.info('waiting for a model before consuming windows', { modelArtifacts: topics.modelArtifacts });
      await shelf.whenAny();
      if (service.stopping() || service.failed()) return;
      await service.consume({
        topics: [topics.windows],
        fromBeginning: true,
        partitionsConsumedConcurrently: Math.max(1, topics.partitions),
        handle,
        onCommitError: (error, where) => log.warn('offset commit failed; these windows may be read again (already decided ones are skipped)', { error, ...where }),
      });
    };
    consume().catch((error: unknown) => {
      if (!service.stopping()) service.fail(error as Error, 'scorer could not start consuming');
    });

    service.measureLag([topics.windows], (r) => metrics.consumerLag(groupId, r.topic, r.partition, r.lag));
    // Silent sensors: a `sensor_fault` `silent` opens for those this member received windows
    // from since it last joined (partitions move on a rebalance: another member owns the rest);
    // those without an open alert leave /metrics (and free their place under the cap).
    let sweeping = false;
    const sweepTimer = setInterval(() => {
      if (config().scorer.silentAfterMs === 0 || sweeping || !service.joined()) return;
      sweeping = true;
      const silent = liveness.silentSince(clock.now());
      engine
        .silence(silent.filter((s) => ownSensors.has(s.sensorId)))
        .catch((error: unknown) => log.warn('could not publish the silent-sensor alerts; trying again at the next sweep', { error }))
        .finally(() => {
          sweeping = false;
          const states = engine.states();
          metrics.forgetSensors(silent.filter((s) => !hasOpenAlert(states.get(s.sensorId))).map((s) => s.sensorId));
        });
    }, sweepEveryMs(initial.scorer.silentAfterMs));
    sweepTimer.unref();
    service.undo('the silence sweep', () => clearInterval(sweepTimer));
    log.info('scorer started', { groupId, windows: topics.windows, alerts: topics.alerts, stateTopic: stateSpec.name, backend: backend.name });

    return {
      ready: () => service.ready() && shelf.hasModel(),
      groupId,
      stateTopic: stateSpec.name,
      config,
      models: () => shelf.summary(),
      reload(reason) {
        if (watcher === null) log.info(`${reason}: no config file to re-read (--config or SENSORWATCH_CONFIG); the scorer goes on unchanged`);
        else watcher.reload(reason);
      },
      async stop() {
        await service.stop(() => stopPublishing(producer, 'scorer is stopping'));
      },
    };
  });
}
