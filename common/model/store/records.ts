// The model-artifacts topic's record layout (pure). The topic is compacted, so
// every record has a key that is unique for as long as it must survive:
//   <modelKey>/<version>/<chunk>  one chunk of an artifact (value: bytes)
//   <modelKey>/current            which version of that key is in force (value: JSON)
// Chunks keep each record well under the broker's message limit.
import { SensorwatchError } from '../../errors.ts';

/** Bytes per chunk: a quarter of the local broker's 2 MiB message limit. */
export const defaultChunkBytes = 512 * 1024;

export const headerNames = {
  type: 'sw-type',
  chunks: 'sw-chunks',
  checksum: 'sw-checksum',
  size: 'sw-size',
} as const;

export interface ArtifactRecord {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export interface ChunkRef {
  modelKey: string;
  version: number;
  index: number;
  total: number;
  checksum: string;
  size: number;
  bytes: Buffer;
}

export interface CurrentPointer {
  modelKey: string;
  version: number;
  /** promoted | rollback */
  reason: string;
  /** ms since the epoch. */
  at: number;
}

export type ParsedRecord = { type: 'chunk'; chunk: ChunkRef } | { type: 'current'; pointer: CurrentPointer };

export function chunkRecords(
  artifact: Buffer,
  ref: { modelKey: string; version: number; checksum: string },
  chunkBytes = defaultChunkBytes,
): ArtifactRecord[] {
  const total = Math.max(1, Math.ceil(artifact.length / chunkBytes));
  return Array.from({ length: total }, (_, index) => ({
    key: `${ref.modelKey}/${ref.version}/${index}`,
    value: artifact.subarray(index * chunkBytes, (index + 1) * chunkBytes),
    headers: {
      [headerNames.type]: 'chunk',
      [headerNames.chunks]: String(total),
      [headerNames.checksum]: ref.checksum,
      [headerNames.size]: String(artifact.length),
    },
  }));
}

export function pointerRecord(pointer: CurrentPointer): ArtifactRecord {
  return {
    key: `${pointer.modelKey}/current`,
    value: Buffer.from(JSON.stringify({ version: pointer.version, reason: pointer.reason, at: pointer.at })),
    headers: { [headerNames.type]: 'current' },
  };
}

/**
 * Reads one record of the topic back. Model keys may themselves contain '/',
 * so keys are parsed from the right. Throws `bad_model_record` for anything else.
 */
export function parseRecord(key: string, value: Buffer | null, headers: Record<string, string | undefined>): ParsedRecord | null {
  // A null value is a tombstone (a deleted record): nothing to do.
  if (value === null) return null;
  const bad = (why: string): SensorwatchError =>
    new SensorwatchError(`model-artifacts record '${key}': ${why}`, { code: 'bad_model_record', details: { key } });
  const parts = key.split('/');
  if (headers[headerNames.type] === 'current' && parts.at(-1) === 'current') {
    let body: { version?: unknown; reason?: unknown; at?: unknown };
    try {
      body = JSON.parse(value.toString('utf8')) as typeof body;
    } catch {
      throw bad('pointer value is not JSON');
    }
    if (typeof body.version !== 'number' || !Number.isInteger(body.version)) throw bad('pointer has no integer version');
    return {
      type: 'current',
      pointer: { modelKey: parts.slice(0, -1).join('/'), version: body.version, reason: String(body.reason ?? ''), at: Number(body.at ?? 0) },
    };
  }
  if (headers[headerNames.type] !== 'chunk' || parts.length < 3) throw bad('neither a chunk nor a current pointer');
  const version = Number(parts.at(-2));
  const index = Number(parts.at(-1));
  const total = Number(headers[headerNames.chunks]);
  const size = Number(headers[headerNames.size]);
  const checksum = headers[headerNames.checksum] ?? '';
  if (![version, index, total, size].every((n) => Number.isInteger(n) && n >= 0) || index >= total || version < 1) {
    throw bad(`bad chunk numbering (version ${parts.at(-2)}, chunk ${parts.at(-1)} of ${headers[headerNames.chunks]})`);
  }
  return { type: 'chunk', chunk: { modelKey: parts.slice(0, -2).join('/'), version, index, total, checksum, size, bytes: value } };
}

/** Collects chunks (in any order, duplicates tolerated) and hands back whole artifacts. */
export interface ChunkAssembler {
  /** The complete artifact once its last chunk arrives, else null. */
  add(chunk: ChunkRef): { modelKey: string; version: number; checksum: string; bytes: Buffer } | null;
  /** Drops partial artifacts of a key below a version (memory bound). */
  forget(modelKey: string, belowVersion: number): void;
}

export function createChunkAssembler(): ChunkAssembler {
  const partial = new Map<string, { ref: ChunkRef; parts: (Buffer | undefined)[]; have: number }>();
  return {
    add(chunk) {
      const id = `${chunk.modelKey}\u0000${chunk.version}`;
      let entry = partial.get(id);
      // A republished version (same key, new bytes) restarts collection.
      if (entry !== undefined && (entry.ref.checksum !== chunk.checksum || entry.ref.total !== chunk.total)) entry = undefined;
      if (entry === undefined) {
        entry = { ref: chunk, parts: new Array<Buffer | undefined>(chunk.total).fill(undefined), have: 0 };
        partial.set(id, entry);
      }
      if (entry.parts[chunk.index] === undefined) entry.have++;
      entry.parts[chunk.index] = chunk.bytes;
      if (entry.have < chunk.total) return null;
      partial.delete(id);
      const bytes = Buffer.concat(entry.parts as Buffer[]);
      return { modelKey: chunk.modelKey, version: chunk.version, checksum: chunk.checksum, bytes };
    },
    forget(modelKey, belowVersion) {
      for (const [id, entry] of partial) if (entry.ref.modelKey === modelKey && entry.ref.version < belowVersion) partial.delete(id);
    },
  };
}
