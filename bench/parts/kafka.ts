// Part 3: the Kafka path on a real broker. Ingest throughput (Avro readings,
// 8 channels) against Kafka's own ConsumerPerformance reading the same topic;
// then end-to-end latency, reading produced → decision for its window, with
// ingest and scorer running, at several offered loads: ingest and scorer in
// one process (as the demo runs them) and in two (as deployed).
import { Registry } from '../../common/service/metrics-registry.ts';
import type { Config } from '../../common/config/types.ts';
import type { Admin } from '../../common/kafka/types.ts';
import { defaultConfig } from '../../common/config/defaults.ts';
import { deleteTopics } from '../../common/kafka/admin.ts';
import { createKafka } from '../../common/kafka/client.ts';
import { startLocalBroker, type LocalBroker } from '../../common/kafka-local/local-broker.ts';
import type { Logger } from '../../common/log.ts';
import { startIngest } from '../../ingest/service.ts';
import { runConsumerPerf } from '../../common/kafka-local/perf-tool.ts';
import { pacePlan } from '../load/plan.ts';
import { emptyKafka, type BackendName, type IngestRound, type KafkaSection } from '../report.ts';
import { medianOf, ratio } from '../stats.ts';
import { channels } from './fixtures.ts';
import { latencyAt, latencyConfig, trainLatencyModel } from './latency.ts';
import { benchTopics, createTopicsReady, metricTotal, pollUntil, runLoad, topicList } from './pipeline.ts';
import { SensorwatchError } from '../../common/errors.ts';

export interface KafkaOptions {
  /** Readings preloaded for the throughput comparison. */
  readings: number;
  sensors: number;
  /** Offered loads for the latency runs, readings/s. */
  loads: number[];
  /** Layouts of the latency runs (1: ingest and scorer in one process, 2: in two); each run of a load goes through them back to back. */
  processes: (1 | 2)[];
  /** Skip the throughput comparison (ingest vs ConsumerPerformance): latency runs only. */
  latencyOnly: boolean;
  loadSeconds: number;
  /** Rounds of the throughput comparison and runs per offered load (machines here are noisy: medians are reported). */
  repeats: number;
  /** Extra seconds of load at the start of each latency run, not counted. */
  warmupSeconds: number;
  /** Epochs for the model the scorer serves in the latency runs. */
  modelEpochs: number;
  /** The backend that trains that model (the scorer picks its own: config scorer.backend). */
  backend: BackendName;
  perfToolTimeoutMs: number;
  /** Use these brokers; empty: start a local one for the run. */
  brokers: string[];
  log: Logger;
}

/** The configuration the Kafka path runs with: defaults, bench topics, given brokers. */
export function benchConfig(brokers: string[], topics: Config['topics']): Config {
  return {
    ...defaultConfig,
    kafka: { ...defaultConfig.kafka, brokers, clientId: 'sensorwatch-bench' },
    topics,
    logLevel: 'warn',
  };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
}

export async function benchKafka(options: KafkaOptions): Promise<KafkaSection> {
  const { log } = options;
  let broker: LocalBroker | null = null;
  let brokers = options.brokers;
  if (brokers.length === 0) {
    broker = await startLocalBroker({ port: 0, log: (m) => log.debug(`bench broker: ${m}`) });
    brokers = broker.brokers;
  }
  const kafka = createKafka({ ...defaultConfig.kafka, brokers }, log, { clientSuffix: 'bench' });
  const admin = kafka.admin();
  await admin.connect();
  const created: string[] = [];
  const section = emptyKafka('');
  const reasons: string[] = [];
  try {
    const topics = benchTopics('ingest');
    if (options.latencyOnly) reasons.push('ingest throughput not measured (--latency-only)');
    else await throughputRounds({ brokers, topics, admin, created, section, reasons, options });

    if (options.loads.length === 0) {
      reasons.push('latency not measured: no loads given (--loads none)');
    } else {
      try {
        const base = benchConfig(brokers, topics);
        // Trained once; each run loads its own copy from the artifact (the scorer disposes its models on stop).
        const artifact = await trainLatencyModel(latencyConfig(base, pacePlan(options.loads[0] ?? 1000, 1).tickMs), options.backend, options.modelEpochs);
        // Ascending loads, each run `repeats` times in a row, each layout back to back: a load
        // the machine cannot carry (its backlog in the broker) does not run before the ones it can.
        for (const rate of [...options.loads].sort((x, y) => x - y)) {
          for (let repeat = 1; repeat <= options.repeats; repeat++) {
            for (const processes of options.processes) {
              const row = await latencyAt({ brokers, rate, seconds: options.loadSeconds, warmupSeconds: options.warmupSeconds, base, artifact, admin, kafka, created, processes, log });
              section.latency.push({ ...row, repeat });
              if (row.windows === 0) reasons.push(`no window was decided after warm-up at ${rate} readings/s, ${processes} process(es), run ${repeat} (${Math.round(row.achievedPerSec)}/s achieved)`);
            }
          }
        }
        const p99At20k = (processes: 1 | 2): number | null =>
          medianOf(section.latency.filter((l) => l.offeredPerSec === 20_000 && l.processes === processes).map((l) => l.p99Ms));
        section.latencyP99Ms = p99At20k(1);
        section.latencyApartP99Ms = p99At20k(2);
        if (!options.loads.includes(20_000)) reasons.push('latency not measured at 20k readings/s (not among the loads)');
      } catch (error) {
        log.warn('bench: latency runs failed', { error, stack: error instanceof Error ? error.stack : undefined });
        reasons.push(`latency: ${reasonOf(error)}`);
      }
    }
  } finally {
    await deleteTopics(admin, created).catch((error: unknown) => log.warn('bench: topics not deleted', { error }));
    await admin.disconnect();
    if (broker !== null) await broker.stop();
  }
  section.reason = reasons.length === 0 ? null : reasons.join('; ');
  return section;
}

