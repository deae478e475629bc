// Ingest by sensor type (issue 22): each reading is checked against its sensor's
// type and windowed with its type's options; a sensor of no type is dead-lettered
// unknown_sensor, a reading whose channels fit another type names both layouts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeReading } from '../../../common/codec/reading.ts';
import { parseConfigText } from '../../../common/config/load.ts';
import type { SensorReading } from '../../../common/types.ts';
import { createIngestPipeline, pipelineTypesOf, type ConsumedRecord } from '../../../ingest/pipeline.ts';
import { typeReload } from '../../../ingest/service.ts';

const now = Date.UTC(2026, 0, 1);
const yaml = `
sensorTypes:
  - name: pump
    sensors: ['p-*']
    windowing: { channels: [x, y, z], samplePeriodMs: 100, length: 4, hop: 2, allowedLatenessMs: 0 }
  - name: valve
    sensors: ['v-*']
    windowing: { channels: [pos, dp], samplePeriodMs: 500, length: 2, hop: 1, allowedLatenessMs: 0 }
`;
const config = parseConfigText(yaml, 't.yaml');
let offset = 0;
const rec = (r: SensorReading | Record<string, unknown>, format: 'avro' | 'json' = 'avro'): ConsumedRecord => ({
  key: Buffer.from(String(r.sensorId)),
  value: format === 'avro' ? encodeReading(r as SensorReading, 'avro') : Buffer.from(JSON.stringify(r)),
  offset: String(offset++),
});
const reading = (sensorId: string, i: number, n: number, period: number): SensorReading => ({ sensorId, timestamp: now - 60_000 + i * period, values: Array.from({ length: n }, (_, c) => i + c), quality: null });

