// The hand-written SensorReading reader (ingest's fast path) must read exactly
// what avsc reads, or leave the input to the bounds walk and avsc, so that a
// damaged record is dead-lettered with the same reason and message as before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundsProblem } from '../../../../common/codec/guard.ts';
import { createReadingDecoder, keyIs } from '../../../../common/codec/reading.ts';
import { readReading } from '../../../../common/codec/reading-reader.ts';
import { readingType } from '../../../../common/codec/schemas.ts';
import { createRng } from '../../../../common/rng.ts';
import type { ReadingQuality, SensorReading } from '../../../../common/types.ts';

function randomReading(rng: () => number, i: number): SensorReading {
  const pick = (): number => {
    const r = rng();
    if (r < 0.05) return Number.NaN;
    if (r < 0.1) return -0;
    if (r < 0.15) return Number.NEGATIVE_INFINITY;
    return (rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 4);
  };
  const qualities: (ReadingQuality | null)[] = [null, 'good', 'uncertain', 'bad'];
  return {
    sensorId: i % 5 === 0 ? '' : `sensor-${i}${i % 3 === 0 ? '-é€😀' : ''}-${'x'.repeat(Math.floor(rng() * 150))}`,
    // ms timestamps, and longs of every size (the fast path takes up to seven bytes, avsc the rest)
    timestamp: i % 4 === 0 ? Math.round((rng() - 0.5) * 2 ** (1 + Math.floor(rng() * 52))) : 1_700_000_000_000 + Math.floor(rng() * 1e11),
    values: Array.from({ length: Math.floor(rng() * 12) }, pick),
    quality: qualities[i % 4] ?? null,
  };
}

const viaAvsc = (bytes: Buffer): unknown => {
  // Unchecked, avsc can allocate gigabytes for a damaged block count: the guard goes first, as in the decoder.
  if (boundsProblem(readingType, bytes) !== null) return 'error';
  try {
    const r = readingType.fromBuffer(bytes) as SensorReading;
    return { sensorId: r.sensorId, timestamp: r.timestamp, values: r.values, quality: r.quality ?? null };
  } catch {
    return 'error';
  }
};

describe('readReading', () => {
  it('reads what avsc reads for 3,000 random readings (unicode, no values, NaN, -0, every quality), or leaves the long ones to avsc', () => {
    const rng = createRng(13).next;
    let fast = 0;
    for (let i = 0; i < 3000; i++) {
      const bytes = readingType.toBuffer(randomReading(rng, i));
      const got = readReading(bytes);
      if (got === null) continue;
      fast++;
      assert.deepStrictEqual(got, viaAvsc(bytes), `reading ${i}`);
    }
    assert.ok(fast > 2500, `the usual reading takes the fast path (${fast} of 3000)`);
  });

  it('takes every reading with a millisecond timestamp of this century', () => {
    const rng = createRng(2).next;
    for (let i = 1; i < 500; i++) {
      const r = { ...randomReading(rng, i), timestamp: 946_684_800_000 + Math.floor(rng() * 3.2e12) };
      assert.ok(readReading(readingType.toBuffer(r)) !== null, `reading ${i}`);
    }
  });

  it('on truncated, extended and bit-flipped buffers it never returns something avsc would not', () => {
    const rng = createRng(5).next;
    let fallbacks = 0;
    for (let i = 0; i < 4000; i++) {
      const good = readingType.toBuffer(randomReading(rng, i));
      const bad = Buffer.from(good);
      const kind = i % 3;
      const damaged = kind === 0 ? bad.subarray(0, Math.floor(rng() * bad.length)) : kind === 1 ? Buffer.concat([bad, Buffer.from([Math.floor(rng() * 256)])]) : bad;
      if (kind === 2) {
        const at = Math.floor(rng() * bad.length);
        bad[at] = (bad[at] ?? 0) ^ (1 << Math.floor(rng() * 8));
      }
      const got = readReading(damaged);
      if (got === null) fallbacks++;
      else assert.deepStrictEqual(got, viaAvsc(damaged), `damaged buffer ${i} (kind ${kind})`);
    }
    assert.ok(fallbacks > 1500, `damage must mostly be left to avsc (${fallbacks} fallbacks)`);
  });

  it('reads each sensor id right when ids repeat, share a cache slot, differ in one byte or are not ASCII (the id cache)', () => {
    // 20,000 distinct ids over 4,096 cache slots, each read three times in changing order, interleaved with near-misses
    const ids = Array.from({ length: 20_000 }, (_, i) => (i % 97 === 0 ? `sensör-${i}` : i % 89 === 0 ? `s-${'y'.repeat(70)}-${i}` : `sensor-${i}`));
    ids.push('', 'a', 'b', 'sensor-1\u0000', 'sensor-1 ', 'Sensor-1');
    const rng = createRng(5).next;
    for (let round = 0; round < 3; round++) {
      const order = ids.map((id) => ({ id, k: rng() })).sort((a, b) => a.k - b.k);
      for (const { id } of order) {
        const bytes = readingType.toBuffer({ sensorId: id, timestamp: 1_700_000_000_000, values: [1], quality: null });
        assert.equal(readReading(bytes)?.sensorId, id);
      }
    }
  });

  it('the decoder dead-letters damaged Avro readings as before (bad_avro, with the bytes and the problem)', () => {
    const decoder = createReadingDecoder({ channels: ['a', 'b'], maxFutureMs: 1000 });
    const bytes = readingType.toBuffer({ sensorId: 's1', timestamp: 1_700_000_000_000, values: [1, 2], quality: null });
    const now = 1_700_000_000_000;
    assert.deepEqual(decoder.decode(bytes, undefined, now), { ok: true, reading: { sensorId: 's1', timestamp: 1_700_000_000_000, values: [1, 2], quality: null }, format: 'avro', sensorType: 'default' });
    const cut = decoder.decode(bytes.subarray(0, bytes.length - 3), undefined, now);
    assert.equal(cut.ok, false);
    assert.ok(!cut.ok && cut.reason === 'bad_avro' && /not a SensorReading v2 Avro record \(\d+ bytes\)/.test(cut.message), JSON.stringify(cut));
    const trailing = decoder.decode(Buffer.concat([bytes, Buffer.from([0])]), undefined, now);
    assert.ok(!trailing.ok && trailing.reason === 'bad_avro' && /trailing data/.test(trailing.message), JSON.stringify(trailing));
  });
});

describe('keyIs', () => {
  it('agrees with decoding the key as UTF-8 and comparing', () => {
    const ids = ['', 's', 'sensor-1', 'sensor-2', 'sensör', 'é', '😀', 'a\u0000b', 'sensor-1 '];
    const keys = [...ids.map((s) => Buffer.from(s, 'utf8')), Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from('sensor-1', 'latin1'), Buffer.from('sensör', 'latin1')];
    for (const key of keys) for (const id of ids) assert.equal(keyIs(key, id), key.toString('utf8') === id, `key ${key.toString('hex')} vs ${JSON.stringify(id)}`);
  });
});
