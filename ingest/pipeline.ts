// The ingest use case, without Kafka: a batch of consumed records in, the
// windows to publish, the dead letters to send out and the offset that may be
// committed. Decode and validate each record; feed good readings to the
// windower of their partition; every record that cannot be used becomes a
// dead letter with its reason and original bytes.
//
// One windower per partition: a partition's committed offset must never pass
// a reading its windower still holds (oldestNeeded), so state is kept apart
// per partition, and a sensor must reach ingest on one partition only. Hence
// the key rule: a record's key, when it has one, must be the reading's
// sensorId (that is what routes all of a sensor's readings to one partition);
// a record keyed otherwise is dead-lettered as `key_mismatch`. A record
// without a key is windowed with the partition it arrived on.
import { createReadingDecoder, keyIs } from '../common/codec/reading.ts';
import type { RecordHeaders } from '../common/codec/headers.ts';
import { deadLetterOf, type SourceRecord } from '../common/dead-letter.ts';
import type { DeadLetter, SignalWindow } from '../common/types.ts';
import { createWindower, type GapReset, type Windower, type WindowerStats } from '../common/window/windower.ts';
import type { WindowOptions } from '../common/window/options.ts';

export interface ConsumedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeaders;
  offset: string;
}

export interface BatchOutcome {
  windows: SignalWindow[];
  deadLetters: DeadLetter[];
  avro: number;
  json: number;
  late: number;
  /** Exact duplicates plus conflicts (same timestamp, other values). */
  duplicates: number;
  conflicts: number;
  /** Windows in progress dropped at a gap, with the sensor and the gap. */
  resets: GapReset[];
  /** Sensors closed after windowing.idleAfterMs of silence. */
  closed: number;
  /**
   * The oldest offset of this partition still needed (held in a reorder buffer
   * or an unfinished window); undefined when nothing is held. Commit no further.
   */
  commitOffset: string | undefined;
}

export interface IngestPipeline {
  /** `now` (ms) is the clock for the future-timestamp check and dead-letter times. */
  processBatch(topic: string, partition: number, records: readonly ConsumedRecord[], now: number): BatchOutcome;
  /** Releases every buffered sample: the windows that completes (shutdown). */
  flush(): SignalWindow[];
  /** Forgets all windowing state: consumption resumes from the committed offsets (a rejoin), which cut the same windows again. */
  reset(): void;
  stats(): WindowerStats;
}

export interface PipelineOptions {
  window: WindowOptions;
  maxFutureMs: number;
  /** windowing.idleAfterMs; default: never close a sensor. */
  idleAfterMs?: number;
}

interface PartitionState {
  windower: Windower;
  /** Newest event time seen on the partition: the clock for idleAfterMs. */
  newest: number;
}

const emptyStats = (): WindowerStats => ({ accepted: 0, duplicates: 0, conflicts: 0, late: 0, filled: 0, resets: 0, windows: 0 });

export function createIngestPipeline(options: PipelineOptions): IngestPipeline {
  const decoder = createReadingDecoder({ channels: options.window.channels, maxFutureMs: options.maxFutureMs });
  const lateness = options.window.allowedLatenessMs;
  const idleAfterMs = options.idleAfterMs ?? Number.POSITIVE_INFINITY;
  let partitions = new Map<string, PartitionState>();
  /** Counts of windowers dropped by reset(), so stats() stays cumulative. */
  const retired = emptyStats();

  const partitionOf = (topic: string, partition: number): PartitionState => {
    const key = `${topic}\u0000${partition}`;
    let p = partitions.get(key);
    if (p === undefined) {
      p = { windower: createWindower(options.window), newest: Number.NEGATIVE_INFINITY };
      partitions.set(key, p);
    }
    return p;
  };

  /** Decodes one record and windows it; what cannot be used goes to out.deadLetters. */
  function take(topic: string, partition: number, state: PartitionState, rec: ConsumedRecord, now: number, out: BatchOutcome): void {
    const res = decoder.decode(rec.value, rec.headers, now);
    if (!res.ok) {
      out.deadLetters.push(deadLetterOf(sourceOf(topic, partition, rec), { stage: 'ingest', reason: res.reason, message: res.message, now }));
      return;
    }
    const { sensorId, timestamp } = res.reading;
    if (rec.key !== null && !keyIs(rec.key, sensorId)) {
      const message = `record key ${JSON.stringify(preview(rec.key.toString('utf8')))} is not the reading's sensorId ${JSON.stringify(preview(sensorId))}: a sensor's readings must all reach one partition to be windowed in order; produce them with key = sensorId`;
      out.deadLetters.push(deadLetterOf(sourceOf(topic, partition, rec), { stage: 'ingest', reason: 'key_mismatch', message, now }));
      return;
    }
    if (res.format === 'avro') out.avro++;
    else out.json++;
    if (timestamp > state.newest) state.newest = timestamp;
    const outcome = state.windower.push(res.reading, out.windows, Number(rec.offset));
    if (outcome === 'accepted') return;
    if (outcome === 'late') {
      out.late++;
      const message = `sensor ${sensorId}: reading at ${timestamp} (${new Date(timestamp).toISOString()}) arrived after its place in the window sequence had passed (windowing.allowedLatenessMs = ${lateness})`;
      out.deadLetters.push(deadLetterOf(sourceOf(topic, partition, rec), { stage: 'ingest', reason: 'late', message, now }));
    } else {
      out.duplicates++;
      if (outcome === 'conflict') out.conflicts++;
    }
  }

  return {
    processBatch(topic, partition, records, now) {
      const out: BatchOutcome = { windows: [], deadLetters: [], avro: 0, json: 0, late: 0, duplicates: 0, conflicts: 0, resets: [], closed: 0, commitOffset: undefined };
      const state = partitionOf(topic, partition);
      for (const rec of records) {
        try {
          take(topic, partition, state, rec, now, out);
        } catch (err) {
          // A bug must not stall the partition: this record goes to the dead
          // letters with what went wrong, and the batch goes on.
          const message = `ingest failed on this record: ${(err as Error).stack ?? String(err)}`;
          out.deadLetters.push(deadLetterOf({ topic, partition, offset: rec.offset, key: rec.key, value: rec.value }, { stage: 'ingest', reason: 'internal', message, now }));
        }
      }
      if (Number.isFinite(idleAfterMs)) out.closed = state.windower.closeIdle(state.newest, idleAfterMs, out.windows);
      out.resets = state.windower.takeResets();
      const needed = state.windower.oldestNeeded();
      out.commitOffset = Number.isFinite(needed) ? String(needed) : undefined;
      return out;
    },
    flush() {
      const windows: SignalWindow[] = [];
      for (const p of partitions.values()) p.windower.flush(windows);
      return windows;
    },
    reset() {
      for (const p of partitions.values()) addStats(retired, p.windower.stats());
      partitions = new Map();
    },
    stats() {
      const total = { ...retired };
      for (const p of partitions.values()) addStats(total, p.windower.stats());
      return total;
    },
  };
}

/** The record as a dead letter names it; made only when one is needed. */
function sourceOf(topic: string, partition: number, rec: ConsumedRecord): SourceRecord {
  return { topic, partition, offset: rec.offset, key: rec.key, value: rec.value };
}

function addStats(into: WindowerStats, s: Readonly<WindowerStats>): void {
  for (const k of Object.keys(into) as (keyof WindowerStats)[]) into[k] += s[k];
}

/** A value cut for a message: at most 64 characters. */
function preview(s: string): string {
  return s.length <= 64 ? s : `${s.slice(0, 61)}...`;
}