describe('ingest pipeline with sensor types', () => {
  it('windows each type with its own channels, grid and length, stamped with the type', () => {
    const p = createIngestPipeline({ types: pipelineTypesOf(config), maxFutureMs: 60_000 });
    const records = [...Array.from({ length: 8 }, (_, i) => rec(reading('p-1', i, 3, 100))), ...Array.from({ length: 4 }, (_, i) => rec(reading('v-1', i, 2, 500), 'json'))];
    const out = p.processBatch('r', 0, records, now);
    assert.deepEqual(out.deadLetters, []);
    const pumps = out.windows.filter((w) => w.sensorId === 'p-1');
    const valves = out.windows.filter((w) => w.sensorId === 'v-1');
    assert.ok(pumps.length >= 2 && valves.length >= 2, `${pumps.length} pump and ${valves.length} valve windows`);
    for (const w of pumps) {
      assert.equal(w.sensorType, 'pump');
      assert.deepEqual(w.channels, ['x', 'y', 'z']);
      assert.equal(w.samples.length, 12);
      assert.equal(w.end - w.start, 300);
    }
    for (const w of valves) {
      assert.equal(w.sensorType, 'valve');
      assert.deepEqual(w.channels, ['pos', 'dp']);
      assert.equal(w.end - w.start, 500);
    }
  });

  it('unknown_sensor names the sensor; a wrong layout names both layouts; JSON objects keyed by the type\'s channels', () => {
    const p = createIngestPipeline({ types: pipelineTypesOf(config), maxFutureMs: 60_000 });
    const out = p.processBatch(
      'r',
      0,
      [
        rec(reading('boiler-1', 0, 3, 100)),
        rec(reading('v-1', 0, 3, 500)),
        rec({ sensorId: 'p-1', timestamp: now - 1000, values: { pos: 1, dp: 2 } }, 'json'),
        rec({ sensorId: 'v-2', timestamp: now - 1000, values: { pos: 1, dp: 2 } }, 'json'),
        rec(reading('p-2', 0, 4, 100)),
      ],
      now,
    );
    assert.deepEqual(out.deadLetters.map((d) => d.reason), ['unknown_sensor', 'wrong_channel_count', 'wrong_channel_count', 'wrong_channel_count']);
    const [unknown, valve3, pumpObj, p4] = out.deadLetters.map((d) => d.message);
    assert.match(unknown ?? '', /^sensor boiler-1 matches no sensor type \(sensorTypes: pump, valve\) and defaultSensorType is not set/);
    assert.match(valve3 ?? '', /sensor v-1 \(type valve\): 3 values, expected 2 \(pos, dp\); they fit type pump \(3 channels: x, y, z\), not its own type valve \(2 channels: pos, dp\)/);
    assert.match(pumpObj ?? '', /sensor p-1 \(type pump\): unknown channel\(s\) pos, dp; missing channel\(s\) x, y, z; its type's channels: x, y, z; they fit type valve \(2 channels: pos, dp\), not its own type pump/);
    assert.match(p4 ?? '', /sensor p-2 \(type pump\): 4 values, expected 3 \(x, y, z\)$/, 'fits no other type: no other layout named');
  });

  it('defaultSensorType catches unmatched sensors', () => {
    const p = createIngestPipeline({ types: pipelineTypesOf(parseConfigText(`${yaml}\ndefaultSensorType: valve\n`, 'd.yaml')), maxFutureMs: 60_000 });
    const out = p.processBatch('r', 0, [0, 1, 2].map((i) => rec(reading('anything', i, 2, 500))), now);
    assert.deepEqual(out.deadLetters, []);
    assert.ok(out.windows.length > 0 && out.windows.every((w) => w.sensorType === 'valve'));
  });

  it('the implicit single type: windows stamped default, messages as before types', () => {
    const implicit = parseConfigText('windowing: { channels: [a, b], length: 2, hop: 1, allowedLatenessMs: 0 }', 'i.yaml');
    const p = createIngestPipeline({ types: pipelineTypesOf(implicit), maxFutureMs: 60_000 });
    const out = p.processBatch('r', 0, [rec(reading('s', 0, 2, 50)), rec(reading('s', 1, 2, 50)), rec(reading('s', 2, 3, 50))], now);
    assert.equal(out.windows[0]?.sensorType, 'default');
    assert.equal(out.deadLetters[0]?.message, 'sensor s: 3 values, expected 2 (a, b)');
  });

  it('a reload that adds a type or sensors applies; one that changes a type\'s windowing or removes a type needs a restart', () => {
    const running = pipelineTypesOf(config);
    const added = pipelineTypesOf(parseConfigText(yaml.replace("sensors: ['v-*']", "sensors: ['v-*', 'valve-*']") + `  - name: tank\n    sensors: ['t-*']\n    windowing: { channels: [level], samplePeriodMs: 50, length: 2, hop: 1, allowedLatenessMs: 0 }\n`, 'a.yaml'));
    assert.deepEqual(typeReload(running, added), { safe: true, added: ['tank'] });
    const changed = pipelineTypesOf(parseConfigText(yaml.replace('length: 2, hop: 1', 'length: 4, hop: 1'), 'c.yaml'));
    assert.deepEqual(typeReload(running, changed), { safe: false, why: 'the windowing of sensor type valve changed' });
    const removed = pipelineTypesOf(parseConfigText(yaml.split('  - name: valve')[0] ?? '', 'r.yaml'));
    assert.deepEqual(typeReload(running, removed), { safe: false, why: 'sensor type valve was removed' });

    // Applied: the new type's sensors are windowed, the pump's windows in progress are kept.
    const p = createIngestPipeline({ types: running, maxFutureMs: 60_000 });
    const first = p.processBatch('r', 0, [0, 1, 2].map((i) => rec(reading('p-1', i, 3, 100))), now);
    assert.equal(first.windows.length, 0, 'pump: 3 of 4 samples');
    assert.equal(p.processBatch('r', 0, [rec(reading('t-1', 0, 1, 50))], now).deadLetters[0]?.reason, 'unknown_sensor');
    p.setTypes(added);
    const after = p.processBatch('r', 0, [...[3, 4, 5, 6].map((i) => rec(reading('p-1', i, 3, 100))), ...[1, 2].map((i) => rec(reading('t-1', i, 1, 50)))], now);
    assert.deepEqual(after.deadLetters, []);
    const first3 = reading('p-1', 2, 3, 100).timestamp;
    assert.ok(after.windows.some((w) => w.sensorId === 'p-1' && w.sensorType === 'pump' && w.start <= first3), 'a pump window holding samples from before the reload completed');
    assert.ok(after.windows.some((w) => w.sensorId === 't-1' && w.sensorType === 'tank'));
  });
});
