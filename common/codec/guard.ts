// A bounds check run before avsc decodes untrusted bytes. avsc allocates an
// array of the block count it reads (`new Array(n)`) and then reads n items,
// even past the end of the buffer: a 9-byte record claiming 2^29 values takes
// gigabytes and aborts the process, so one corrupt record would crash ingest
// again on every restart. This walks the schema over the bytes without
// allocating and reports the first count that cannot fit in what is left.
import type avro from 'avsc';
import { VarintCursor } from './varint.ts';

/** Items of zero bytes (null) cannot be bounded by the bytes left; this many per block is allowed. */
const MAX_EMPTY_ITEMS = 1_000_000;

class Over extends Error {}

function readLong(w: VarintCursor): number {
  const n = w.long();
  if (n === null) throw new Over(w.pos >= w.buf.length ? `truncated at byte ${w.pos}` : `varint longer than 10 bytes at byte ${w.pos}`);
  return n;
}

function skipBytes(w: VarintCursor, n: number, what: string): void {
  if (n < 0 || w.pos + n > w.buf.length) throw new Over(`${what} of ${n} bytes at byte ${w.pos} runs past the end (${w.buf.length} bytes)`);
  w.pos += n;
}

/** The fewest bytes a value of this type takes (bounds block counts). */
function minSize(type: avro.Type, seen = new Set<avro.Type>()): number {
  const t = type as unknown as { typeName: string; fields?: { type: avro.Type }[]; types?: avro.Type[]; size?: number; underlyingType?: avro.Type };
  switch (t.typeName) {
    case 'null':
      return 0;
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'fixed':
      return t.size ?? 0;
    case 'record':
    case 'error': {
      if (seen.has(type)) return 0; // recursive: do not loop
      seen.add(type);
      return (t.fields ?? []).reduce((sum, f) => sum + minSize(f.type, seen), 0);
    }
    default:
      return t.underlyingType !== undefined ? minSize(t.underlyingType, seen) : 1;
  }
}

function walk(type: avro.Type, w: VarintCursor): void {
  const t = type as unknown as {
    typeName: string;
    fields?: { type: avro.Type }[];
    itemsType?: avro.Type;
    valuesType?: avro.Type;
    types?: avro.Type[];
    size?: number;
    underlyingType?: avro.Type;
  };
  switch (t.typeName) {
    case 'null':
      return;
    case 'boolean':
      skipBytes(w, 1, 'boolean');
      return;
    case 'int':
    case 'long':
    case 'enum':
      readLong(w);
      return;
    case 'float':
      skipBytes(w, 4, 'float');
      return;
    case 'double':
      skipBytes(w, 8, 'double');
      return;
    case 'string':
    case 'bytes':
      skipBytes(w, readLong(w), t.typeName);
      return;
    case 'fixed':
      skipBytes(w, t.size ?? 0, 'fixed');
      return;
    case 'record':
    case 'error':
      for (const f of t.fields ?? []) walk(f.type, w);
      return;
    case 'array':
    case 'map': {
      const item = (t.typeName === 'array' ? t.itemsType : t.valuesType) as avro.Type;
      const size = minSize(item) + (t.typeName === 'map' ? 1 : 0);
      for (let n = readLong(w); n !== 0; n = readLong(w)) {
        if (n < 0) {
          n = -n;
          readLong(w); // block size in bytes
        }
        const left = w.buf.length - w.pos;
        if (size > 0 ? n * size > left : n > MAX_EMPTY_ITEMS) throw new Over(`${t.typeName} block of ${n} items at byte ${w.pos} cannot fit in the ${left} bytes left`);
        const name = (item as unknown as { typeName: string }).typeName;
        if (t.typeName === 'array' && (name === 'double' || name === 'float')) {
          w.pos += n * size; // fixed-size items: checked above
          continue;
        }
        for (let i = 0; i < n; i++) {
          if (t.typeName === 'map') skipBytes(w, readLong(w), 'map key');
          walk(item, w);
        }
      }
      return;
    }
    default:
      if (t.typeName.startsWith('union')) {
        const types = t.types ?? [];
        const index = readLong(w);
        const branch = types[index];
        if (branch === undefined) throw new Over(`union branch ${index} at byte ${w.pos} does not exist (${types.length} branches)`);
        walk(branch, w);
        return;
      }
      if (t.underlyingType !== undefined) {
        walk(t.underlyingType, w); // logical types
        return;
      }
      throw new Over(`cannot check Avro type ${t.typeName}`);
  }
}

/**
 * Why `buf` cannot hold a value of `type` (a count that cannot fit, a
 * truncation), or null when its counts and lengths are all within bounds. It
 * does not replace decoding: the bytes still go through avsc afterwards.
 */
export function boundsProblem(type: avro.Type, buf: Buffer): string | null {
  try {
    walk(type, new VarintCursor(buf));
    return null;
  } catch (error) {
    if (error instanceof Over) return error.message;
    throw error;
  }
}
