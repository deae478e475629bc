// The ingest use case, without Kafka: a batch of consumed records in, the
// windows to publish and the dead letters to send out. Decode and validate each
// record; feed good readings to the windower; every record that cannot be used
// becomes a dead letter with its reason and original bytes.
import { createReadingDecoder } from '../common/codec/reading.ts';
import type { RecordHeaders } from '../common/codec/headers.ts';
import { deadLetterOf } from '../common/dead-letter.ts';
import type { DeadLetter, SignalWindow } from '../common/types.ts';
import { createWindower, type Windower } from '../common/window/windower.ts';
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
}

export interface IngestPipeline {
  /** `now` (ms) is the clock for the future-timestamp check and dead-letter times. */
  processBatch(topic: string, partition: number, records: readonly ConsumedRecord[], now: number): BatchOutcome;
  /** Releases every buffered sample: the windows that completes (shutdown). */
  flush(): SignalWindow[];
  readonly windower: Windower;
}

export interface PipelineOptions {
  window: WindowOptions;
  maxFutureMs: number;
}

export function createIngestPipeline(options: PipelineOptions): IngestPipeline {
  const decoder = createReadingDecoder({ channels: options.window.channels, maxFutureMs: options.maxFutureMs });
  const windower = createWindower(options.window);
  const lateness = options.window.allowedLatenessMs;

  /** Decodes one record and windows it; what cannot be used goes to out.deadLetters. */
  function take(topic: string, partition: number, rec: ConsumedRecord, now: number, out: BatchOutcome): void {
    const res = decoder.decode(rec.value, rec.headers, now);
    if (!res.ok) {
      out.deadLetters.push(deadLetterOf({ topic, partition, offset: rec.offset, key: rec.key, value: rec.value }, { stage: 'ingest', reason: res.reason, message: res.message, now }));
      return;
    }
    if (res.format === 'avro') out.avro++;
    else out.json++;
    const outcome = windower.push(res.reading, out.windows);
    if (outcome === 'accepted') return;
    if (outcome === 'late') {
      out.late++;
      const { sensorId, timestamp } = res.reading;
      const message = `sensor ${sensorId}: reading at ${timestamp} (${new Date(timestamp).toISOString()}) arrived after its place in the window sequence had passed (windowing.allowedLatenessMs = ${lateness})`;
      out.deadLetters.push(deadLetterOf({ topic, partition, offset: rec.offset, key: rec.key, value: rec.value }, { stage: 'ingest', reason: 'late', message, now }));
    } else {
      out.duplicates++;
      if (outcome === 'conflict') out.conflicts++;
    }
  }

  return {
    windower,
    processBatch(topic, partition, records, now) {
      const out: BatchOutcome = { windows: [], deadLetters: [], avro: 0, json: 0, late: 0, duplicates: 0, conflicts: 0 };
      for (const rec of records) {
        try {
          take(topic, partition, rec, now, out);
        } catch (err) {
          // A bug must not stall the partition: this record goes to the dead
          // letters with what went wrong, and the batch goes on.
          const message = `ingest failed on this record: ${(err as Error).stack ?? String(err)}`;
          out.deadLetters.push(deadLetterOf({ topic, partition, offset: rec.offset, key: rec.key, value: rec.value }, { stage: 'ingest', reason: 'internal', message, now }));
        }
      }
      return out;
    },
    flush() {
      const windows: SignalWindow[] = [];
      windower.flush(windows);
      return windows;
    },
  };
}
