// The pure part of `sensorwatch alerts tail` and `sensorwatch dead-letters tail`:
// flags, where each partition starts, and one decoded record -> one JSON line.
// The Kafka edge is cli/tail-kafka.ts; the commands are cli/alerts.ts and
// cli/dead-letters.ts.
import { parseFlagsAndWords } from '../common/config/flags.ts';
import { decodeAlert, decodeDeadLetter } from '../common/codec/index.ts';
import type { DeadLetter } from '../common/types.ts';

export interface TailOptions {
  follow: boolean;
  fromBeginning: boolean;
  /** Without --from-beginning: how many of the records already there to print first (the last ones). */
  lines: number;
  sensor: string | undefined;
  config: string | undefined;
  brokers: string | undefined;
}

export interface TailKind {
  /** The command word: 'alerts' or 'dead-letters'. */
  command: string;
  /** The config key of the topic, for messages. */
  topicKey: 'alerts' | 'deadLetter';
  /** Decodes a record value into the object printed (throws a coded error on a bad record). */
  decode(value: Buffer | null): unknown;
  /** Does the record belong to the sensor? (key: the record's Kafka key) */
  matches(sensor: string, key: Buffer | null, decoded: unknown): boolean;
  /** Where the key alone decides: records of other sensors are not even decoded. */
  matchesKey?(sensor: string, key: Buffer | null): boolean;
}

export const tailUsage = (command: string, what: string, notes: readonly string[], sensorRule: string): string => `usage: sensorwatch ${command} tail [--follow] [--from-beginning] [--lines N] [--sensor ID]
options: --config FILE, --brokers LIST

  Prints ${what} as JSON, one object per line (for jq), on stdout.
${notes.map((n) => `  ${n}\n`).join('')}  Without --follow it reads up to the end of the topic as it was when the
  command started and exits 0 (1 if a record could not be decoded: it is
  reported on stderr with its partition and offset, and skipped).

  -f, --follow           keep printing new records until Ctrl-C
  --from-beginning       every record still on the topic (default: the last --lines)
  -n, --lines N          how many of the records already there to print first, the
                         newest last (default 10; 0 with --follow: only new ones)
  --sensor ID            only this sensor's records (${sensorRule})
  --config FILE          the config file (topic names, Kafka connection)
  --brokers LIST         host:port,... instead of kafka.brokers or the local broker

  It joins no shared consumer group: it reads with a throwaway group
  (sensorwatch.tail.<random>), commits no offsets and deletes that group on exit.
`;

export type ParsedTail = { ok: true; options: TailOptions } | { ok: false; help: boolean; message: string };

