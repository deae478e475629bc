// The local model cache: one directory per model key, one file per version,
// plus a 'current' file naming the version in force. Writes are atomic (a temp
// file in the same directory, then rename), so a crash never leaves a torn
// artifact where a reader could find it.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface ModelCache {
  readonly dir: string;
  write(modelKey: string, version: number, bytes: Buffer): Promise<string>;
  read(modelKey: string, version: number): Promise<Buffer | null>;
  /** Versions stored for a key, ascending. */
  versions(modelKey: string): Promise<number[]>;
  keys(): Promise<string[]>;
  setCurrent(modelKey: string, version: number): Promise<void>;
  current(modelKey: string): Promise<number | null>;
}

/** Model keys become directory names: anything outside [A-Za-z0-9._-] is %-escaped. */
export function keyToDir(modelKey: string): string {
  return modelKey.replace(/[^A-Za-z0-9._-]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`).replace(/^\.+/, (d) => '%2e'.repeat(d.length));
}

export function dirToKey(dir: string): string {
  return decodeURIComponent(dir);
}

const artifactName = (version: number): string => `v${String(version).padStart(6, '0')}.swm`;

export async function writeAtomic(path: string, dir: string, bytes: Buffer | string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(tmp, bytes, { flush: true });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export function createModelCache(dir: string): ModelCache {
  const keyDir = (k: string): string => join(dir, keyToDir(k));
  const missingOk = async <T>(f: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await f();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
      throw err;
    }
  };
  return {
    dir,
    async write(modelKey, version, bytes) {
      const path = join(keyDir(modelKey), artifactName(version));
      await writeAtomic(path, keyDir(modelKey), bytes);
      return path;
    },
    read: (modelKey, version) => missingOk(() => readFile(join(keyDir(modelKey), artifactName(version))), null),
    async versions(modelKey) {
      const names = await missingOk(() => readdir(keyDir(modelKey)), [] as string[]);
      return names
        .map((n) => /^v(\d+)\.swm$/.exec(n)?.[1])
        .filter((v): v is string => v !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
    },
    async keys() {
      const entries = await missingOk(() => readdir(dir, { withFileTypes: true }), []);
      return entries.filter((e) => e.isDirectory()).map((e) => dirToKey(e.name)).sort();
    },
    async setCurrent(modelKey, version) {
      await writeAtomic(join(keyDir(modelKey), 'current'), keyDir(modelKey), `${version}\n`);
    },
    async current(modelKey) {
      const text = await missingOk(() => readFile(join(keyDir(modelKey), 'current'), 'utf8'), null);
      const v = text === null ? Number.NaN : Number(text.trim());
      return Number.isInteger(v) ? v : null;
    },
  };
}
