// Kafka's own consumer benchmark (org.apache.kafka.tools.ConsumerPerformance,
// from the cached jars): the baseline `npm run bench` compares our ingest with.
import { spawn } from 'node:child_process';
import { SensorwatchError } from '../errors.ts';
import { ensureKafkaJars, javaCommand, kafkaClasspath } from './jars.ts';

export interface ConsumerPerfResult {
  messages: number;
  /** Wall time from the tool's start to its end, group join included. */
  seconds: number;
  messagesPerSec: number;
  mbPerSec: number;
  megabytes: number;
  /** Time spent joining the group, and the fetch-only rates without it. */
  rebalanceMs: number;
  fetchMs: number;
  fetchMessagesPerSec: number;
  fetchMbPerSec: number;
  /** Set when the tool stopped before reading the requested number of records. */
  warning?: string;
}

const columns = [
  'start.time',
  'end.time',
  'data.consumed.in.MB',
  'MB.sec',
  'data.consumed.in.nMsg',
  'nMsg.sec',
  'rebalance.time.ms',
  'fetch.time.ms',
  'fetch.MB.sec',
  'fetch.nMsg.sec',
] as const;

/** Pure: parses the tool's stdout (header line, optional WARNING line, one line of values). */
export function parseConsumerPerfOutput(text: string): ConsumerPerfResult {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.startsWith('start.time,'));
  if (headerAt < 0) throw perfError('no "start.time, ..." header line', text);
  const header = (lines[headerAt] ?? '').split(',').map((c) => c.trim());
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length > 0) throw perfError(`header lacks ${missing.join(', ')}`, text);
  const after = lines.slice(headerAt + 1);
  const warning = after.find((l) => l.startsWith('WARNING:'));
  const valuesLine = after.find((l) => /^\d{4}-\d{2}-\d{2}/.test(l));
  if (valuesLine === undefined) throw perfError('no line of values after the header', text);
  const cells = valuesLine.split(',').map((c) => c.trim());
  if (cells.length !== header.length) throw perfError(`${cells.length} values for ${header.length} columns`, text);
  const cell = (name: (typeof columns)[number]): string => cells[header.indexOf(name)] ?? '';
  const num = (name: (typeof columns)[number]): number => {
    const value = Number(cell(name));
    if (!Number.isFinite(value)) throw perfError(`${name} is not a number: '${cell(name)}'`, text);
    return value;
  };
  const seconds = (toMillis(cell('end.time')) - toMillis(cell('start.time'))) / 1000;
  if (!Number.isFinite(seconds)) throw perfError(`cannot read the start/end times '${cell('start.time')}', '${cell('end.time')}'`, text);
  return {
    messages: num('data.consumed.in.nMsg'),
    seconds,
    messagesPerSec: num('nMsg.sec'),
    mbPerSec: num('MB.sec'),
    megabytes: num('data.consumed.in.MB'),
    rebalanceMs: num('rebalance.time.ms'),
    fetchMs: num('fetch.time.ms'),
    fetchMessagesPerSec: num('fetch.nMsg.sec'),
    fetchMbPerSec: num('fetch.MB.sec'),
    ...(warning === undefined ? {} : { warning }),
  };
}

/** The tool's default date format, yyyy-MM-dd HH:mm:ss:SSS; only differences are used, so the zone does not matter. */
function toMillis(stamp: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}):(\d{3})$/.exec(stamp);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as [number, number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

function perfError(what: string, output: string): SensorwatchError {
  return new SensorwatchError(`unexpected ConsumerPerformance output: ${what}:\n${output.slice(-2000)}`, {
    code: 'perf_tool_output',
  });
}

export interface ConsumerPerfOptions {
  brokers: string[];
  topic: string;
  /** Records to read; the tool stops there (or at the timeout). */
  messages: number;
  /** Longest gap between returned records before the tool gives up; default 10 s. */
  timeoutMs?: number;
  /** Default: a fresh group, so the topic is read from the beginning. */
  groupId?: string;
  heapMb?: number;
}

export async function runConsumerPerf(options: ConsumerPerfOptions): Promise<ConsumerPerfResult> {
  const libDir = await ensureKafkaJars();
  const args = [
    `-Xmx${options.heapMb ?? 256}m`,
    '-cp',
    kafkaClasspath(libDir),
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    options.brokers.join(','),
    '--topic',
    options.topic,
    '--num-records',
    String(options.messages),
    '--timeout',
    String(options.timeoutMs ?? 10_000),
    '--group',
    options.groupId ?? `sensorwatch-perf-${Date.now()}-${process.pid}`,
  ];
  const { code, stdout, stderr } = await run(javaCommand(), args);
  if (code !== 0) {
    throw new SensorwatchError(`ConsumerPerformance exited with ${code}:\n${(stderr || stdout).slice(-2000)}`, {
      code: 'perf_tool_failed',
      details: { topic: options.topic },
    });
  }
  return parseConsumerPerfOutput(stdout);
}

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
    child.on('error', (cause) =>
      reject(new SensorwatchError(`could not start java (${command}): install a JDK 17+ or set JAVA_HOME`, { code: 'java_missing', cause })),
    );
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