/** Pure: `tail [flags]` -> options, or why not. */
export function parseTailArgs(argv: readonly string[]): ParsedTail {
  let parsed;
  try {
    parsed = parseFlagsAndWords(argv, {
      follow: { type: 'boolean', short: 'f' },
      'from-beginning': { type: 'boolean' },
      lines: { type: 'string', short: 'n' },
      sensor: { type: 'string' },
      config: { type: 'string' },
      brokers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
  } catch (err) {
    return { ok: false, help: false, message: (err as Error).message };
  }
  const { values, words: positionals } = parsed;
  if (values.help === true) return { ok: false, help: true, message: '' };
  const [verb, ...extra] = positionals;
  if (verb !== 'tail') return { ok: false, help: false, message: verb === undefined ? 'expected the subcommand tail' : `unknown subcommand '${verb}' (expected tail)` };
  if (extra.length > 0) return { ok: false, help: false, message: `unexpected argument '${extra[0]}'` };
  const linesText = values.lines ?? '10';
  const lines = Number(linesText);
  if (!/^\d+$/.test(linesText) || !Number.isSafeInteger(lines)) return { ok: false, help: false, message: `--lines must be a whole number >= 0, got '${linesText}'` };
  if (values['from-beginning'] === true && values.lines !== undefined) return { ok: false, help: false, message: '--lines and --from-beginning exclude each other: --from-beginning prints every record' };
  if (values.sensor !== undefined && values.sensor === '') return { ok: false, help: false, message: '--sensor needs a sensor id' };
  return {
    ok: true,
    options: {
      follow: values.follow === true,
      fromBeginning: values['from-beginning'] === true,
      lines,
      sensor: values.sensor,
      config: values.config,
      brokers: values.brokers,
    },
  };
}

export interface PartitionRange {
  partition: number;
  /** The earliest offset still on the topic. */
  low: bigint;
  /** The offset the next record will get (the end when the command started). */
  high: bigint;
}

/**
 * Pure: where each partition is read from: the earliest offset, unless no
 * record already there is wanted (--lines 0: only new ones). The last N
 * records cannot be found by counting back N offsets: transaction markers
 * (the scorer publishes alerts in transactions) and aborted records take
 * offsets too, so the records already there are read and the last N kept.
 */
export function startOffsets(ranges: readonly PartitionRange[], options: Pick<TailOptions, 'fromBeginning' | 'lines'>): Map<number, bigint> {
  const onlyNew = !options.fromBeginning && options.lines === 0;
  return new Map(ranges.map((r) => [r.partition, onlyNew ? r.high : r.low]));
}

/** One record read off the topic, decoded. */
export interface TailRecord {
  partition: number;
  offset: string;
  /** The Kafka record timestamp, ms since the epoch: orders the records of different partitions. */
  timestamp: number;
  line: string;
}

/** Keeps the last `n` records offered, in (timestamp, partition, offset) order. */
export function lastRecords(n: number): { offer(r: TailRecord): void; take(): TailRecord[] } {
  const kept: TailRecord[] = [];
  const before = (a: TailRecord, b: TailRecord): number => a.timestamp - b.timestamp || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset));
  return {
    offer(r) {
      if (n === 0) return;
      kept.push(r);
      // Bounded: sort and trim once the buffer holds twice what is kept.
      if (kept.length >= 2 * n) {
        kept.sort(before);
        kept.splice(0, kept.length - n);
      }
    },
    take() {
      kept.sort(before);
      return kept.splice(0).slice(-n);
    },
  };
}

/**
 * Pure: bytes as JSON text. UTF-8 text when the bytes are valid UTF-8 with no
 * control characters other than tab and line breaks (a JSON reading, a sensor
 * id), else base64 (Avro, binary); the encoding is named next to the value.
 */
export function bytesField(bytes: Buffer | null): { text: string | null; encoding: 'utf8' | 'base64' | null } {
  if (bytes === null) return { text: null, encoding: null };
  const text = bytes.toString('utf8');
  const printable = Buffer.from(text, 'utf8').equals(bytes) && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text);
  return printable ? { text, encoding: 'utf8' } : { text: bytes.toString('base64'), encoding: 'base64' };
}

/** Pure: a DeadLetter as a JSON object: its fields, with key and value as text or base64 and their encodings. */
export function deadLetterJson(d: DeadLetter): Record<string, unknown> {
  const key = bytesField(d.key);
  const value = bytesField(d.value);
  return {
    sourceTopic: d.sourceTopic,
    partition: d.partition,
    offset: d.offset,
    stage: d.stage,
    reason: d.reason,
    message: d.message,
    key: key.text,
    keyEncoding: key.encoding,
    value: value.text,
    valueEncoding: value.encoding,
    timestamp: d.timestamp,
  };
}

export const alertsKind: TailKind = {
  command: 'alerts',
  topicKey: 'alerts',
  decode: (value) => decodeAlert(value),
  matches: (sensor, _key, decoded) => (decoded as { sensorId: string }).sensorId === sensor,
};

export const deadLettersKind: TailKind = {
  command: 'dead-letters',
  topicKey: 'deadLetter',
  decode: (value) => deadLetterJson(decodeDeadLetter(value)),
  // A dead letter keeps the original record's key: the sensor id for readings and windows.
  matches: () => true,
  matchesKey: (sensor, key) => key !== null && key.toString('utf8') === sensor,
};
