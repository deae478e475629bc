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
import type { Config } from '../common/config/types.ts';
import { createDeadLetterPublisher, type OutgoingRecord } from '../common/dead-letter.ts';
import { SensorwatchError } from '../common/errors.ts';
import { consumerLag, describeMismatch, ensureTopics } from '../common/kafka/admin.ts';
import { createKafka } from '../common/kafka/client.ts';
import { createConsumer, runBatches, type ConsumedBatch, type TakenBatch } from '../common/kafka/consumer.ts';
import type { ClientOverrides } from '../common/kafka/options.ts';
import { createOrderedProducer } from '../common/kafka/ordered-producer.ts';
import { createIdempotentProducer } from '../common/kafka/producer.ts';
import type { Logger } from '../common/log.ts';
import { stopInSteps } from '../common/service/stop.ts';
import type { SignalWindow } from '../common/types.ts';
import { windowOptions } from '../common/window/options.ts';
import { createIngestMetrics } from './metrics.ts';
import { createIngestPipeline, type BatchOutcome, type ConsumedRecord } from './pipeline.ts';
import { createResetReporter } from './resets.ts';

export interface IngestContext {
  config: Config;
  log: Logger;
  registry: Registry;
  /** Brokers to use instead of config.kafka.brokers (e.g. the local broker the demo started). */
  brokers?: string[];
  /** Consumer group; default `<kafka.clientId>-ingest`. */
  groupId?: string;
  /** Wall clock (ms) for the future-timestamp check; injected in tests. */
  clock?: () => number;
  /** Consumer group timing (tests use a short session so a killed member is noticed quickly). */
  consumer?: { sessionTimeoutMs?: number; heartbeatIntervalMs?: number };
  /** How often consumer lag is measured, ms; default 5000. */
  lagIntervalMs?: number;
  /** Called once when ingest cannot go on (a publish failed for a reason retrying cannot fix); default: log only. */
  onFatal?: (error: Error) => void;
}

export interface IngestService {
  groupId: string;
  /** True once the consumer has joined its group. */
  ready(): boolean;
  /** Stops consuming, publishes the windows still buffered, closes the clients; bounded (stopBudgetMs). */
  stop(): Promise<void>;
}

/** A stop's bound: publishing is given up after stopPublishingAfterMs, every other step fits in what is left. */
export const stopBudgetMs = 25_000;
const stopPublishingAfterMs = 15_000;

const windowRecord = (w: SignalWindow): OutgoingRecord => ({ key: w.sensorId, value: encodeWindow(w), headers: { 'content-type': 'application/avro' } });

