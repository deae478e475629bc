// The load generator, run as its own process so producing does not compete
// with ingest and scorer for the benchmark process's event loop.
//   node --import tsx bench/load/produce.ts '<json LoadJob>'
// bulk:  `count` readings as fast as possible (event times from the simulator)
// paced: `rate` readings/s for `seconds`, each stamped with the wall clock at
//        send time, so a window's end time is when its last reading was produced.
// Prints one JSON line {sent, seconds, perSec} on stdout.
import { defaultConfig } from '../../common/config/defaults.ts';
import { encodeReading, readingHeaders } from '../../common/codec/reading.ts';
import { createKafka } from '../../common/kafka/client.ts';
import { createLogger } from '../../common/log.ts';
import type { SensorReading } from '../../common/types.ts';
import { createSimulator } from '../../ingest/simulate/generator.ts';
import { pacePlan, tickDue } from './plan.ts';

export interface LoadJob {
  brokers: string[];
  topic: string;
  channels: string[];
  mode: 'bulk' | 'paced';
  /** bulk: readings to send. */
  count?: number;
  /** bulk: sensors. */
  sensors?: number;
  /** paced: offered readings/s and duration. */
  rate?: number;
  seconds?: number;
  /** paced: sensors join over this many ticks (the window hop, so windows complete evenly spread). */
  staggerTicks?: number;
  seed: number;
}

type Message = { key: string; value: Buffer; headers: Record<string, string> };

function message(reading: SensorReading, headers: Record<string, string>): Message {
  return { key: reading.sensorId, value: encodeReading(reading, 'avro'), headers };
}

async function main(job: LoadJob): Promise<void> {
  const log = createLogger({ level: 'warn' });
  const kafka = createKafka({ ...defaultConfig.kafka, brokers: job.brokers }, log, { clientSuffix: 'bench-load' });
  // Not the product's idempotent producer: several requests in flight keep a
  // slow acknowledgement from throttling the offered load (a retry could
  // reorder a few readings; the windower would count them late, not lose them).
  const producer = kafka.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 5 });
  await producer.connect();
  const headers = readingHeaders('avro');
  const started = performance.now();
  let sent = 0;
  try {
    if (job.mode === 'bulk') {
      const count = job.count ?? 0;
      const sim = createSimulator({
        sensors: job.sensors ?? 100,
        channels: job.channels,
        rateHz: 10,
        startTime: Date.now() - 24 * 3600_000,
        seed: job.seed,
        anomalyEverySeconds: 0,
      });
      const chunk = 5_000;
      const inFlight = new Set<Promise<unknown>>();
      while (sent < count) {
        const messages: Message[] = [];
        while (messages.length < chunk && sent + messages.length < count) {
          for (const r of sim.tick().readings) {
            if (sent + messages.length >= count) break;
            messages.push(message(r, headers));
          }
        }
        const p: Promise<unknown> = producer.send({ topic: job.topic, messages }).then((): boolean => inFlight.delete(p));
        inFlight.add(p);
        sent += messages.length;
        if (inFlight.size >= 4) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } else {
      const plan = pacePlan(job.rate ?? 1000, job.seconds ?? 1);
      const sim = createSimulator({ sensors: plan.sensors, channels: job.channels, rateHz: 1000 / plan.tickMs, startTime: 0, seed: job.seed, anomalyEverySeconds: 0 });
      const staggerTicks = Math.max(1, job.staggerTicks ?? 1);
      const t0 = Date.now();
      let lastStamp = 0;
      const inFlight = new Set<Promise<unknown>>();
      for (let i = 0; i < plan.ticks; i++) {
        const wait = tickDue(t0, plan, i) - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        // Event time = the moment of production: the scorer's latency is measured
        // from it. Kept strictly increasing: a generator catching up after a
        // stall sends ticks within one millisecond, and equal timestamps of one
        // sensor would be dropped as conflicts.
        const now = Math.max(Date.now(), lastStamp + 1);
        lastStamp = now;
        // Sensor s comes online at tick s mod hop, so their windows complete
        // spread over the ticks instead of all in the same one.
        const messages: Message[] = [];
        sim.tick().readings.forEach((r, s) => {
          if (i >= s % staggerTicks) messages.push(message({ ...r, timestamp: now }, headers));
        });
        // Sends overlap (kafkajs queues them in order per partition) so a
        // slow acknowledgement does not hold back the offered load.
        const p: Promise<unknown> = producer.send({ topic: job.topic, messages }).then((): boolean => inFlight.delete(p));
        inFlight.add(p);
        sent += messages.length;
      }
      await Promise.all(inFlight);
    }
  } finally {
    await producer.disconnect();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ sent, seconds, perSec: sent / seconds })}\n`);
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
