// The load generator, run as its own process so producing does not compete
// with ingest and scorer for the benchmark process's event loop.
//   node --import tsx bench/load/produce.ts '<json LoadJob>'
// bulk:  `count` readings as fast as possible (event times from the simulator)
// paced: `rate` readings/s for `seconds`, each stamped with the wall-clock time
//        it was due, so a window's end time is when its last reading was due.
// Prints one JSON line {sent, seconds, perSec, ...} on stdout (LoadResult in
// bench/parts/pipeline.ts); paced runs add each tick's times (queued, sent, acked).
import { defaultConfig } from '../../common/config/defaults.ts';
import { encodeReading, readingHeaders } from '../../common/codec/reading.ts';
import { createKafka } from '../../common/kafka/client.ts';
import { createIdempotentProducer } from '../../common/kafka/producer.ts';
import { createLogger } from '../../common/log.ts';
import type { SensorReading } from '../../common/types.ts';
import { createSimulator } from '../../ingest/simulate/generator.ts';
import { summariseLatencies } from '../stats.ts';
import { pacePlan, tickDue } from './plan.ts';

export interface LoadJob {
  brokers: string[];
  topic: string;
  channels: string[];
  mode: 'bulk' | 'paced';
  /** bulk: readings to send. */
  count?: number;
  /** bulk: sensors, and their sample rate (matching windowing.samplePeriodMs). */
  sensors?: number;
  rateHz?: number;
  /** paced: offered readings/s and duration. */
  rate?: number;
  seconds?: number;
  /**
   * paced: sensors join over this many ticks. Meant to spread the windows'
   * completions over the hop; since windows are cut on the event-time grid
   * (every sensor's windows start at slots that are multiples of the hop) it
   * only staggers the sensors' first readings: all windows of a hop still
   * complete in one tick. The report's window bunching shows which it was.
   */
  staggerTicks?: number;
  seed: number;
}

type Message = { key: string; value: Buffer; headers: Record<string, string> };

/** Readings per produce request: an 8-channel Avro reading with its key and headers is about 120 bytes. */
const maxPerRequest = 4000;

function message(reading: SensorReading, headers: Record<string, string>): Message {
  return { key: reading.sensorId, value: encodeReading(reading, 'avro'), headers };
}

