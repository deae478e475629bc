// The ingest service: readings topic -> decode, validate, window -> windows
// topic, bad records -> dead-letter topic. Kafka at the edges, the use case in
// pipeline.ts. The next batch is fetched while a batch's windows are being
// published. The rules of common/kafka keep it from losing anything:
// publishing is in order or not at all (a broker outage delays it, it never
// leaves a hole: ordered-producer.ts), and a partition's offset is committed
// only once the batch's windows and dead letters are acknowledged and never
// past the oldest reading still held in a reorder buffer or an unfinished
// window (runBatches with TakenBatch.commitOffset). So a crash at any point
// replays from there and cuts the same windows, with the same seqs.
import type { Registry } from '../common/service/metrics-registry.ts';
import { encodeWindow } from '../common/codec/records.ts';
import { systemClock, type Clock } from '../common/clock.ts';
import type { Config } from '../common/config/types.ts';
import { createDeadLetterPublisher, type OutgoingRecord } from '../common/dead-letter.ts';
import { SensorwatchError } from '../common/errors.ts';
import type { TopicSpec } from '../common/kafka/admin.ts';
import type { ConsumedBatch, TakenBatch } from '../common/kafka/consumer.ts';
import { createOrderedProducer } from '../common/kafka/ordered-producer.ts';
import type { Logger } from '../common/log.ts';
import { defaultGroupIds, startService } from '../common/service/skeleton.ts';
import type { SignalWindow } from '../common/types.ts';
import { createIngestMetrics } from './metrics.ts';
import { createIngestPipeline, pipelineTypesOf, type BatchOutcome, type ConsumedRecord, type PipelineTypes } from './pipeline.ts';
import { loadConfig } from '../common/config/load.ts';
import { watchConfig } from '../common/service/reload.ts';
import { createResetReporter } from './resets.ts';

export interface IngestContext {
  config: Config;
  log: Logger;
  registry: Registry;
  /** Brokers to use instead of config.kafka.brokers (e.g. the local broker the demo started). */
  brokers?: string[];
  /** Consumer group; default `<kafka.clientId>-ingest`. */
  groupId?: string;
  /** Wall clock for the future-timestamp check; injected in tests. */
  clock?: Clock;
  /** Consumer group timing (tests use a short session so a killed member is noticed quickly). */
  consumer?: { sessionTimeoutMs?: number; heartbeatIntervalMs?: number };
  /** How often consumer lag is measured, ms; default 5000. */
  lagIntervalMs?: number;
  /** Called once when ingest cannot go on (a publish failed for a reason retrying cannot fix); default: log only. */
  onFatal?: (error: Error) => void;
  /** When given, reload() (SIGHUP) re-reads it: sensor types and sensors added apply live (typeReload); every other edit is logged as needing a restart. */
  configFile?: string;
  /** Environment for config reloads (loadConfig). */
  env?: Record<string, string | undefined>;
  /** Stage timestamps (the bench's latency breakdown): called with each batch's windows; absent in production. */
  trace?: IngestTrace;
}

/**
 * Where a window's time goes in ingest: `fetched` (the batch that completed it
 * was handed to ingest), `windowed` (cut and queued for publishing), `published`
 * (acknowledged by the broker); `at` is the wall clock, ms.
 */
export type IngestTrace = (stage: 'fetched' | 'windowed' | 'published', windows: readonly SignalWindow[], at: number) => void;

export interface IngestService {
  groupId: string;
  /** True once the consumer has joined its group. */
  ready(): boolean;
  /** Stops consuming, publishes the windows still buffered, closes the clients; bounded (common/service/skeleton.ts stopBudgetMs). */
  stop(): Promise<void>;
  /** Re-reads the config file (SIGHUP): sensor types applied where safe (typeReload), the rest logged as needing a restart. */
  reload(reason: string): void;
}

/** Everything ingest reads at start-up: all but the sensor types, which a reload applies where safe. */
export const restartOnly = ['kafka', 'topics', 'windowing', 'model', 'thresholds', 'trainer', 'scorer', 'metrics', 'simulator', 'logLevel'] as const;

/**
 * Pure: whether an edit of the sensor types can apply to a running ingest.
 * Safe: types added, sensors added to or moved between types (a moved sensor
 * starts afresh under its new type), defaultSensorType set. Not safe (needs a
 * restart of ingest): a type removed, or a type's windowing changed (its
 * windows in progress were cut on the old grid).
 */
