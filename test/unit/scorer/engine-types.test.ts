// Sensor types in the scorer (issue 22): each window is judged with its type's
// settings and model, and a model is never applied to a window of another type
// or channel layout: that window is dead-lettered bad_window.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BatchItem, RecordSource } from '../../../scorer/engine.ts';
import { initialSensorState, type SensorState } from '../../../common/decision/decide.ts';
import { parseConfigText } from '../../../common/config/load.ts';
import type { Config } from '../../../common/config/types.ts';
import { valueForScore, window, zeroModel, type FixtureWindow } from './support.ts';
import { typedEngine } from './typed-engine.ts';

await tf.setBackend('cpu');

const config: Config = parseConfigText(
  `
thresholds: { method: quantile }
scorer: { hysteresis: { openAfter: 1, openWindow: 1, resolveAfter: 1, releaseScore: 0.5, holdOffSamples: 0 } }
sensorTypes:
  - name: pump
    sensors: ['p-*']
    windowing: { channels: [a, b, c], length: 8, hop: 2 }
  - name: valve
    sensors: ['v-*']
    windowing: { channels: [a, b], units: { a: bar }, length: 8, hop: 2 }
    scorer: { topChannels: 1 }
`,
  'types.yaml',
);

const setup = () => typedEngine(config);

let offset = 0;
const source = (): RecordSource => ({ topic: 'w', partition: 0, offset: String(offset++), key: null, value: Buffer.from('x') });
const items = (ws: FixtureWindow[]): BatchItem[] => ws.map((w) => ({ source: source(), window: window(w) }));
const pump = (seq: number, score: number, sensorId = 'p-1'): FixtureWindow => ({ sensorId, seq, value: valueForScore(score), channels: ['a', 'b', 'c'], sensorType: 'pump' });
const valve = (seq: number, score: number, sensorId = 'v-1'): FixtureWindow => ({ sensorId, seq, value: valueForScore(score), channels: ['a', 'b'], sensorType: 'valve' });

describe('engine with sensor types', () => {
  it('scores each type with its own model; alerts carry the type, the type\'s settings (topChannels) and units', async () => {
    const t = setup();
    t.models.offer(zeroModel({ key: 'pump', sensorType: 'pump', channels: ['a', 'b', 'c'] }));
    t.models.offer(zeroModel({ key: 'valve', sensorType: 'valve', channels: ['a', 'b'] }));
    await t.engine.handle(items([pump(1, 3), valve(1, 3)]));
    assert.deepEqual(t.dead, []);
    const opens = t.alerts().filter((a) => a.state === 'open');
    assert.deepEqual(opens.map((a) => `${a.sensorId}:${a.sensorType}:${a.modelKey}`).sort(), ['p-1:pump:pump', 'v-1:valve:valve']);
    const v = opens.find((a) => a.sensorId === 'v-1');
    assert.equal(v?.topChannels.length, 1, 'valve: scorer.topChannels 1');
    assert.match(v?.topChannels[0]?.channel ?? '', /^[ab]( \[bar\])?$/);
    assert.equal(opens.find((a) => a.sensorId === 'p-1')?.topChannels.length, 3, 'pump: the top-level topChannels (3)');
    const text = await t.registry.metrics();
    assert.match(text, /sensorwatch_windows_scored_total\{model="pump",type="pump"\} 1/);
    assert.match(text, /sensorwatch_anomaly_score\{sensor="v-1",type="valve"\}/);
    assert.match(text, /sensorwatch_model_info\{model="pump",version="1",kind="dense",backend="cpu",type="pump"\} 1/, 'the model in force names its type');
    assert.match(text, /sensorwatch_model_info\{model="valve",version="1",kind="dense",backend="cpu",type="valve"\} 1/);
    assert.equal(t.published.at(-1)?.states.find((s) => s.sensorId === 'p-1')?.sensorType, 'pump', 'the state records the type');
  });

  it('a model of another type is never applied: the window is dead-lettered bad_window', async () => {
    const t = setup();
    // A pump-keyed model that was trained on valve windows (a stale or misfiled artifact): same key, other type.
    t.models.offer(zeroModel({ key: 'pump', sensorType: 'valve', channels: ['a', 'b', 'c'] }));
    t.models.offer(zeroModel({ key: 'valve', sensorType: 'valve', channels: ['a', 'b'] }));
    await t.engine.handle(items([pump(1, 3), valve(1, 0.1)]));
    assert.deepEqual(t.dead.map((d) => d.reason), ['bad_window']);
    assert.match(t.dead[0]?.message ?? '', /window p-1#1 is of sensor type pump; model pump v1 was trained on type valve: a model is never applied to another type's windows/);
    assert.deepEqual(t.alerts().map((a) => a.sensorId), [], 'the pump window was not scored');
    assert.match(await t.registry.metrics(), /sensorwatch_windows_scored_total\{model="valve",type="valve"\} 1/);
  });

  it('a model of the same type but another channel layout is never applied', async () => {
    const t = setup();
    t.models.offer(zeroModel({ key: 'pump', sensorType: 'pump', channels: ['c', 'b', 'a'] }));
    await t.engine.handle(items([pump(1, 3)]));
    assert.deepEqual(t.dead.map((d) => d.reason), ['bad_window']);
    assert.match(t.dead[0]?.message ?? '', /has channels a, b, c; model pump v1 was trained on c, b, a: a model is never applied to another channel layout/);
  });

  it('a window of a type the config does not define, of a moved sensor, or of another layout than its type\'s: bad_window', async () => {
    const t = setup();
    t.models.offer(zeroModel({ key: 'pump', sensorType: 'pump', channels: ['a', 'b', 'c'] }));
    t.models.offer(zeroModel({ key: 'valve', sensorType: 'valve', channels: ['a', 'b'] }));
    await t.engine.handle(
      items([
        { ...valve(1, 0.1), sensorType: 'boiler' },
        { ...valve(2, 0.1, 'p-9') }, // p-9 is a pump now; this valve window is of its old type
        { ...pump(3, 0.1), channels: ['a', 'b'] },
      ]),
    );
    assert.deepEqual(t.dead.map((d) => d.reason), ['bad_window', 'bad_window', 'bad_window']);
    assert.match(t.dead[0]?.message ?? '', /sensor type boiler, which the config does not define/);
    assert.match(t.dead[1]?.message ?? '', /cut as sensor type valve, but sensor p-9 is now of type pump: the sensor starts afresh/);
    assert.match(t.dead[2]?.message ?? '', /of type pump has channels a, b; the type has a, b, c/);
  });

  it('a sensor whose state was judged as another type starts afresh, and the log says so', async () => {
    const t = setup();
    t.models.offer(zeroModel({ key: 'pump', sensorType: 'pump', channels: ['a', 'b', 'c'] }));
    const old: SensorState = { ...initialSensorState('p-1'), lastSeq: 50, lastEnd: 1_700_000_050_999, sensorType: 'valve' };
    t.engine.restore([old]);
    // seq 2 < lastSeq 50: under the old state it would count as already decided and be skipped.
    await t.engine.handle(items([pump(2, 3)]));
    assert.deepEqual(t.alerts().map((a) => `${a.state}:${a.sensorType}`), ['open:pump'], 'judged afresh under its new type');
    assert.ok(t.lines.some((l) => /sensor moved to another sensor type: it starts afresh/.test(l) && /"from":"valve"/.test(l) && /"to":"pump"/.test(l)), t.lines.join('\n'));
  });
});