interface ThroughputRun {
  brokers: string[];
  topics: Config['topics'];
  admin: Admin;
  created: string[];
  section: KafkaSection;
  reasons: string[];
  options: KafkaOptions;
}

/** Throughput: one preloaded topic, read by Kafka's tool and by our ingest, `repeats` rounds. */
async function throughputRounds(run: ThroughputRun): Promise<void> {
  const { brokers, topics, admin, section, reasons, options } = run;
  const { log } = options;
  await createTopicsReady(admin, topicList(topics).map((name) => ({ name, partitions: topics.partitions })));
  run.created.push(...topicList(topics));
  const load = await runLoad(
    {
      brokers,
      topic: topics.readings,
      channels,
      mode: 'bulk',
      count: options.readings,
      sensors: options.sensors,
      rateHz: 1000 / defaultConfig.windowing.samplePeriodMs,
      seed: 11,
    },
    options.perfToolTimeoutMs,
  );
  section.readings = load.sent;
  log.info('bench kafka: preloaded readings', { ...load });

  // Rounds: Kafka's tool, then our ingest (a fresh group each), back to back on the same topic.
  for (let round = 1; round <= options.repeats; round++) {
    const row: IngestRound = { ingestReadingsPerSec: null, perfToolReadingsPerSec: null, ratio: null };
    try {
      const perf = await runConsumerPerf({ brokers, topic: topics.readings, messages: load.sent, groupId: `${topics.readings}.perf-${round}` });
      if (perf.messages < load.sent) throw new SensorwatchError(`read ${perf.messages} of ${load.sent} records${perf.warning === undefined ? '' : ` (${perf.warning})`}`, { code: 'bench_failed' });
      // fetch.nMsg.sec: the tool's own rate without its group join, as ingest is timed.
      row.perfToolReadingsPerSec = perf.fetchMessagesPerSec;
      log.info('bench kafka: ConsumerPerformance', { round, ...perf });
    } catch (error) {
      reasons.push(`Kafka's consumer perf tool (round ${round}): ${reasonOf(error)}`);
    }
    row.ingestReadingsPerSec = await ingestThroughput(brokers, topics, load.sent, `${topics.readings}.ingest-${round}`, options);
    row.ratio = ratio(row.ingestReadingsPerSec, row.perfToolReadingsPerSec);
    section.ingestRounds.push(row);
  }
  section.ingestReadingsPerSec = medianOf(section.ingestRounds.map((g) => g.ingestReadingsPerSec));
  section.perfToolReadingsPerSec = medianOf(section.ingestRounds.map((g) => g.perfToolReadingsPerSec));
  section.ingestRatio = medianOf(section.ingestRounds.map((g) => g.ratio));
}

/**
 * Readings/s of the product's ingest over a preloaded topic: from the moment
 * its consumer joined the group (Kafka's tool also leaves the group join out)
 * until every reading was counted as ingested.
 */
async function ingestThroughput(brokers: string[], topics: Config['topics'], count: number, groupId: string, options: KafkaOptions): Promise<number> {
  const registry = new Registry();
  const service = await startIngest({ config: benchConfig(brokers, topics), log: options.log, registry, brokers, groupId });
  try {
    if (!(await pollUntil(() => service.ready(), 60_000, 2))) throw new SensorwatchError('ingest did not join its consumer group within 60 s', { code: 'bench_timeout' });
    const t0 = performance.now();
    // CPU time and event-loop utilisation of this process (ingest runs in it) over the same span:
    // on a loaded machine, CPU-seconds per reading moves much less than wall time does.
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const done = await pollUntil(async () => (await metricTotal(registry, 'sensorwatch_readings_ingested_total')) >= count, 600_000, 5);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const busy = performance.eventLoopUtilization(elu0).utilization;
    const ingested = await metricTotal(registry, 'sensorwatch_readings_ingested_total');
    if (!done) throw new SensorwatchError(`ingest counted ${ingested} of ${count} readings within 600 s`, { code: 'bench_timeout' });
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    options.log.info('bench kafka: ingest', { count, seconds, cpuSeconds, readingsPerCpuSecond: Math.round(count / cpuSeconds), eventLoopBusy: Number(busy.toFixed(3)) });
    return count / seconds;
  } finally {
    await service.stop();
  }
}
