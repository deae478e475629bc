// Ingest in a process of its own, for the latency runs that place ingest and
// scorer as deployed (two services, two event loops). Driven over IPC by
// latency.ts: it sends the job, this process starts ingest and reports its
// readiness and counters every 50 ms and whenever asked, until told to stop.
import { Registry } from '../../common/service/metrics-registry.ts';
import type { Config } from '../../common/config/types.ts';
import { createLogger, type LogLevel } from '../../common/log.ts';
import { startIngest, type IngestService } from '../../ingest/service.ts';
import { metricTotal } from './pipeline.ts';

export interface IngestJob {
  config: Config;
  brokers: string[];
  groupId: string;
  logLevel: LogLevel;
}

export type ToIngest = { kind: 'start'; job: IngestJob } | { kind: 'totals'; id: number } | { kind: 'stop' };
export type FromIngest =
  | { kind: 'status'; ready: boolean; ingested: number; published: number; /** The totals request answered, if any. */ id?: number }
  | { kind: 'stopped' }
  | { kind: 'failed'; message: string };

const send = (m: FromIngest): void => void process.send?.(m);

let service: IngestService | null = null;
let timer: NodeJS.Timeout | null = null;
const registry = new Registry();

async function report(id?: number): Promise<void> {
  const [ingested, published] = await Promise.all([metricTotal(registry, 'sensorwatch_readings_ingested_total'), metricTotal(registry, 'sensorwatch_windows_published_total')]);
  send({ kind: 'status', ready: service?.ready() ?? false, ingested, published, ...(id === undefined ? {} : { id }) });
}

async function start(job: IngestJob): Promise<void> {
  const log = createLogger({ level: job.logLevel, fields: { process: 'bench-ingest' } });
  service = await startIngest({ config: job.config, log, registry, brokers: job.brokers, groupId: job.groupId, onFatal: (error) => send({ kind: 'failed', message: error.message }) });
  timer = setInterval(() => void report(), 50);
}

async function stop(): Promise<void> {
  if (timer !== null) clearInterval(timer);
  await service?.stop();
  send({ kind: 'stopped' });
  process.disconnect?.();
}

process.on('message', (m: ToIngest) => {
  const step = m.kind === 'start' ? start(m.job) : m.kind === 'totals' ? report(m.id) : stop();
  step.catch((error: unknown) => {
    send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    process.disconnect?.();
  });
});
// The parent going away (killed bench) ends this process too.
process.on('disconnect', () => {
  if (timer !== null) clearInterval(timer);
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
});
