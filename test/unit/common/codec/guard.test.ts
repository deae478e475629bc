// The bounds check that runs before avsc: a record whose block count cannot
// fit in its bytes is refused at once (avsc itself would try to allocate it),
// valid records always pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundsProblem } from '../../../../common/codec/guard.ts';
import { createReadingDecoder, encodeReading, readingHeaders } from '../../../../common/codec/reading.ts';
import { decodeAlert, decodeWindow, encodeAlert, encodeWindow } from '../../../../common/codec/records.ts';
import { alertType, readingType, readingV1Type, windowType } from '../../../../common/codec/schemas.ts';

const varint = (n: number): number[] => {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (z >= 128) {
    out.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  out.push(z);
  return out;
};

/** sensorId "s", timestamp 0, then a values block claiming `count` doubles, and nothing else. */
const poisonReading = (count: number): Buffer => Buffer.from([...varint(1), 0x73, ...varint(0), ...varint(count), 0, 0]);

describe('boundsProblem', () => {
  it('refuses a 9-byte reading that claims 2^28 values, quickly and with where', () => {
    const t0 = performance.now();
    const problem = boundsProblem(readingType, poisonReading(2 ** 28));
    assert.ok(performance.now() - t0 < 50, 'no allocation, no loop over the claimed count');
    assert.match(problem ?? '', /array block of 268435456 items at byte 8 cannot fit in the 2 bytes left/);
  });

  it('ingest dead-letters such a record as bad_avro instead of running out of memory', () => {
    const decoder = createReadingDecoder({ channels: ['a', 'b'], maxFutureMs: 60_000 });
    for (const version of ['2', '1']) {
      const headers = { ...readingHeaders('avro'), 'schema-version': version };
      const res = decoder.decode(poisonReading(2 ** 29), headers, Date.now());
      assert.equal(res.ok, false);
      if (!res.ok) {
        assert.equal(res.reason, 'bad_avro');
        assert.match(res.message, new RegExp(`not a SensorReading v${version} Avro record \\(\\d+ bytes\\): array block of 536870912 items`));
      }
    }
  });

  it('decodeWindow refuses a window whose samples count cannot fit', () => {
    const good = encodeWindow({ sensorId: 's', seq: 1, start: 0, end: 10, channels: ['a'], samples: [1, 2], missing: 0, badQuality: 0 });
    // sensorId(2) seq(1) start(1) end(1) channels: count(1) "a"(2) end(1) -> samples count at byte 9
    const bad = Buffer.concat([good.subarray(0, 9), Buffer.from(varint(2 ** 30)), good.subarray(10)]);
    assert.throws(() => decodeWindow(bad), (e: { code?: string; message: string }) => e.code === 'bad_avro' && /array block of 1073741824 items/.test(e.message));
  });

  it('passes valid records: readings (v1 and v2), windows, alerts', () => {
    const reading = { sensorId: 'pump-7', timestamp: 1_790_000_000_000, values: [1.5, -2, 3e9], quality: 'bad' as const };
    assert.equal(boundsProblem(readingType, encodeReading(reading, 'avro')), null);
    assert.equal(boundsProblem(readingV1Type, readingV1Type.toBuffer({ sensorId: 'p', timestamp: 5, values: [] })), null);
    const window = { sensorId: 'é-😀', seq: 2 ** 40, start: 1, end: 2, channels: ['x', 'y'], samples: Array.from({ length: 128 }, (_, i) => i / 3), missing: 3, badQuality: -1 };
    assert.equal(boundsProblem(windowType, encodeWindow(window)), null);
    const alert = alertType.random();
    assert.deepEqual({ ...decodeAlert(encodeAlert(alert as never)) }, { ...(alert as object) });
  });

  it('passes random values of every record type avsc can generate', () => {
    for (const type of [readingType, windowType, alertType]) {
      for (let i = 0; i < 300; i++) {
        const bytes = type.toBuffer(type.random());
        assert.equal(boundsProblem(type, bytes), null, `${type.name ?? 'type'} #${i}`);
      }
    }
  });
});
