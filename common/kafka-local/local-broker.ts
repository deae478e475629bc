// A real single-node Apache Kafka broker (KRaft, combined broker+controller) on
// 127.0.0.1, run from the Maven-cached jars: for the demo, tests and CI.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SensorwatchError } from '../errors.ts';
import {
  brokerLayout,
  brokerProperties,
  jvmArgs,
  log4jProperties,
  propertiesText,
  randomClusterId,
  type BrokerLayout,
} from './broker-config.ts';
import { assertBrokerTools, ensureKafkaJars, javaCommand, javaInstallHint, kafkaClasspath, kafkaVersion } from './jars.ts';
import { probeBrokers } from '../kafka/probe.ts';
import { freePort, isAlive, stopPid } from './process.ts';

const host = '127.0.0.1';

export interface LocalBrokerOptions {
  /** 0 = pick a free one; default 9092. */
  port?: number;
  /** Default: a fresh temp dir, removed again by stop(). */
  dataDir?: string;
  log?: (msg: string) => void;
  /** JVM max heap; default 512. */
  heapMb?: number;
  /** C1-only JIT: starts with half the CPU; default true. Pass false for benchmarks. */
  quickStart?: boolean;
  /** How long to wait for the broker to answer metadata requests; default 120 s. */
  readyTimeoutMs?: number;
  /**
   * Outlive this process (`sensorwatch kafka start` without --foreground).
   * Otherwise a watchdog stops the broker when this process exits, however it exits.
   */
  detached?: boolean;
  /** Let this process exit while the broker runs (test support stops it on exit). */
  unref?: boolean;
}

export interface LocalBroker {
  brokers: string[];
  pid: number;
  port: number;
  dataDir: string;
  /** The broker's own log file. */
  serverLog: string;
  /** SIGTERM, SIGKILL after graceMs (default 30 s). */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** What broker.json in the data dir records about a running broker. */
export interface BrokerInfo {
  pid: number;
  port: number;
  controllerPort: number;
  brokers: string[];
  version: string;
  startedAt: string;
}

export async function startLocalBroker(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
  const log = options.log ?? (() => undefined);
  assertBrokerTools();
  const libDir = await ensureKafkaJars({ log });
  const tempDir = options.dataDir === undefined;
  const dataDir = resolve(options.dataDir ?? mkdtempSync(join(tmpdir(), 'sensorwatch-kafka-')));
  const layout = brokerLayout(dataDir);
  mkdirSync(layout.logsDir, { recursive: true });
  const running = readBrokerInfo(dataDir);
  if (running !== undefined && isAlive(running.pid)) {
    throw new SensorwatchError(`a broker (pid ${running.pid}, port ${running.port}) already runs on data dir ${dataDir}`, {
      code: 'local_broker_data_dir_in_use',
      details: { dataDir, pid: running.pid },
    });
  }
  // Port 0: a bind race with another process is possible, so try a few fresh ports.
  const attempts = options.port === 0 ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      const broker = await startOnce(layout, kafkaClasspath(libDir), options, log);
      const stopBroker = broker.stop;
      return {
        ...broker,
        stop: async (stopOptions) => {
          await stopBroker(stopOptions);
          if (tempDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
        },
      };
    } catch (error) {
      const portClash = error instanceof SensorwatchError && error.code === 'local_broker_port_in_use';
      if (!portClash || attempt >= attempts) {
        // The error carries the log tail; a temp dir nobody will look at again goes.
        if (tempDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
        throw error;
      }
      log(`port clash, retrying with other ports (attempt ${attempt + 1}/${attempts})`);
    }
  }
}

async function startOnce(
  layout: BrokerLayout,
  classpath: string,
  options: LocalBrokerOptions,
  log: (msg: string) => void,
): Promise<LocalBroker> {
  const port = options.port === 0 ? await freePort(host) : (options.port ?? 9092);
  const controllerPort = await freePort(host);
  const props = brokerProperties({ host, port, controllerPort, logDirs: layout.logDirs });
  writeFileSync(layout.configFile, propertiesText(props));
  writeFileSync(layout.log4jFile, log4jProperties(layout.serverLog));
  const jvm = (quickStart: boolean): string[] =>
    jvmArgs({ heapMb: options.heapMb ?? 512, log4jFile: layout.log4jFile, logsDir: layout.logsDir, classpath, quickStart });
  if (!existsSync(join(layout.logDirs, 'meta.properties'))) {
    log(`formatting KRaft storage in ${layout.logDirs}`);
    await formatStorage(jvm(true), layout);
  }

  const brokers = [`${host}:${port}`];
  const startedAt = Date.now();
  log(`starting Kafka ${kafkaVersion()} on ${brokers[0]} (data ${layout.dataDir}, log ${layout.serverLog})`);
  const out = openSync(layout.stdoutLog, 'a');
  // Always its own process group: a Ctrl-C in the terminal signals the whole
  // foreground group, and a broker that dies first leaves the services that are
  // still stopping retrying against a closed port. The owner stops it last.
  const child = spawn(javaCommand(), [...jvm(options.quickStart ?? true), 'kafka.Kafka', layout.configFile], {
    stdio: ['ignore', out, out],
    detached: true,
  });
  closeSync(out);
  const pid = await spawned(child);
  const watchdog = options.detached ? undefined : startWatchdog(pid);
  if (options.detached || options.unref) child.unref();

  let exitCode: number | null | undefined;
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, sig) => {
      exitCode = code ?? (sig === null ? null : -1);
      done();
    }),
  );
  const stop = async (stopOptions: { graceMs?: number } = {}): Promise<void> => {
    watchdog?.end();
    if (exitCode === undefined) {
      const how = await stopPid(pid, stopOptions.graceMs === undefined ? {} : { graceMs: stopOptions.graceMs });
      await Promise.race([exited, sleep(1000)]);
      log(`broker pid ${pid} stopped (${how})`);
    }
    rmSync(layout.infoFile, { force: true });
  };

  const timeoutMs = options.readyTimeoutMs ?? 120_000;
  while (exitCode === undefined) {
    const probe = await probeBrokers(brokers, 1000);
    if (probe.ok) break;
    if (Date.now() - startedAt > timeoutMs) {
      await stop();
      throw new SensorwatchError(
        `Kafka on ${brokers[0]} did not answer metadata requests within ${timeoutMs} ms (last: ${probe.error}); see ${layout.serverLog}`,
        { code: 'local_broker_start_timeout', details: { dataDir: layout.dataDir } },
      );
    }
    await sleep(250);
  }
  if (exitCode !== undefined) {
    watchdog?.end();
    const tail = logTail(layout);
    const portClash = /Address already in use|BindException/.test(tail);
    throw new SensorwatchError(
      `Kafka broker exited with code ${exitCode} during start-up${portClash ? ` (port ${port} or ${controllerPort} in use)` : ''}; see ${layout.serverLog}:\n${tail}`,
      { code: portClash ? 'local_broker_port_in_use' : 'local_broker_start_failed', details: { dataDir: layout.dataDir, port } },
    );
  }
  const info: BrokerInfo = { pid, port, controllerPort, brokers, version: kafkaVersion(), startedAt: new Date(startedAt).toISOString() };
  writeFileSync(layout.infoFile, `${JSON.stringify(info, null, 2)}\n`);
  log(`Kafka ready at ${brokers[0]} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (pid ${pid})`);
  return { brokers, pid, port, dataDir: layout.dataDir, serverLog: layout.serverLog, stop };
}

