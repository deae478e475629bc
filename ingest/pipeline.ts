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
import { createReadingDecoder, keyIs, type ReadingDecoder, type ReadingLayout } from '../common/codec/reading.ts';
import type { Config } from '../common/config/types.ts';
import { isImplicit, typeConfig, typeNames, typeOf } from '../common/config/sensor-types.ts';
import type { RecordHeaders } from '../common/codec/headers.ts';
import { deadLetterOf, type SourceRecord } from '../common/dead-letter.ts';
import type { DeadLetter, SignalWindow } from '../common/types.ts';
import { createWindower, type GapReset, type Windower, type WindowerStats } from '../common/window/windower.ts';
import { windowOptions, type WindowOptions } from '../common/window/options.ts';

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
  /** Replaces the sensor types (a config reload the service judged safe: types or sensors added); windowers of unchanged types keep their state. */
  setTypes(types: PipelineTypes): void;
}

/**
 * Sensor types (issue 22) as the pipeline needs them: each reading is checked
 * against its sensor's type and windowed by that type's windower.
 */
export interface PipelineTypes {
  /** The sensor's type, or undefined: its readings are dead-lettered `unknown_sensor`. Called once per record: cache behind it. */
  typeOf(sensorId: string): string | undefined;
  /** Per type: window options (stamping `sensorType`) and windowing.idleAfterMs (Infinity: never close). */
  types: ReadonlyMap<string, { window: WindowOptions; idleAfterMs: number }>;
  /** The one implicit type (`sensorTypes: []`): every reading is checked against it, with the messages of before types. */
  implicit?: boolean;
}

/** The pipeline's types from a config: every type of `sensorTypes`, or the one implicit type `default` with the top-level windowing. */
export function pipelineTypesOf(config: Config): PipelineTypes {
  const types = new Map<string, { window: WindowOptions; idleAfterMs: number }>();
  for (const name of typeNames(config)) {
    const w = typeConfig(config, name).windowing;
    types.set(name, { window: windowOptions(w, name), idleAfterMs: w.idleAfterMs });
  }
  return isImplicit(config) ? { typeOf: () => 'default', types, implicit: true } : { typeOf: (id) => typeOf(config, id), types };
}

export interface PipelineOptions {
  /** The single implicit type's window options (ignored when `types` is given). */
  window?: WindowOptions;
  maxFutureMs: number;
  /** windowing.idleAfterMs of the single type; default: never close a sensor. */
  idleAfterMs?: number;
  /** Sensor types: each sensor's readings checked against its type's channels and windowed with its type's options. */
  types?: PipelineTypes;
}

interface PartitionState {
  /** One windower per sensor type (created at the type's first reading on the partition). */
  windowers: Map<string, Windower>;
  /** Newest event time seen on the partition: the clock for idleAfterMs. */
  newest: number;
}

const emptyStats = (): WindowerStats => ({ accepted: 0, duplicates: 0, conflicts: 0, late: 0, filled: 0, resets: 0, windows: 0 });

function singleType(options: PipelineOptions): PipelineTypes {
  if (options.window === undefined) throw new Error('createIngestPipeline: give `window` or `types`');
  return { typeOf: () => 'default', types: new Map([['default', { window: options.window, idleAfterMs: options.idleAfterMs ?? Number.POSITIVE_INFINITY }]]) };
}

export function createIngestPipeline(options: PipelineOptions): IngestPipeline {
  let types = options.types ?? singleType(options);
  let decoder: ReadingDecoder;
  const buildDecoder = (): void => {
    const layouts = new Map<string, ReadingLayout>([...types.types].map(([type, t]) => [type, { type, channels: t.window.channels }]));
    const first = [...types.types.values()][0];
    decoder = createReadingDecoder({
      channels: first?.window.channels ?? [],
      maxFutureMs: options.maxFutureMs,
      ...(types.implicit !== true && options.types !== undefined
        ? {
            layoutOf: (id: string) => {
              const t = types.typeOf(id);
              return t === undefined ? undefined : layouts.get(t);
            },
            layouts: [...layouts.values()],
          }
        : {}),
    });
  };
  buildDecoder();
  let partitions = new Map<string, PartitionState>();
  /** Counts of windowers dropped by reset(), so stats() stays cumulative. */
  const retired = emptyStats();

  const partitionOf = (topic: string, partition: number): PartitionState => {
    const key = `${topic}\u0000${partition}`;
    let p = partitions.get(key);
    if (p === undefined) {
      p = { windowers: new Map(), newest: Number.NEGATIVE_INFINITY };
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
    let windower = state.windowers.get(res.sensorType);
    if (windower === undefined) {
      const t = types.types.get(res.sensorType);
      if (t === undefined) throw new Error(`no window options for sensor type ${res.sensorType} (bug)`);
      windower = createWindower(t.window);
      state.windowers.set(res.sensorType, windower);
    }
    if (rec.key !== null && !keyIs(rec.key, sensorId)) {
      const message = `record key ${JSON.stringify(preview(rec.key.toString('utf8')))} is not the reading's sensorId ${JSON.stringify(preview(sensorId))}: a sensor's readings must all reach one partition to be windowed in order; produce them with key = sensorId`;
      out.deadLetters.push(deadLetterOf(sourceOf(topic, partition, rec), { stage: 'ingest', reason: 'key_mismatch', message, now }));
      return;
    }
    if (res.format === 'avro') out.avro++;
    else out.json++;
    if (timestamp > state.newest) state.newest = timestamp;
    const outcome = windower.push(res.reading, out.windows, Number(rec.offset));
    if (outcome === 'accepted') return;
    if (outcome === 'late') {
      out.late++;
      const lateness = types.types.get(res.sensorType)?.window.allowedLatenessMs;
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
      let needed = Number.POSITIVE_INFINITY;
      for (const [type, windower] of state.windowers) {
        const idleAfterMs = types.types.get(type)?.idleAfterMs ?? Number.POSITIVE_INFINITY;
        if (Number.isFinite(idleAfterMs)) out.closed += windower.closeIdle(state.newest, idleAfterMs, out.windows);
        out.resets.push(...windower.takeResets());
        needed = Math.min(needed, windower.oldestNeeded());
      }
      out.commitOffset = Number.isFinite(needed) ? String(needed) : undefined;
      return out;
    },
    flush() {
      const windows: SignalWindow[] = [];
      for (const p of partitions.values()) for (const w of p.windowers.values()) w.flush(windows);
      return windows;
    },
    reset() {
      for (const p of partitions.values()) for (const w of p.windowers.values()) addStats(retired, w.stats());
      partitions = new Map();
    },
    stats() {
      const total = { ...retired };
      for (const p of partitions.values()) for (const w of p.windowers.values()) addStats(total, w.stats());
      return total;
    },
    setTypes(next) {
      // A type whose window options changed starts afresh (its windowers are dropped: the service only applies such an edit with a rejoin).
      for (const p of partitions.values()) {
        for (const [type, w] of p.windowers) {
          const now = next.types.get(type);
          const was = types.types.get(type);
          if (now === undefined || was === undefined || !sameWindowing(now, was)) {
            addStats(retired, w.stats());
            p.windowers.delete(type);
          }
        }
      }
      types = next;
      buildDecoder();
    },
  };
}

const sameWindowing = (a: { window: WindowOptions; idleAfterMs: number }, b: { window: WindowOptions; idleAfterMs: number }): boolean =>
  a.idleAfterMs === b.idleAfterMs && JSON.stringify({ ...a.window, phaseOf: undefined }) === JSON.stringify({ ...b.window, phaseOf: undefined });

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