export async function startIngest(ctx: IngestContext): Promise<IngestService> {
  const { config, registry } = ctx;
  const log = ctx.log.child({ service: 'ingest' });
  const clock = ctx.clock ?? Date.now;
  const topics = config.topics;
  const groupId = ctx.groupId ?? `${config.kafka.clientId}-ingest`;
  const metrics = createIngestMetrics(registry);
  const pipeline = createIngestPipeline({ window: windowOptions(config.windowing), maxFutureMs: config.windowing.maxFutureMs, idleAfterMs: config.windowing.idleAfterMs });
  const resets = createResetReporter({ log, metrics, samplePeriodMs: config.windowing.samplePeriodMs, maxGapSamples: config.windowing.maxGapSamples });

  const overrides: ClientOverrides = { clientSuffix: 'ingest' };
  if (ctx.brokers !== undefined) overrides.brokers = ctx.brokers;
  const kafka = createKafka(config.kafka, log, overrides);
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const consumer = createConsumer(kafka, {
    groupId,
    maxWaitTimeMs: 100,
    maxBytesPerPartition: 8 * 1048576,
    ...ctx.consumer,
    onJoin: (assignment) => {
      // A (re)join resumes every partition at its committed offset, which is
      // never past a reading the windowers hold: start them afresh from there.
      pipeline.reset();
      joined = true;
      log.info('joined consumer group', { groupId, assignment });
    },
    onRestart: (error) => log.warn('consumer crashed; the client restarts it', { error }),
    onFatal: (error) => fail(new SensorwatchError('ingest consumer crashed and will not restart', { code: 'ingest_consumer_crash', cause: error })),
  });
  let retrying = 0;
  const out = createOrderedProducer(producer, {
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

  await admin.connect();
  const spec = (name: string): { name: string; partitions: number; replicationFactor: number } => ({ name, partitions: topics.partitions, replicationFactor: topics.replicationFactor });
  const ensured = await ensureTopics(admin, [spec(topics.readings), spec(topics.windows), spec(topics.deadLetter)]);
  if (ensured.created.length > 0) log.info('created topics', { topics: ensured.created });
  for (const m of ensured.mismatched) log.warn(describeMismatch(m), { ...m });
  await producer.connect();
  await consumer.connect();

  let joined = false;
  let stopping = false;
  let fatal = false;

  function fail(error: Error): void {
    if (fatal) return;
    fatal = true;
    log.error('ingest cannot continue', { error, cause: (error as { cause?: unknown }).cause });
    ctx.onFatal?.(error);
  }

  /** Decodes and windows a batch now; its windows and dead letters are acknowledged later (`durable`). */
  async function handle(batch: ConsumedBatch): Promise<TakenBatch> {
    const broken = out.failure();
    if (fatal || broken !== null) throw new SensorwatchError('ingest stopped after a fatal error', { code: 'ingest_failed', cause: broken });
    const records: readonly ConsumedRecord[] = batch.messages;
    const result = pipeline.processBatch(batch.topic, batch.partition, records, clock());
    resets.report(result.resets, clock());
    const sent = Promise.all([out.send(topics.windows, result.windows.map(windowRecord)), deadLetters.send(result.deadLetters)]);
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
        if (!stopping) fail(error);
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

  const run = await runBatches(consumer, {
    topics: [topics.readings],
    fromBeginning: true,
    partitionsConsumedConcurrently: Math.max(1, topics.partitions),
    handle,
    onCommitError: (error, where) => log.warn('offset commit failed; these readings may be read again', { error, ...where }),
  });

  const lagTimer = setInterval(() => {
    consumerLag(admin, groupId, [topics.readings]).then(
      (lags) => {
        for (const l of lags) metrics.consumerLag(groupId, l.topic, l.partition, l.lag);
      },
      (err: unknown) => log.debug('consumer lag not measured', { error: err }),
    );
  }, ctx.lagIntervalMs ?? 5000);
  lagTimer.unref();

  log.info('ingest started', { groupId, readings: topics.readings, windows: topics.windows, deadLetter: topics.deadLetter });

  return {
    groupId,
    ready: () => joined && !fatal,
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(lagTimer);
      // Give a broker that is away a bounded time, then stop retrying: what
      // was not published is read again after the restart (nothing committed).
      const giveUp = setTimeout(() => out.close('ingest is stopping'), stopPublishingAfterMs);
      // Release the samples still in the reorder buffers: their windows go out
      // now. Their readings stay uncommitted; a restart cuts the same windows
      // again and the scorer skips the repeats.
      let consuming = true;
      const flush = async (): Promise<void> => {
        // A consumer that did not stop in time may still be windowing: leave its buffers alone.
        if (consuming) return;
        const rest = pipeline.flush();
        if (rest.length === 0 || fatal) return;
        try {
          await out.send(topics.windows, rest.map(windowRecord));
          metrics.windowsPublished(rest.length);
        } catch (err) {
          log.error('could not publish the windows flushed at shutdown', { error: err, windows: rest.length });
        }
      };
      const outcome = await stopInSteps(
        [
          { name: 'the readings consumer', run: () => run.stop().then(() => void (consuming = false)) },
          { name: 'the windows flushed at shutdown', run: flush },
          { name: 'the producer (flush and disconnect)', run: () => producer.disconnect() },
          { name: 'the admin client', run: () => admin.disconnect() },
        ],
        { budgetMs: stopBudgetMs, log },
      );
      clearTimeout(giveUp);
      log.info('ingest stopped', { ...pipeline.stats(), ...(outcome.gaveUpOn.length === 0 ? {} : { gaveUpOn: outcome.gaveUpOn }) });
    },
  };
}
