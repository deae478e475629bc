// End-to-end latency with the whole pipeline running: paced readings (stamped
// with the wall-clock time they were due) → ingest → windows → scorer → decision.
// The scorer measures each window's latency itself (decision acknowledged by
// the broker − the window's end event time = the production time of its last
// reading); the bench records every one of those observations exactly.
//
// Two layouts: ingest and scorer in this one process (as the demo runs them,
// sharing an event loop), or ingest in a child process of its own and the
// scorer here (as deployed: two services).
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Histogram, Registry, type HistogramConfiguration } from 'prom-client';
import type { Config } from '../../common/config/types.ts';
import type { Admin, KafkaClient } from '../../common/kafka/types.ts';
import type { Logger } from '../../common/log.ts';
import type { SignalWindow } from '../../common/types.ts';
import { parseArtifact, serialiseArtifact, type LoadedModel } from '../../common/model/artifact.ts';
import { initBackend } from '../../common/model/backend.ts';
import { trainModel } from '../../common/model/train.ts';
import { windowOptions, windowsFromReadings } from '../../common/window/index.ts';
import { startIngest, type IngestTrace } from '../../ingest/service.ts';
import { simulate } from '../../ingest/simulate/generator.ts';
import { startScorer, type ScorerTrace } from '../../scorer/service.ts';
import type { ModelFeed } from '../../scorer/ports.ts';
import { stateTopicSpec } from '../../scorer/state-store.ts';
import { pacePlan } from '../load/plan.ts';
import type { BackendName, LatencyRow, LatencyStage } from '../report.ts';
import { summariseLatencies, windowBunching } from '../stats.ts';
import { channels } from './fixtures.ts';
import type { FromIngest, IngestJob, ToIngest } from './ingest-process.ts';
import { benchTopics, createTopicsReady, metricTotal, pollUntil, runLoad, topicList, windowPublishDelays } from './pipeline.ts';
import { SensorwatchError } from '../../common/errors.ts';

export const latencyMetric = 'sensorwatch_scoring_latency_seconds';

/**
 * A window's stages, in order: its last reading due (its end), then the load
 * generator's (LoadResult.ticks: the reading queued for sending, handed to producer.send,
 * acknowledged), then ingest's and the scorer's (IngestTrace, ScorerTrace).
 */
export const stageNames = [
  'reading due',
  'reading queued',
  'reading sent',
  'reading acked',
  'ingest fetched',
  'windowed',
  'window acked',
  'scorer fetched',
  'scoring started',
  'decided',
  'decision acked',
] as const;
const sentStage = 2;

/**
 * Per window, the wall-clock time of each stage (the first time it was seen
 * there: a replay keeps the first). Stages a layout cannot see (ingest's, with
 * ingest in another process) stay empty and are spanned by the next gap.
 */
export class StageRecorder {
  private readonly byWindow = new Map<string, number[]>();

  mark(stage: number, windows: readonly SignalWindow[], at: number): void {
    for (const w of windows) {
      const key = `${w.sensorId}\u0000${w.end}`;
      let times = this.byWindow.get(key);
      if (times === undefined) {
        times = new Array<number>(stageNames.length).fill(Number.NaN);
        times[0] = w.end;
        this.byWindow.set(key, times);
      }
      if (Number.isNaN(times[stage])) times[stage] = at;
    }
  }

  ingest(): IngestTrace {
    const index = { fetched: 4, windowed: 5, published: 6 } as const;
    return (stage, windows, at) => this.mark(index[stage], windows, at);
  }

  scorer(): ScorerTrace {
    const index = { fetched: 7, started: 8, decided: 9, acked: 10 } as const;
    return (stage, windows, at) => this.mark(index[stage], windows, at);
  }

  /**
   * The load generator's stages of each window's last reading, from its
   * ticks ([stamp, queued, sent, acked]): a window ends at its last reading's
   * stamp. Call once the load has finished, before summary().
   */
  generator(ticks: readonly (readonly [number, number, number, number])[]): void {
    const byStamp = new Map<number, readonly [number, number, number, number]>();
    for (const t of ticks) byStamp.set(t[0], t);
    for (const times of this.byWindow.values()) {
      const tick = byStamp.get(times[0] as number);
      if (tick === undefined) continue;
      for (let stage = 1; stage <= 3; stage++) if (Number.isNaN(times[stage])) times[stage] = tick[stage] as number;
    }
  }

