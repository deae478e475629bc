// The fault suite's shared parts: a deterministic stream of readings (several
// sensors, out of order within the lateness, a filled gap), the windows a run
// without faults cuts from it (the same windowing code, no broker), and a
// collector that reads the windows topic in order and checks, as it goes,
// that no window identity first appears below one already seen (a late-filled
// hole, which the scorer's replay rule would drop).
import assert from 'node:assert/strict';
import { encodeReading, readingHeaders } from '../../../common/codec/reading.ts';
import { decodeWindow } from '../../../common/codec/records.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import type { Config } from '../../../common/config/types.ts';
import { createConsumer } from '../../../common/kafka/consumer.ts';
import type { Consumer, Producer } from '../../../common/kafka/types.ts';
import type { SensorReading, SignalWindow } from '../../../common/types.ts';
import { windowOptions } from '../../../common/window/options.ts';
import { createWindower } from '../../../common/window/windower.ts';
import { testKafka, uniqueName } from '../../support/kafka.ts';

export const period = 50;
export const channels = ['a', 'b', 'c'];

export function faultConfig(brokers: string[], prefix: string): Config {
  const name = (t: string): string => uniqueName(`${prefix}-${t}`);
  return {
    ...defaultConfig,
    kafka: { ...defaultConfig.kafka, brokers },
    topics: {
      ...defaultConfig.topics,
      readings: name('readings'),
      windows: name('windows'),
      deadLetter: name('dlq'),
      alerts: name('alerts'),
      models: name('models'),
      modelArtifacts: name('artifacts'),
      partitions: 2,
    },
    windowing: { ...defaultConfig.windowing, channels, length: 16, hop: 4, samplePeriodMs: period, allowedLatenessMs: 4 * period, maxFutureMs: 60_000, gapPolicy: 'fill', maxGapSamples: 2 },
  };
}

/** `perSensor` readings for each sensor, interleaved, ending a little before now. */
export function faultReadings(sensors: number, perSensor: number): SensorReading[] {
  const base = Math.floor((Date.now() - perSensor * period - 120_000) / period) * period;
  const out: SensorReading[] = [];
  for (let i = 0; i < perSensor; i++) {
    for (let s = 0; s < sensors; s++) {
      if (s === 1 && i % 500 === 250) continue; // a one-sample gap, filled
      const sensorId = `fault-s${s}`;
      // bounded values with a burst every 400 samples: alerts open and resolve under a zero model
      // (+ 0: no -0, which JSON cannot carry)
      const burst = (i + 60 * s) % 400 < 40 ? 3 : 0.2;
      out.push({ sensorId, timestamp: base + i * period, values: [Number(Math.sin(i / 7).toFixed(3)) * 0.5 + 0, s * 0.1, burst], quality: null });
    }
  }
  // neighbours swapped now and then: out of order within the lateness
  for (let i = 7; i + sensors < out.length; i += 13) [out[i], out[i + sensors]] = [out[i + sensors] as SensorReading, out[i] as SensorReading];
  return out;
}

export const windowKey = (w: Pick<SignalWindow, 'sensorId' | 'seq'>): string => `${w.sensorId}#${w.seq}`;

/** What a run without faults publishes: every window the stream completes (nothing flushed at the end). */
export function controlWindows(config: Config, readings: readonly SensorReading[]): Map<string, SignalWindow> {
  const w = createWindower(windowOptions(config.windowing, 'default'));
  const out: SignalWindow[] = [];
  for (const r of readings) w.push(r, out);
  return new Map(out.map((win) => [windowKey(win), win]));
}

export async function produceReadings(producer: Producer, topic: string, readings: readonly SensorReading[]): Promise<void> {
  for (let i = 0; i < readings.length; i += 2000) {
    const messages = readings.slice(i, i + 2000).map((r, k) => {
      const format = (i + k) % 3 === 0 ? 'json' : 'avro';
      return { key: r.sensorId, value: encodeReading(r, format), headers: readingHeaders(format) };
    });
    await producer.send({ topic, acks: -1, messages });
  }
}

export interface WindowCollector {
  /** First window seen per identity. */
  first: Map<string, SignalWindow>;
  /** Windows read in all, repeats included. */
  total(): number;
  /** Identities that first appeared below a seq already seen for their sensor (holes filled late). */
  lateFirsts: string[];
  stop(): Promise<void>;
}

export async function collectWindows(brokers: string[], topic: string): Promise<WindowCollector> {
  const first = new Map<string, SignalWindow>();
  const maxSeq = new Map<string, number>();
  const lateFirsts: string[] = [];
  let total = 0;
  const groupId = uniqueName('fault-collect');
  const consumer: Consumer = createConsumer(testKafka(brokers, 'fault-collect'), { groupId, maxWaitTimeMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const w = decodeWindow(message.value);
      total++;
      const key = windowKey(w);
      if (!first.has(key)) {
        if (w.seq < (maxSeq.get(w.sensorId) ?? -Infinity)) lateFirsts.push(key);
        first.set(key, w);
      }
      if (w.seq > (maxSeq.get(w.sensorId) ?? -Infinity)) maxSeq.set(w.sensorId, w.seq);
    },
  });
  return { first, total: () => total, lateFirsts, stop: () => consumer.disconnect() };
}

/** The exact comparison with the control run. */
export function assertSameWindows(collected: WindowCollector, control: Map<string, SignalWindow>, what: string): void {
  const missing = [...control.keys()].filter((k) => !collected.first.has(k));
  const extra = [...collected.first.keys()].filter((k) => !control.has(k));
  assert.deepEqual({ missing: missing.slice(0, 10), missingCount: missing.length, extra: extra.slice(0, 10), extraCount: extra.length }, { missing: [], missingCount: 0, extra: [], extraCount: 0 }, `${what}: the set of windows (sensor, seq) differs from the run without faults`);
  for (const [k, w] of control) assert.deepEqual(collected.first.get(k), w, `${what}: window ${k} (the first cut of it, the one the scorer decides) differs from the run without faults`);
  assert.deepEqual(collected.lateFirsts, [], `${what}: windows that first appeared below a later seq of their sensor (a hole filled late)`);
}

/** Waits until no window has arrived for `quietMs` (a replay's repeats included). */
export async function untilQuiet(collector: WindowCollector, quietMs = 1500, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = collector.total();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`windows still arriving after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
    if (collector.total() !== last) {
      last = collector.total();
      since = Date.now();
    }
  }
}

/** For a failure message: what is missing, per sensor (count and seq range). */
export function describeMissing(collector: WindowCollector, control: Map<string, SignalWindow>): string {
  const bySensor = new Map<string, number[]>();
  for (const [k, w] of control) if (!collector.first.has(k)) bySensor.set(w.sensorId, [...(bySensor.get(w.sensorId) ?? []), w.seq]);
  const rows = [...bySensor].map(([s, seqs]) => `${s}: ${seqs.length} missing, seq ${Math.min(...seqs)}..${Math.max(...seqs)}`);
  return `have ${collector.first.size} of ${control.size} windows; ${rows.join('; ') || 'none missing'}`;
}
