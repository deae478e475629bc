// Processes for the real-Prometheus test: the Debian `prometheus` binary on a
// loopback port with a scratch config and data dir, and the sensorwatch
// pipeline (`sensorwatch demo`: ingest, trainer and scorer in one process
// with one /metrics endpoint). Every process started here is stopped by
// pid, and killed if this test process exits first.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { repoRoot } from '../../unit/deploy/provisioning.ts';
import { toolPath } from '../../support/tools.ts';

export interface Tracked {
  pid: number;
  /** stdout and stderr so far (the last 64 KiB). */
  output(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export function spawnTracked(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Tracked {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const append = (b: Buffer): void => {
    out = (out + b.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let done = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      live.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      append(Buffer.from(`\nspawn ${command} failed: ${err.message}\n`));
      done = true;
      live.delete(child);
      resolve();
    });
  });
  live.add(child);
  return {
    pid: child.pid ?? -1,
    output: () => out,
    exited: () => done,
    async stop(graceMs = 15_000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  what: string;
  /** Checked each round: a message ends the wait at once (a process died). */
  abort?: () => string | undefined;
}

/** Polls until `condition` returns a truthy value; never a fixed sleep. */
export async function poll<T>(condition: () => T | Promise<T>, options: PollOptions): Promise<NonNullable<T>> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    const aborted = options.abort?.();
    if (aborted !== undefined) throw new Error(`while waiting for ${options.what}: ${aborted}`);
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${lastError ? ` (last error: ${lastError})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export type QueryResult =
  | { status: 'success'; data: { resultType: string; result: unknown } }
  | { status: 'error'; errorType: string; error: string };

export interface Prometheus {
  url: string;
  query(expr: string): Promise<QueryResult>;
  stop(): Promise<void>;
  output(): string;
}

/** Series (or a scalar) an instant query returned; 0 for an empty vector. */
export function resultSize(r: QueryResult): number {
  if (r.status !== 'success') return 0;
  return Array.isArray(r.data.result) ? r.data.result.length : 1;
}

export interface PrometheusOptions {
  dir: string;
  /** job name -> host:port targets */
  jobs: Record<string, string[]>;
  ruleFiles: string[];
}

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const binary = toolPath('prometheus');
  const port = await freePort();
  const configFile = join(options.dir, 'prometheus.yml');
  writeFileSync(
    configFile,
    YAML.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: options.ruleFiles,
      scrape_configs: Object.entries(options.jobs).map(([job, targets]) => ({ job_name: job, static_configs: [{ targets }] })),
    }),
  );
  const proc = spawnTracked(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(options.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: options.dir },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await poll(async () => (await fetch(`${url}/-/ready`)).ok, {
      timeoutMs: 30_000,
      what: 'Prometheus to be ready',
      abort: () => (proc.exited() ? `prometheus exited:\n${proc.output()}` : undefined),
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    url,
    output: () => proc.output(),
    stop: () => proc.stop(),
    async query(expr: string) {
      const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      return (await r.json()) as QueryResult;
    },
  };
}

export interface Pipeline {
  metricsPort: number;
  output(): string;
  stop(): Promise<void>;
  exited(): boolean;
}

/** `sensorwatch demo --config FILE --metrics-port 0` against the given brokers, in `dir`. */
export async function startPipeline(options: { dir: string; configFile: string; brokers: string[]; timeoutMs: number }): Promise<Pipeline> {
  const proc = spawnTracked(
    process.execPath,
    [join(repoRoot, 'bin/sensorwatch.mjs'), 'demo', '--config', options.configFile, '--metrics-port', '0'],
    { cwd: options.dir, env: { ...process.env, KAFKA_BROKERS: options.brokers.join(',') } },
  );
  let metricsPort = 0;
  try {
    metricsPort = await poll(
      () => {
        const m = /metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(proc.output());
        return m?.[1] === undefined ? 0 : Number(m[1]);
      },
      {
        timeoutMs: options.timeoutMs,
        what: 'the pipeline to serve /metrics',
        abort: () => (proc.exited() ? `sensorwatch demo exited:\n${proc.output()}` : undefined),
      },
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { metricsPort, output: () => proc.output(), stop: () => proc.stop(30_000), exited: () => proc.exited() };
}
