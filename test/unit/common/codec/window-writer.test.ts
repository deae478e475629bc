// The hand-written SignalWindow writer must give exactly avsc's bytes, and
// the hand-written reader exactly avsc's windows (or leave the input to avsc).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWindow, encodeWindow } from '../../../../common/codec/records.ts';
import { windowType, windowV1Resolver, windowV1Type } from '../../../../common/codec/schemas.ts';
import { boundsProblem } from '../../../../common/codec/guard.ts';
import { readWindow } from '../../../../common/codec/window-reader.ts';
import { writeWindow } from '../../../../common/codec/window-writer.ts';
import { createRng } from '../../../../common/rng.ts';
import type { SignalWindow } from '../../../../common/types.ts';

function randomWindow(rng: () => number, i: number): SignalWindow {
  const channels = Array.from({ length: Math.floor(rng() * 10) }, (_, c) => (c % 3 === 0 ? `ch-${c}-é€😀` : `c${c}`));
  const rows = Math.floor(rng() * 70);
  const pick = (): number => {
    const r = rng();
    if (r < 0.05) return Number.NaN;
    if (r < 0.1) return -0;
    if (r < 0.15) return Number.POSITIVE_INFINITY;
    return (rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 4);
  };
  const bigLong = (): number => Math.round((rng() - 0.5) * 2 ** (1 + Math.floor(rng() * 51)));
  return {
    sensorId: i % 5 === 0 ? '' : `sensor-${i}-${'x'.repeat(Math.floor(rng() * 200))}`,
    seq: bigLong(),
    start: 1_700_000_000_000 + Math.floor(rng() * 1e9),
    end: i % 7 === 0 ? -bigLong() : 1_800_000_000_000,
    channels,
    samples: Array.from({ length: rows * channels.length }, pick),
    missing: Math.round((rng() - 0.5) * 2 ** 31),
    badQuality: i % 2 === 0 ? 0 : 2 ** 31 - 1,
    sensorType: i % 3 === 0 ? 'default' : `type-${i % 4}-é`,
  };
}

describe('writeWindow', () => {
  it('writes the same bytes as avsc for 2,000 random windows (unicode, empty arrays, NaN, ±Infinity, -0, large longs)', () => {
    const rng = createRng(7).next;
    for (let i = 0; i < 2000; i++) {
      const w = randomWindow(rng, i);
      const fast = writeWindow(w);
      assert.ok(fast !== null, `window ${i} took the slow path`);
      assert.ok(fast.equals(windowType.toBuffer(w)), `window ${i}: bytes differ from avsc`);
    }
  });

  it('leaves what it cannot write exactly to avsc, which reports the error', () => {
    const base = randomWindow(createRng(1).next, 1);
    assert.equal(writeWindow({ ...base, seq: 2 ** 53 }), null);
    assert.equal(writeWindow({ ...base, missing: 1.5 }), null);
    assert.equal(writeWindow({ ...base, samples: ['1' as unknown as number] }), null);
    assert.throws(() => encodeWindow({ ...base, missing: 1.5 }), /cannot encode SignalWindow/);
    const long = { ...base, seq: 2 ** 52 + 2 };
    assert.ok(encodeWindow(long).equals(windowType.toBuffer(long)), 'longs beyond 2^52 still encode, through avsc');
  });
});

describe('readWindow', () => {
  it('reads what avsc reads for 2,000 random windows (NaN, -0 and ±Infinity kept)', () => {
    const rng = createRng(11).next;
    for (let i = 0; i < 2000; i++) {
      const bytes = windowType.toBuffer(randomWindow(rng, i));
      const fast = readWindow(bytes);
      assert.ok(fast !== null, `window ${i} took the slow path`);
      assert.deepStrictEqual(fast, { ...windowType.fromBuffer(bytes) }, `window ${i}`);
    }
  });

  it('on truncated, extended and bit-flipped buffers it never returns something avsc would not', () => {
    const rng = createRng(5).next;
    let fallbacks = 0;
    for (let i = 0; i < 3000; i++) {
      const good = windowType.toBuffer(randomWindow(rng, i)) as Buffer;
      const bad = Buffer.from(good);
      const kind = i % 3;
      const damaged = kind === 0 ? bad.subarray(0, Math.floor(rng() * bad.length)) : kind === 1 ? Buffer.concat([bad, Buffer.from([Math.floor(rng() * 256)])]) : bad;
      if (kind === 2) {
        const at = Math.floor(rng() * bad.length);
        bad[at] = (bad[at] ?? 0) ^ (1 << Math.floor(rng() * 8));
      }
      const fast = readWindow(damaged);
      let slow: unknown = 'error';
      // Unchecked, avsc can allocate gigabytes for a damaged block count: the guard goes first, as in decodeWindow.
      // A v2 record cut right after badQuality is a whole v1 record (no sensorType): both read it as v1.
      if (boundsProblem(windowType, damaged) === null) {
        try {
          slow = { ...windowType.fromBuffer(damaged) };
        } catch {
          slow = 'error';
        }
      }
      if (slow === 'error' && boundsProblem(windowV1Type, damaged) === null) {
        try {
          slow = { ...windowType.fromBuffer(damaged, windowV1Resolver) };
        } catch {
          slow = 'error';
        }
      }
      if (fast === null) fallbacks++;
      else assert.deepStrictEqual(fast, slow, `damaged buffer ${i} (kind ${kind})`);
    }
    assert.ok(fallbacks > 1000, `damage must mostly be left to avsc (${fallbacks} fallbacks)`);
  });

  it('decodeWindow still reports a damaged record as bad_avro', () => {
    const bytes = encodeWindow(randomWindow(createRng(3).next, 1));
    assert.throws(() => decodeWindow(bytes.subarray(0, bytes.length - 3)), (e: { code?: string }) => e.code === 'bad_avro');
  });
});