export function typeReload(running: PipelineTypes, next: PipelineTypes): { safe: true; added: string[] } | { safe: false; why: string } {
  for (const [name, was] of running.types) {
    const now = next.types.get(name);
    if (now === undefined) return { safe: false, why: `sensor type ${name} was removed` };
    if (now.idleAfterMs !== was.idleAfterMs || JSON.stringify({ ...now.window, phaseOf: undefined }) !== JSON.stringify({ ...was.window, phaseOf: undefined })) {
      return { safe: false, why: `the windowing of sensor type ${name} changed` };
    }
  }
  if ((running.implicit === true) !== (next.implicit === true)) return { safe: false, why: 'the implicit single type was replaced by sensorTypes (or back)' };
  return { safe: true, added: [...next.types.keys()].filter((t) => !running.types.has(t)) };
}


const windowRecord = (w: SignalWindow): OutgoingRecord => ({ key: w.sensorId, value: encodeWindow(w), headers: { 'content-type': 'application/avro' } });

export async function startIngest(ctx: IngestContext): Promise<IngestService> {
  const { config, registry } = ctx;
  const log = ctx.log.child({ service: 'ingest' });
  const clock = ctx.clock ?? systemClock;
  const topics = config.topics;
  const metrics = createIngestMetrics(registry);
  let types = pipelineTypesOf(config);
  const pipeline = createIngestPipeline({ types, maxFutureMs: config.windowing.maxFutureMs });
  const env = ctx.env ?? {};
  const watcher =
    ctx.configFile === undefined || ctx.configFile === ''
      ? null
      : watchConfig({
          service: 'ingest',
          file: ctx.configFile,
          initial: config,
          load: (file) => loadConfig({ file, env }),
          log,
          restartOnly,
          watchFile: false,
          onChange: (next) => {
            const nextTypes = pipelineTypesOf(next);
            const verdict = typeReload(types, nextTypes);
            if (!verdict.safe) {
              log.warn('sensor type change takes effect only when ingest restarts; ingest keeps its start-up sensor types', { why: verdict.why });
              return;
            }
            pipeline.setTypes(nextTypes);
            types = nextTypes;
            log.info('sensor types reloaded: readings are checked and windowed by the new types from the next batch on (a sensor moved to another type starts afresh)', { added: verdict.added, types: [...nextTypes.types.keys()] });
          },
        });
  const resets = createResetReporter({ log, metrics });
  const spec = (name: string): TopicSpec => ({ name, partitions: topics.partitions, replicationFactor: topics.replicationFactor });

  const service = await startService({
    name: 'ingest',
    config,
    log,
    brokers: ctx.brokers,
    groupId: ctx.groupId ?? defaultGroupIds.ingest(config.kafka.clientId),
    topics: [spec(topics.readings), spec(topics.windows), spec(topics.deadLetter)],
    consumer: { maxWaitTimeMs: 100, maxBytesPerPartition: 8 * 1048576, ...ctx.consumer },
    // A (re)join resumes every partition at its committed offset, which is
    // never past a reading the windowers hold: start them afresh from there.
    onJoin: () => pipeline.reset(),
    crashError: (error) => new SensorwatchError('ingest consumer crashed and will not restart', { code: 'ingest_consumer_crash', cause: error }),
    ...(ctx.onFatal === undefined ? {} : { onFatal: ctx.onFatal }),
  });
  const { groupId } = service;
  let retrying = 0;
  const out = createOrderedProducer(service.producer, {
    onRetry: (error, info) => {
      metrics.publishRetries(1);
      // the first failure and then every tenth: an outage of a minute logs a few lines, not hundreds
      if (retrying++ % 10 === 0) log.warn('publishing failed; sending the same request again (nothing later goes first)', { error, attempt: info.attempt, retryInMs: info.delayMs, records: info.records });
    },
    onRecovered: (info) => {
      retrying = 0;
      log.info('publishing recovered', { attempts: info.attempts, records: info.records });
    },
  });
  const deadLetters = createDeadLetterPublisher({ topic: topics.deadLetter, producer: out });

  const trace = ctx.trace;
  /** Decodes and windows a batch now; its windows and dead letters are acknowledged later (`durable`). */
  async function handle(batch: ConsumedBatch): Promise<TakenBatch> {
    const fetchedAt = trace === undefined ? 0 : Date.now();
    const broken = out.failure();
    if (service.failed() || broken !== null) throw new SensorwatchError('ingest stopped after a fatal error', { code: 'ingest_failed', cause: broken });
    const records: readonly ConsumedRecord[] = batch.messages;
    const result = pipeline.processBatch(batch.topic, batch.partition, records, clock.now());
    resets.report(result.resets, clock.now());
    const sent = Promise.all([out.send(topics.windows, result.windows.map(windowRecord)), deadLetters.send(result.deadLetters)]);
    if (trace !== undefined && result.windows.length > 0) {
      trace('fetched', result.windows, fetchedAt);
      trace('windowed', result.windows, Date.now());
      sent.then(() => trace('published', result.windows, Date.now()), () => undefined);
    }
    const durable = sent.then(
      () => counted(batch, result),
      (err: unknown) => {
        // Only a failure retrying cannot fix gets here (or stop() with the
        // broker away): nothing after it was published, and the offsets stay
        // at the last reading still needed, so a restart replays from there.
        const error = new SensorwatchError(`publishing the windows and dead letters of ${batch.topic}[${batch.partition}] failed: ${(err as Error).message}`, {
          code: 'ingest_publish_failed',
          cause: err,
          details: { topic: batch.topic, partition: batch.partition, firstOffset: records[0]?.offset },
        });
        if (!service.stopping()) service.fail(error);
        throw error;
      },
    );
    return result.commitOffset === undefined ? { durable } : { durable, commitOffset: result.commitOffset };
  }

  function counted(batch: ConsumedBatch, result: BatchOutcome): void {
    metrics.ingested('avro', result.avro);
    metrics.ingested('json', result.json);
    metrics.windowsPublished(result.windows.length);
    metrics.late(result.late);
    metrics.duplicates(result.duplicates);
    if (result.closed > 0) log.info('closed silent sensors', { count: result.closed, partition: batch.partition, idleAfterMs: config.windowing.idleAfterMs });
    if (result.deadLetters.length > 0) {
      const byReason = new Map<string, number>();
      for (const d of result.deadLetters) byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
      for (const [reason, n] of byReason) metrics.deadLettered(reason, n);
      log.debug('dead-lettered records', { topic: batch.topic, partition: batch.partition, reasons: Object.fromEntries(byReason) });
    }
    if (result.conflicts > 0) log.debug('dropped readings that conflict with an earlier one at the same timestamp', { count: result.conflicts, partition: batch.partition });
  }

  // Released at stop: the samples still in the reorder buffers, once the consumer has stopped.
  let consuming = true;
  const flush = async (): Promise<void> => {
    // A consumer that did not stop in time may still be windowing: leave its buffers alone.
    if (consuming) return;
    const rest = pipeline.flush();
    if (rest.length === 0 || service.failed()) return;
    try {
      await out.send(topics.windows, rest.map(windowRecord));
      metrics.windowsPublished(rest.length);
    } catch (err) {
      log.error('could not publish the windows flushed at shutdown', { error: err, windows: rest.length });
    }
  };
  service.undo('the windows flushed at shutdown', flush);
  service.undo('the readings consumer', () => service.stopConsuming().then(() => void (consuming = false)));
  await service.orCleanUp(() =>
    service.consume({
      topics: [topics.readings],
      fromBeginning: true,
      partitionsConsumedConcurrently: Math.max(1, topics.partitions),
      handle,
      onCommitError: (error, where) => log.warn('offset commit failed; these readings may be read again', { error, ...where }),
    }),
  );
  service.measureLag([topics.readings], (l) => metrics.consumerLag(groupId, l.topic, l.partition, l.lag), ctx.lagIntervalMs);

  log.info('ingest started', { groupId, readings: topics.readings, windows: topics.windows, deadLetter: topics.deadLetter });

  let stopped: Promise<void> | null = null;
  return {
    groupId,
    ready: service.ready,
    reload(reason) {
      if (watcher === null) log.info(`${reason}: no config file to re-read (--config or SENSORWATCH_CONFIG); ingest goes on unchanged`);
      else watcher.reload(reason);
    },
    stop() {
      watcher?.stop();
      // Give a broker that is away a bounded time, then stop retrying: what
      // was not published is read again after the restart (nothing committed).
      // The windows flushed at shutdown go out after the consumer stopped;
      // their readings stay uncommitted, so a restart cuts the same windows
      // again and the scorer skips the repeats.
      stopped ??= service.stop(() => out.close('ingest is stopping')).then((outcome) => {
        log.info('ingest stopped', { ...pipeline.stats(), ...(outcome.gaveUpOn.length === 0 ? {} : { gaveUpOn: outcome.gaveUpOn }) });
      });
      return stopped;
    },
  };
}