async function main(job: LoadJob): Promise<void> {
  const log = createLogger({ level: 'warn' });
  const kafka = createKafka({ ...defaultConfig.kafka, brokers: job.brokers }, log, { clientSuffix: 'bench-load' });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const headers = readingHeaders('avro');
  const started = performance.now();
  let sent = 0;
  const sendDelays: number[] = [];
  /** paced: per tick, [stamp (= due, the readings' event time), queued, sent, acked] (see LoadResult.ticks). */
  const ticks = new Map<number, [number, number, number, number]>();
  try {
    if (job.mode === 'bulk') {
      const count = job.count ?? 0;
      const sim = createSimulator({
        sensors: job.sensors ?? 100,
        channels: job.channels,
        rateHz: job.rateHz ?? 20,
        startTime: Date.now() - 24 * 3600_000,
        seed: job.seed,
        anomalyEverySeconds: 0,
      });
      // One send at a time, in order: concurrent sends can reach the broker
      // out of order, and reordered readings would be dead-lettered as late.
      const chunk = 10_000;
      while (sent < count) {
        const messages: Message[] = [];
        while (messages.length < chunk && sent + messages.length < count) {
          for (const r of sim.tick().readings) {
            if (sent + messages.length >= count) break;
            messages.push(message(r, headers));
          }
        }
        await producer.send({ topic: job.topic, messages });
        sent += messages.length;
      }
    } else {
      const plan = pacePlan(job.rate ?? 1000, job.seconds ?? 1);
      const sim = createSimulator({ sensors: plan.sensors, channels: job.channels, rateHz: 1000 / plan.tickMs, startTime: 0, seed: job.seed, anomalyEverySeconds: 0 });
      const staggerTicks = Math.max(1, job.staggerTicks ?? 1);
      // Readings are queued as they are produced and sent in order, one request
      // at a time, each request taking everything queued meanwhile (the batching
      // a Java producer's linger does, up to maxPerRequest), so a slow
      // acknowledgement delays readings instead of reordering them. A reading due
      // while a request is in flight waits for its acknowledgement (the
      // `reading queued → reading sent` stage). Several producers were tried
      // (stop 27, docs/performance.md) and not kept.
      const queue: (Message & { stamp: number })[] = [];
      let sending: Promise<void> | null = null;
      const pump = async (): Promise<void> => {
        try {
          while (queue.length > 0) {
            // Capped so a request stays under the broker's message.max.bytes (1 MiB) when the queue has grown.
            const batch = queue.splice(0, maxPerRequest);
            const stamps = batch.map((m) => m.stamp);
            const sentAt = Date.now();
            await producer.send({ topic: job.topic, messages: batch.map(({ stamp: _stamp, ...m }) => m) });
            // Time each reading spent in this generator before the broker had it.
            const acked = Date.now();
            for (const t of stamps) sendDelays.push(acked - t);
            // A tick split over requests (the request cap): its last request counts.
            for (const t of new Set(stamps)) {
              const tick = ticks.get(t);
              if (tick === undefined) continue;
              if (!(tick[2] >= sentAt)) tick[2] = sentAt;
              if (!(tick[3] >= acked)) tick[3] = acked;
            }
          }
        } finally {
          sending = null;
        }
      };
      // Only with something queued: pump then awaits before clearing `sending`.
      const kick = (): void => {
        if (sending === null && queue.length > 0) sending = pump();
      };
      const t0 = Date.now();
      let lastStamp = 0;
      // Tick i's readings, built (simulated and encoded) before they are due:
      // at the due time they are only queued and sent.
      const build = (i: number): { stamp: number; readings: (Message & { stamp: number })[] } => {
        // Event time = when the reading was due under the offered load, not
        // when this process got round to it: latency is measured from there,
        // so a generator that falls behind adds its delay to the figures
        // instead of hiding it (no coordinated omission), and each sensor's
        // samples stay exactly one tick apart (no gaps to fill).
        const stamp = Math.max(Math.round(tickDue(t0, plan, i)), lastStamp + 1);
        lastStamp = stamp;
        const readings: (Message & { stamp: number })[] = [];
        // Sensor s comes online at tick s mod staggerTicks (see LoadJob.staggerTicks).
        sim.tick().readings.forEach((r, s) => {
          if (i >= s % staggerTicks) readings.push({ ...message({ ...r, timestamp: stamp }, headers), stamp });
        });
        return { stamp, readings };
      };
      let next = build(0);
      for (let i = 0; i < plan.ticks; i++) {
        const wait = tickDue(t0, plan, i) - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const { stamp, readings } = next;
        queue.push(...readings);
        sent += readings.length;
        ticks.set(stamp, [stamp, Date.now(), Number.NaN, Number.NaN]);
        kick();
        if (i + 1 < plan.ticks) {
          // The requests go out first (their sends start on this turn), then the next tick is built.
          await new Promise((resolve) => setImmediate(resolve));
          next = build(i + 1);
        }
      }
      while (sending !== null) await sending;
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = (performance.now() - started) / 1000;
  const delays = summariseLatencies(sendDelays);
  process.stdout.write(`${JSON.stringify({ sent, seconds, perSec: sent / seconds, sendDelayP50Ms: delays.p50Ms, sendDelayP99Ms: delays.p99Ms, ticks: [...ticks.values()] })}\n`);
}

const arg = process.argv[2];
if (arg === undefined) {
  process.stderr.write('usage: produce.ts <json job>\n');
  process.exitCode = 2;
} else {
  main(JSON.parse(arg) as LoadJob).catch((error: unknown) => {
    process.stderr.write(`bench load generator failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