  /**
   * For the decided windows whose last reading was due at or after `from`:
   * p50/p99 of each gap between consecutive stages seen, and the gap's mean
   * among the slowest 1 % of windows end to end (what their p99 is made of).
   */
  summary(from: number): LatencyStage[] {
    const rows = [...this.byWindow.values()].filter((t) => (t[0] as number) >= from && !Number.isNaN(t[stageNames.length - 1]));
    if (rows.length === 0) return [];
    const total = (t: number[]): number => (t[stageNames.length - 1] as number) - (t[0] as number);
    const slowest = [...rows].sort((a, b) => total(b) - total(a)).slice(0, Math.max(1, Math.ceil(rows.length / 100)));
    const gaps = new Map<string, { all: number[]; slow: number[] }>();
    const names = stageNames.map((_, last) => stageNames.map((to) => `${stageNames[last]} → ${to}`));
    const gapsOf = (t: number[]): [string, number][] => {
      const out: [string, number][] = [];
      let last = 0;
      for (let i = 1; i < stageNames.length; i++) {
        if (Number.isNaN(t[i])) continue;
        out.push([names[last]?.[i] as string, (t[i] as number) - (t[last] as number)]);
        last = i;
      }
      return out;
    };
    for (const t of rows) {
      for (const [name, ms] of gapsOf(t)) {
        const g = gaps.get(name) ?? { all: [], slow: [] };
        g.all.push(ms);
        gaps.set(name, g);
      }
    }
    for (const t of slowest) for (const [name, ms] of gapsOf(t)) gaps.get(name)?.slow.push(ms);
    const stages = [...gaps].map(([stage, g]) => {
      const s = summariseLatencies(g.all);
      return { stage, windows: g.all.length, p50Ms: s.p50Ms, p99Ms: s.p99Ms, slowestMeanMs: g.slow.length === 0 ? null : g.slow.reduce((a, b) => a + b, 0) / g.slow.length };
    });
    const end = summariseLatencies(rows.map(total));
    stages.push({ stage: `${stageNames[0]} → ${stageNames[stageNames.length - 1]}`, windows: rows.length, p50Ms: end.p50Ms, p99Ms: end.p99Ms, slowestMeanMs: slowest.reduce((a, t) => a + total(t), 0) / slowest.length });
    // The same from the produce call (the generator's own lag left out): its
    // slowest 1 % are the slowest of this measure, not those of the row above.
    const fromSend = rows.filter((t) => !Number.isNaN(t[sentStage])).map((t) => (t[stageNames.length - 1] as number) - (t[sentStage] as number));
    if (fromSend.length > 0) {
      const sent = summariseLatencies(fromSend);
      const slow = [...fromSend].sort((a, b) => b - a).slice(0, Math.max(1, Math.ceil(fromSend.length / 100)));
      stages.push({ stage: `${stageNames[sentStage]} → ${stageNames[stageNames.length - 1]}`, windows: fromSend.length, p50Ms: sent.p50Ms, p99Ms: sent.p99Ms, slowestMeanMs: slow.reduce((a, b) => a + b, 0) / slow.length });
    }
    return stages;
  }
}
const loadSeed = 23;

/**
 * The scorer's own latency histogram, pre-registered so the scorer's metrics
 * module reuses it (it looks metrics up by name), recording every observation
 * with the time it was made, for exact percentiles instead of bucket estimates.
 */
export class RecordingHistogram extends Histogram<string> {
  readonly samples: { at: number; seconds: number }[] = [];
  constructor(config: HistogramConfiguration<string>) {
    super(config);
    // prom-client sets `observe` per instance in its constructor (with or
    // without exemplars), so the recording wrapper goes on the instance too.
    const observe = this.observe.bind(this) as (...args: unknown[]) => void;
    this.observe = ((...args: unknown[]): void => {
      const [first, second] = args;
      const seconds = typeof first === 'number' ? first : typeof second === 'number' ? second : (first as { value: number }).value;
      this.samples.push({ at: Date.now(), seconds });
      observe(...args);
    }) as Histogram<string>['observe'];
  }
}

/**
 * Windowing for the paced load: each sensor samples every tick; lateness 0 so
 * a window is released by its own last reading; gaps up to one window long are
 * filled, so a stall of the load generator on a busy machine does not reset
 * every sensor's window (the fill still shows in the latency: such windows end
 * earlier in event time).
 */
export function latencyConfig(base: Config, tickMs: number): Config {
  return {
    ...base,
    windowing: { ...base.windowing, channels, samplePeriodMs: tickMs, allowedLatenessMs: 0, gapPolicy: 'fill', maxGapSamples: base.windowing.length },
  };
}

