// Integration-test support: brokers, unique names, topics, polling, reading.
// Brokers: SENSORWATCH_TEST_BROKERS (the shared broker scripts/test.mjs
// starts), else one real broker started lazily for this test process and
// stopped when it exits.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultConfig } from '../../common/config/defaults.ts';
import { createKafka } from '../../common/kafka/client.ts';
import { deleteTopics as deleteExisting, ensureTopics, type TopicSpec } from '../../common/kafka/admin.ts';
import { createConsumer } from '../../common/kafka/consumer.ts';
import { startLocalBroker, type LocalBroker } from '../../common/kafka-local/local-broker.ts';
import type { Admin, KafkaClient, IncomingRecord } from '../../common/kafka/types.ts';
import { createLogger } from '../../common/log.ts';

let shared: Promise<string[]> | undefined;
let own: LocalBroker | undefined;

export function testBrokers(): Promise<string[]> {
  shared ??= resolveBrokers();
  return shared;
}

async function resolveBrokers(): Promise<string[]> {
  const fromEnv = process.env.SENSORWATCH_TEST_BROKERS;
  if (fromEnv) return fromEnv.split(',').map((b) => b.trim()).filter(Boolean);
  own = await startLocalBroker({ port: 0, unref: true, log: (m) => process.stderr.write(`[test broker] ${m}\n`) });
  const broker = own;
  let stopping = false;
  // Stop gracefully once the tests are done; 'exit' is the synchronous fallback
  // (the watchdog in local-broker.ts covers a hard kill of this process).
  process.on('beforeExit', () => {
    if (stopping) return;
    stopping = true;
    void broker.stop();
  });
  process.on('exit', () => {
    if (!stopping) {
      try {
        process.kill(broker.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return broker.brokers;
}

/** `prefix-<time>-<random>`: topic and group names no other test (or run) shares. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A Kafka client for tests; its client logs go to stderr at warn+. */
export function testKafka(brokers: string[], clientSuffix = 'test'): KafkaClient {
  const log = createLogger({ level: process.env.SENSORWATCH_TEST_LOG === 'debug' ? 'debug' : 'warn' });
  return createKafka({ ...defaultConfig.kafka, brokers }, log, { clientSuffix });
}

export async function withAdmin<T>(brokers: string[], fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = testKafka(brokers, 'test-admin').admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export type TestTopic = string | TopicSpec;

/** Creates topics (a bare name = 1 partition) and waits for their leaders. */
export async function createTopics(brokers: string[], topics: TestTopic[]): Promise<void> {
  const specs = topics.map((t) => (typeof t === 'string' ? { name: t, partitions: 1 } : t));
  await withAdmin(brokers, (admin) => ensureTopics(admin, specs));
}

export async function deleteTopics(brokers: string[], names: string[]): Promise<void> {
  await withAdmin(brokers, (admin) => deleteExisting(admin, names));
}

export async function deleteGroups(brokers: string[], groupIds: string[]): Promise<void> {
  await withAdmin(brokers, async (admin) => {
    await admin.deleteGroups(groupIds).catch(() => undefined); // a group that never committed does not exist
  });
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the timeout message: 'the consumer to resume'. */
  what: string;
}

/** Polls `condition` until it returns a truthy value, which is returned. Never a fixed sleep. */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}${why}`);
    }
    await sleep(intervalMs);
  }
}

export interface CollectOptions {
  brokers: string[];
  topic: string;
  count: number;
  timeoutMs?: number;
}

/** Reads `count` messages of `topic` from the beginning with a throwaway group (deleted after). */
export async function collectMessages(options: CollectOptions): Promise<IncomingRecord[]> {
  const groupId = uniqueName('collect');
  const consumer = createConsumer(testKafka(options.brokers, 'collect'), { groupId, maxWaitTimeMs: 100 });
  const messages: IncomingRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        messages.push(message);
      },
    });
    const timeoutMs = options.timeoutMs ?? 20_000;
    const done = await waitFor(() => messages.length >= options.count, { timeoutMs, what: 'messages' }).then(
      () => true,
      () => false,
    );
    if (!done) {
      throw new Error(`collectMessages: got ${messages.length} of ${options.count} messages on ${options.topic} within ${timeoutMs} ms`);
    }
  } finally {
    await consumer.disconnect();
  }
  await deleteGroups(options.brokers, [groupId]);
  return messages;
}
