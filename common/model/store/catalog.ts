// What the model-artifacts topic says, folded into memory (pure): complete
// artifacts per key and version, and the version each key's pointer names.
import { createChunkAssembler, type CurrentPointer, type ParsedRecord } from './records.ts';

export interface CatalogEntry {
  version: number;
  checksum: string;
  bytes: Buffer;
}

export interface ModelCatalog {
  /** Folds one record in; returns the model key it touched when something became available. */
  apply(record: ParsedRecord): string | null;
  keys(): string[];
  /** Complete versions of a key, ascending. */
  versions(modelKey: string): number[];
  artifact(modelKey: string, version: number): CatalogEntry | undefined;
  pointer(modelKey: string): CurrentPointer | undefined;
  /** Highest version ever seen for a key (complete or not): the next is this + 1. */
  highestVersion(modelKey: string): number;
  /**
   * Versions to try serving, best first: the pointer's version, then the
   * others newest first. Versions in `refused` are left out.
   */
  candidates(modelKey: string, refused?: ReadonlySet<number>): number[];
}

export interface CatalogOptions {
  /** Complete artifacts kept per key besides the pointer's (older ones are dropped from memory). */
  keepVersions?: number;
}

export function createModelCatalog(options: CatalogOptions = {}): ModelCatalog {
  const keep = options.keepVersions ?? 10;
  const assembler = createChunkAssembler();
  const artifacts = new Map<string, Map<number, CatalogEntry>>();
  const pointers = new Map<string, CurrentPointer>();
  const highest = new Map<string, number>();

  const prune = (key: string): void => {
    const byVersion = artifacts.get(key);
    if (byVersion === undefined || byVersion.size <= keep) return;
    const pinned = pointers.get(key)?.version;
    const sorted = [...byVersion.keys()].sort((a, b) => b - a);
    for (const v of sorted.slice(keep)) if (v !== pinned) byVersion.delete(v);
  };

  return {
    apply(record) {
      if (record.type === 'current') {
        pointers.set(record.pointer.modelKey, record.pointer);
        return record.pointer.modelKey;
      }
      const { chunk } = record;
      highest.set(chunk.modelKey, Math.max(highest.get(chunk.modelKey) ?? 0, chunk.version));
      const whole = assembler.add(chunk);
      if (whole === null) return null;
      const byVersion = artifacts.get(whole.modelKey) ?? new Map<number, CatalogEntry>();
      artifacts.set(whole.modelKey, byVersion);
      byVersion.set(whole.version, { version: whole.version, checksum: whole.checksum, bytes: whole.bytes });
      prune(whole.modelKey);
      return whole.modelKey;
    },
    keys: () => [...new Set([...artifacts.keys(), ...pointers.keys()])].sort(),
    versions: (key) => [...(artifacts.get(key)?.keys() ?? [])].sort((a, b) => a - b),
    artifact: (key, version) => artifacts.get(key)?.get(version),
    pointer: (key) => pointers.get(key),
    highestVersion: (key) => Math.max(highest.get(key) ?? 0, pointers.get(key)?.version ?? 0),
    candidates(key, refused = new Set()) {
      const available = [...(artifacts.get(key)?.keys() ?? [])].filter((v) => !refused.has(v)).sort((a, b) => b - a);
      const pinned = pointers.get(key)?.version;
      if (pinned === undefined || !available.includes(pinned)) return available;
      return [pinned, ...available.filter((v) => v !== pinned)];
    },
  };
}