/** The artifact of a 'default' model trained (briefly) on the same simulated fleet the load generator sends. */
export async function trainLatencyModel(config: Config, backend: BackendName, epochs: number): Promise<Buffer> {
  await initBackend(backend);
  const rateHz = 1000 / config.windowing.samplePeriodMs;
  const { readings } = simulate({ sensors: 100, channels, rateHz, startTime: 0, seed: loadSeed, anomalyEverySeconds: 0 }, 15);
  const { windows } = windowsFromReadings(readings, windowOptions(config.windowing));
  const model = { ...config.model, kind: 'dense' as const, training: { ...config.model.training, epochs, patience: epochs } };
  const result = await trainModel({ windows, config: model, thresholds: config.thresholds, modelKey: 'default', version: 1, backend });
  try {
    return await serialiseArtifact(result.model);
  } finally {
    result.model.dispose();
  }
}

function feedOf(model: LoadedModel): ModelFeed {
  return {
    start: async (offer) => offer(model),
    stop: async () => undefined,
  };
}

export interface LatencyRun {
  brokers: string[];
  rate: number;
  seconds: number;
  /** Observations made in the first warmupSeconds of the load are left out (JIT, first windows). */
  warmupSeconds: number;
  base: Config;
  /** The model the scorer serves, as artifact bytes: each run loads a fresh copy. */
  artifact: Buffer;
  admin: Admin;
  /** Client for reading the windows topic back (stage timings). */
  kafka: KafkaClient;
  /** Topics made here are added, for the caller to delete. */
  created: string[];
  /** 1: ingest and scorer in this process; 2: ingest in a child process (as deployed). */
  processes: 1 | 2;
  log: Logger;
}

/** Ingest as the latency run sees it, wherever it runs. */
interface IngestHandle {
  ready(): boolean;
  /** Readings ingested and windows published so far. */
  totals(): Promise<{ ingested: number; published: number }>;
  stop(): Promise<void>;
}

async function ingestHere(config: Config, run: LatencyRun, registry: Registry, groupId: string, trace: IngestTrace): Promise<IngestHandle> {
  const service = await startIngest({ config, log: run.log, registry, brokers: run.brokers, groupId, trace });
  return {
    ready: () => service.ready(),
    totals: async () => ({ ingested: await metricTotal(registry, 'sensorwatch_readings_ingested_total'), published: await metricTotal(registry, 'sensorwatch_windows_published_total') }),
    stop: () => service.stop(),
  };
}

const ingestScript = join(dirname(fileURLToPath(import.meta.url)), 'ingest-process.ts');

