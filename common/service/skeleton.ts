// The Kafka lifecycle every consuming service shares (ingest, scorer): the
// client, the admin client, topic creation with retry, the producer, the
// consumer with join and crash handling, the lag timer, the cleanup stack
// (cleanup.ts) with the bounded stop and the give-up on publishing, and the
// part of readiness they share (joined, not failed, not stopping). The
// service adds its handlers and pushes its own resources on the same stack.
import type { Config } from '../config/types.ts';
import { consumerLag, describeMismatch, ensureTopics, type PartitionLag, type TopicSpec } from '../kafka/admin.ts';
import { createKafka } from '../kafka/client.ts';
import { createConsumer, runBatches, type BatchRun, type ConsumerOptions, type RunBatchesOptions } from '../kafka/consumer.ts';
import { createIdempotentProducer } from '../kafka/producer.ts';
import type { Admin, KafkaClient, Producer } from '../kafka/types.ts';
import type { Logger } from '../log.ts';
import { createCleanupStack, orCleanUp } from './cleanup.ts';
import { retrying } from './retrying.ts';
import type { StopOutcome } from './stop.ts';

export type ServiceName = 'ingest' | 'scorer';

/**
 * Default consumer groups. The rule is that the names already deployed are
 * kept (a new name would start a group without committed offsets), so the two
 * differ in their separator: `<kafka.clientId>-ingest`, `<kafka.clientId>.scorer`.
 */
export const defaultGroupIds: Readonly<Record<ServiceName, (clientId: string) => string>> = {
  ingest: (clientId) => `${clientId}-ingest`,
  scorer: (clientId) => `${clientId}.scorer`,
};

/** A stop's bound: publishing is given up after stopPublishingAfterMs, every other step fits in what is left. */
export const stopBudgetMs = 25_000;
export const stopPublishingAfterMs = 15_000;

export interface ServiceOptions {
  name: ServiceName;
  config: Config;
  /** Already the service's child logger. */
  log: Logger;
  /** Brokers to use instead of config.kafka.brokers. */
  brokers?: string[] | undefined;
  groupId: string;
  /** Created when missing (retried while Kafka says retrying helps); a partition count that differs is logged. */
  topics: TopicSpec[];
  consumer: Omit<ConsumerOptions, 'groupId' | 'onJoin' | 'onRestart' | 'onFatal'>;
  /** After every (re)join, once `joined()` is true. */
  onJoin?(assignment: Record<string, number[]>): void;
  /** The error a consumer that will not restart is reported as (default: the crash itself). */
  crashError?(error: Error): Error;
  /** Called once when the service cannot go on (`fail`). */
  onFatal?(error: Error): void;
  /** Tests pass an already made client (to watch it); default: createKafka. */
  kafka?: KafkaClient;
}

export interface Service {
  kafka: KafkaClient;
  admin: Admin;
  producer: Producer;
  groupId: string;
  /** Pushes a step on the cleanup stack (run last pushed first, at stop or when start-up fails). */
  undo(name: string, run: () => Promise<unknown> | unknown): void;
  /** Connects the consumer and runs it; the step that stops it is `stopConsuming`. */
  consume(options: RunBatchesOptions): Promise<BatchRun>;
  /** Stops the run, or disconnects the consumer when it never ran. */
  stopConsuming(): Promise<void>;
  /** Measures the group's lag on `topics` every `everyMs` (default 5 s); the timer is on the stack. */
  measureLag(topics: string[], record: (lag: PartitionLag) => void, everyMs?: number): void;
  /** Reports the service as unable to go on: logged once, then onFatal. */
  fail(error: Error, message?: string): void;
  failed(): boolean;
  joined(): boolean;
  stopping(): boolean;
  /** Joined, not failed and not stopping: the shared part of readiness. */
  ready(): boolean;
  /** Runs the cleanup stack within stopBudgetMs; `giveUp` (stop retrying publishes) after stopPublishingAfterMs. */
  stop(giveUp?: () => void): Promise<StopOutcome>;
  /** For a start-up that fails after startService: undoes everything, then rethrows. */
  orCleanUp<T>(start: () => Promise<T>): Promise<T>;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const { name, log, groupId } = options;
  const stack = createCleanupStack({ log, budgetMs: stopBudgetMs });
  let joined = false;
  let fatal = false;
  let stopping = false;
  let run: BatchRun | null = null;

  const fail = (error: Error, message = `${name} cannot continue`): void => {
    if (fatal) return;
    fatal = true;
    log.error(message, { error, cause: (error as { cause?: unknown }).cause });
    options.onFatal?.(error);
  };
  const kafka = options.kafka ?? createKafka(options.config.kafka, log, { clientSuffix: name, ...(options.brokers === undefined ? {} : { brokers: options.brokers }) });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  const consumer = createConsumer(kafka, {
    ...options.consumer,
    groupId,
    onJoin: (assignment) => {
      joined = true;
      log.info('joined consumer group', { groupId, assignment });
      options.onJoin?.(assignment);
    },
    onRestart: (error) => log.warn(`${name} consumer crashed; the client restarts it`, { error }),
    onFatal: (error) => fail(options.crashError?.(error) ?? error, `${name} consumer crashed and will not restart`),
  });

  await orCleanUp(stack, async () => {
    await admin.connect();
    stack.undo('the admin client', () => admin.disconnect());
    const ensured = await retrying(() => ensureTopics(admin, options.topics), log, 'creating topics');
    if (ensured.created.length > 0) log.info('created topics', { topics: ensured.created });
    for (const m of ensured.mismatched) log.warn(describeMismatch(m), { ...m });
    await producer.connect();
    stack.undo('the producer (flush and disconnect)', () => producer.disconnect());
  });

  return {
    kafka,
    admin,
    producer,
    groupId,
    undo: stack.undo,
    async consume(runOptions) {
      await consumer.connect();
      run = await runBatches(consumer, runOptions);
      return run;
    },
    stopConsuming: () => (run === null ? consumer.disconnect() : run.stop()),
    measureLag(topics, record, everyMs = 5000) {
      const timer = setInterval(() => {
        consumerLag(admin, groupId, topics).then(
          (lags) => lags.forEach(record),
          (error: unknown) => log.debug('consumer lag not measured', { error }),
        );
      }, everyMs);
      timer.unref();
      stack.undo('the lag timer', () => clearInterval(timer));
    },
    fail,
    failed: () => fatal,
    joined: () => joined,
    stopping: () => stopping,
    ready: () => joined && !fatal && !stopping,
    async stop(giveUp) {
      stopping = true;
      // With the broker away, publishes in flight would wait for it for ever: give up on them
      // (what they carried is uncommitted and done again after a restart).
      const timer = giveUp === undefined ? undefined : setTimeout(giveUp, stopPublishingAfterMs);
      try {
        return await stack.run();
      } finally {
        clearTimeout(timer);
      }
    },
    orCleanUp: (start) => orCleanUp(stack, start),
  };
}