export function readBrokerInfo(dataDir: string): BrokerInfo | undefined {
  const file = brokerLayout(resolve(dataDir)).infoFile;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BrokerInfo;
  } catch {
    return undefined;
  }
}

function spawned(child: ChildProcess): Promise<number> {
  return new Promise((ok, fail) => {
    child.once('error', (cause) =>
      fail(
        new SensorwatchError(`could not start java (${javaCommand()}): ${(cause as Error).message}; install with: ${javaInstallHint}, or set JAVA_HOME`, {
          code: 'java_missing',
          cause,
        }),
      ),
    );
    child.once('spawn', () => ok(child.pid ?? -1));
  });
}

async function formatStorage(jvm: string[], layout: BrokerLayout): Promise<void> {
  const args = [...jvm, 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', layout.configFile];
  const out = openSync(layout.stdoutLog, 'a');
  const child = spawn(javaCommand(), args, { stdio: ['ignore', out, out] });
  closeSync(out);
  await spawned(child);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  if (code !== 0) {
    throw new SensorwatchError(`formatting KRaft storage in ${layout.logDirs} failed (exit ${code}):\n${logTail(layout)}`, {
      code: 'local_broker_format_failed',
      details: { dataDir: layout.dataDir },
    });
  }
}

/**
 * A tiny shell that waits for its stdin (a pipe from this process) to close,
 * then SIGTERMs the broker: when this process dies, even by SIGKILL, the pipe
 * closes and no orphaned JVM is left behind. `end()` triggers it on purpose.
 */
function startWatchdog(pid: number): { end(): void } {
  // Its own process group too, so that a Ctrl-C to the owner's group does not
  // end the watchdog before the owner has stopped the broker itself.
  const child = spawn('sh', ['-c', `while read -r _; do :; done; kill -TERM ${pid} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  child.on('error', () => undefined);
  child.unref();
  const stdin = child.stdin as (NodeJS.WritableStream & { unref?: () => void; destroy(): void }) | null;
  stdin?.unref?.();
  return { end: () => stdin?.destroy() };
}

function logTail(layout: BrokerLayout, lines = 25): string {
  const read = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n') : []);
  const errors = read(layout.serverLog).filter((l) => /ERROR|FATAL|Exception/.test(l));
  return [...read(layout.stdoutLog).slice(-lines), ...errors.slice(-lines)].join('\n');
}