/** Ingest in a child process (its own event loop, as deployed), reporting its counters over IPC. */
async function ingestApart(config: Config, run: LatencyRun, groupId: string): Promise<IngestHandle> {
  const child = fork(ingestScript, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let status = { ready: false, ingested: 0, published: 0 };
  /** totals() calls waiting for their answer, by request id. */
  const waiting = new Map<number, () => void>();
  let asked = 0;
  let failure: string | null = null;
  let exited = false;
  const stopped = new Promise<void>((resolve) => {
    child.on('exit', () => {
      exited = true;
      resolve();
    });
  });
  child.on('message', (m: FromIngest) => {
    if (m.kind === 'status') {
      status = m;
      if (m.id !== undefined) waiting.get(m.id)?.();
    } else if (m.kind === 'failed') {
      failure = m.message;
      run.log.warn('bench latency: ingest process failed', { error: m.message });
    }
  });
  const job: IngestJob = { config, brokers: run.brokers, groupId, logLevel: 'warn' };
  child.send({ kind: 'start', job } satisfies ToIngest);
  const check = (): void => {
    if (failure !== null) throw new SensorwatchError(`ingest process: ${failure}`, { code: 'bench_failed' });
    if (exited) throw new SensorwatchError('ingest process exited', { code: 'bench_failed' });
  };
  return {
    ready: () => {
      check();
      return status.ready;
    },
    // The answer to this request, not the last periodic report: the drain check must not act on counts 50 ms old.
    totals: async () => {
      check();
      const id = ++asked;
      const fresh = new Promise<void>((resolve) => waiting.set(id, resolve));
      child.send({ kind: 'totals', id } satisfies ToIngest);
      await Promise.race([fresh, stopped]);
      waiting.delete(id);
      check();
      return { ingested: status.ingested, published: status.published };
    },
    async stop() {
      if (!exited) child.send({ kind: 'stop' } satisfies ToIngest);
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await stopped;
      clearTimeout(killer);
    },
  };
}

export async function latencyAt(run: LatencyRun): Promise<Omit<LatencyRow, 'repeat'>> {
  const plan = pacePlan(run.rate, run.seconds + run.warmupSeconds);
  const topics = benchTopics(`latency-${run.rate}`);
  const config = { ...latencyConfig(run.base, plan.tickMs), topics };
  const scorerGroup = `${topics.windows}.scorer`;
  // The scorer's state topic is made here too, so it is served before the scorer reads its offsets.
  const state = stateTopicSpec(config, scorerGroup);
  await createTopicsReady(run.admin, [...topicList(topics).map((name) => ({ name, partitions: topics.partitions })), state]);
  run.created.push(...topicList(topics), state.name);
  const registry = new Registry();
  const latency = new RecordingHistogram({
    name: latencyMetric,
    help: 'Seconds from a window\'s end (event time) to its decision being acknowledged by the broker.',
    labelNames: [],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const ingestGroup = `${topics.readings}.ingest`;
  const stages = new StageRecorder();
  const ingest = run.processes === 1 ? await ingestHere(config, run, registry, ingestGroup, stages.ingest()) : await ingestApart(config, run, ingestGroup);
  let scorer: Awaited<ReturnType<typeof startScorer>> | null = null;
  try {
    scorer = await startScorer({ config, log: run.log, registry, models: feedOf(await parseArtifact(run.artifact, 'bench latency model')), brokers: run.brokers, groupId: scorerGroup, trace: stages.scorer() });
    const live = scorer;
    if (!(await pollUntil(() => ingest.ready() && live.ready(), 60_000, 5))) throw new SensorwatchError('ingest and scorer did not join their groups within 60 s', { code: 'bench_timeout' });
    const started = Date.now();
    // How long callbacks waited for this process's event loop (from the end of
    // the warm-up): ingest's and the scorer's with one process, the scorer's with two.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    const warm = setTimeout(() => loopDelay.enable(), run.warmupSeconds * 1000);
    const load = await runLoad(
      { brokers: run.brokers, topic: topics.readings, channels, mode: 'paced', rate: run.rate, seconds: run.seconds + run.warmupSeconds, staggerTicks: config.windowing.hop, seed: loadSeed },
      (run.seconds + run.warmupSeconds) * 1000 + 120_000,
    );
    // Drain: ingest has taken in every reading sent, and every window it
    // published has been decided.
    const drainSeconds = 30 + run.seconds;
    const drained = await pollUntil(
      async () => {
        const { ingested, published } = await ingest.totals();
        return ingested >= load.sent && latency.samples.length >= published;
      },
      drainSeconds * 1000,
      20,
    );
    if (!drained) {
      const { ingested, published } = await ingest.totals();
      run.log.warn(`bench latency: pipeline not drained ${drainSeconds} s after the load`, { sent: load.sent, ingested, published, decided: latency.samples.length });
    }
    clearTimeout(warm);
    loopDelay.disable();
    stages.generator(load.ticks ?? []);
    const from = started + run.warmupSeconds * 1000;
    const kept = latency.samples.filter((s) => s.at >= from).map((s) => s.seconds * 1000);
    const summary = summariseLatencies(kept);
    const { published } = await ingest.totals();
    const stage = await windowPublishDelays(run.kafka, topics.windows, published, from, 30_000);
    const ingestStage = summariseLatencies(stage.delays);
    run.log.info('bench latency', { rate: run.rate, processes: run.processes, sent: load.sent, achieved: load.perSec, windows: summary.count, p99: summary.p99Ms });
    return {
      processes: run.processes,
      offeredPerSec: run.rate,
      achievedPerSec: load.perSec,
      windows: summary.count,
      p50Ms: summary.p50Ms,
      p95Ms: summary.p95Ms,
      p99Ms: summary.p99Ms,
      maxMs: summary.maxMs,
      generatorP50Ms: load.sendDelayP50Ms ?? null,
      generatorP99Ms: load.sendDelayP99Ms ?? null,
      eventLoopDelayP99Ms: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : null,
      ingestP50Ms: ingestStage.p50Ms,
      ingestP99Ms: ingestStage.p99Ms,
      windowBunching: windowBunching(stage.ends, plan.tickMs, config.windowing.hop),
      stages: stages.summary(from),
    };
  } finally {
    await scorer?.stop();
    await ingest.stop();
  }
}
