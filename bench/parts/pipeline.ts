// Helpers for the Kafka-path benchmark: bench-owned topic names, the load
// generator child process, and reading product metrics from a registry.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Registry } from '../../common/service/metrics-registry.ts';
import type { Config } from '../../common/config/types.ts';
import { defaultConfig, topicNamesWithPrefix } from '../../common/config/defaults.ts';
import { decodeWindow } from '../../common/codec/records.ts';
import { ensureTopics, type TopicSpec } from '../../common/kafka/admin.ts';
import { createConsumer } from '../../common/kafka/consumer.ts';
import type { Admin, KafkaClient } from '../../common/kafka/types.ts';
import type { LoadJob } from '../load/produce.ts';
import { SensorwatchError } from '../../common/errors.ts';

const here = dirname(fileURLToPath(import.meta.url));
const producerScript = join(here, '..', 'load', 'produce.ts');

/** Topic names no other run shares: `sensorwatch-bench-<tag>-<random>.<topic>`. */
export function benchTopics(tag: string): Config['topics'] {
  const prefix = `sensorwatch-bench-${tag}-${randomBytes(4).toString('hex')}`;
  return { ...defaultConfig.topics, ...topicNamesWithPrefix(prefix) };
}

export function topicList(t: Config['topics']): string[] {
  return [t.readings, t.windows, t.alerts, t.models, t.modelArtifacts, t.deadLetter, t.labels];
}

export interface LoadResult {
  sent: number;
  seconds: number;
  perSec: number;
  /** paced: time from a reading's stamp to the broker's acknowledgement of it, in the generator. */
  sendDelayP50Ms?: number | null;
  sendDelayP99Ms?: number | null;
  /**
   * paced: per tick, [stamp, queued, sent, acked] (wall clock, ms): the tick's
   * readings were due at `stamp` (their event time), built when the generator
   * got round to them and queued them for sending (`queued`), handed to producer.send (`sent`: the request
   * holding the tick's last reading) and acknowledged by the broker (`acked`).
   */
  ticks?: [number, number, number, number][];
}

/** Runs the load generator as a child process (its own event loop and core). */
export function runLoad(job: LoadJob, timeoutMs: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', producerScript, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        try {
          resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as LoadResult);
        } catch (error) {
          reject(new SensorwatchError(`load generator printed no result: ${String(error)}`, { code: 'bench_failed', cause: error }));
        }
        return;
      }
      const why = signal === 'SIGKILL' ? `ran past ${timeoutMs} ms` : `exited ${code ?? signal}`;
      const lines = stderr.trim().split('\n');
      const failure = lines.findIndex((l) => l.includes('load generator failed'));
      const shown = failure >= 0 ? lines.slice(failure, failure + 3) : lines.slice(-3);
      reject(new SensorwatchError(`load generator ${why}: ${shown.join(' | ')}`, { code: 'bench_failed' }));
    });
  });
}

/** Sum of a counter (or a histogram's _count) over all its label sets; 0 when not registered yet. */
export async function metricTotal(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  let total = 0;
  for (const v of values as { value: number; metricName?: string }[]) {
    if (v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`) total += v.value;
  }
  return total;
}

/** Polls `condition` every `intervalMs` until true or `timeoutMs` passes; returns whether it became true. */
export async function pollUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 10): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (performance.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Creates the topics and waits until the broker serves offsets for every one
 * of them: right after creation a fetch can still fail with "This server does
 * not host this topic-partition", and the services read offsets at start-up.
 */
export async function createTopicsReady(admin: Admin, specs: TopicSpec[], timeoutMs = 30_000): Promise<void> {
  await ensureTopics(admin, specs);
  for (const spec of specs) {
    let last: unknown;
    const ok = await pollUntil(
      async () => {
        try {
          const offsets = await admin.fetchTopicOffsets(spec.name);
          return offsets.length === spec.partitions;
        } catch (error) {
          last = error;
          return false;
        }
      },
      timeoutMs,
      50,
    );
    if (!ok) throw new SensorwatchError(`topic ${spec.name} not served within ${timeoutMs} ms: ${last instanceof Error ? last.message : 'partitions missing'}`, { code: 'bench_timeout' });
  }
}

/**
 * For each window record on `topic` published at or after `from` (ms): its
 * Kafka timestamp (when ingest sent it) minus the window's end event time
 * (when its last reading was produced) = the reading → window-published part
 * of the end-to-end latency; and the window's end (see windowBunching).
 * Reads until `expected` windows were seen.
 */
export async function windowPublishDelays(kafka: KafkaClient, topic: string, expected: number, from: number, timeoutMs: number): Promise<{ delays: number[]; ends: number[] }> {
  const groupId = `${topic}.bench-stages`;
  const consumer = createConsumer(kafka, { groupId, maxWaitTimeMs: 100 });
  const delays: number[] = [];
  const ends: number[] = [];
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          seen++;
          const sentAt = Number(m.timestamp);
          if (sentAt < from) continue;
          const { end } = decodeWindow(m.value);
          delays.push(sentAt - end);
          ends.push(end);
        }
      },
    });
    await pollUntil(() => seen >= expected, timeoutMs, 50);
  } finally {
    await consumer.disconnect();
  }
  return { delays, ends };
}
