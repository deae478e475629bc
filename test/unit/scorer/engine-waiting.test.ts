// Windows of a model key that has no model yet wait (uncommitted) without
// holding back the other keys' windows (issue 22): before, one type that never
// reached trainer.minWindows stalled the scoring of every type. The waiting
// windows are decided in their sensor's order once their model arrives, the
// partition is committed no further than the oldest of them, and a rejoin
// (restore) drops them, since the consumer delivers them again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { BatchItem, RecordSource } from '../../../scorer/engine.ts';
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
    windowing: { channels: [a, b], length: 8, hop: 2 }
`,
  'types.yaml',
);

function setup(maxWaitingWindows?: number) {
  const t = typedEngine(config, { declareModelKeys: ['pump', 'valve'], ...(maxWaitingWindows === undefined ? {} : { maxWaitingWindows }) });
  let offset = 0;
  const source = (partition: number): RecordSource => ({ topic: 'w', partition, offset: String(offset++), key: null, value: Buffer.from('x') });
  const items = (ws: FixtureWindow[], partition = 0): BatchItem[] => ws.map((w) => ({ source: source(partition), window: window(w) }));
  return { ...t, items };
}

const pump = (seq: number, score: number, sensorId = 'p-1'): FixtureWindow => ({ sensorId, seq, value: valueForScore(score), channels: ['a', 'b', 'c'], sensorType: 'pump' });
const valve = (seq: number, score: number, sensorId = 'v-1'): FixtureWindow => ({ sensorId, seq, value: valueForScore(score), channels: ['a', 'b'], sensorType: 'valve' });
const pumpModel = () => zeroModel({ key: 'pump', sensorType: 'pump', channels: ['a', 'b', 'c'] });
const valveModel = () => zeroModel({ key: 'valve', sensorType: 'valve', channels: ['a', 'b'] });

/** Whether the promise settles within ms (a batch held for a model never does). */
async function settlesWithin<T>(p: Promise<T>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(check(), what);
}

describe('engine: windows of a key without a model', () => {
  it("do not hold back another type's windows: those are decided, the waiting ones stay uncommitted and counted", async () => {
    const t = setup();
    t.models.offer(pumpModel()); // the valve type never gets a model here
    const batch = t.items([pump(1, 3), valve(1, 3), pump(1, 3, 'p-2'), valve(2, 0.1, 'v-2')]);
    assert.ok(await settlesWithin(t.engine.handle(batch), 2000), 'the batch is decided without a valve model');
    assert.deepEqual(t.alerts().filter((a) => a.state === 'open').map((a) => a.sensorId).sort(), ['p-1', 'p-2'], "the pumps' windows were scored");
    assert.deepEqual(t.dead, []);
    assert.equal(t.engine.oldestWaiting('w', 0), batch[1]?.source.offset, 'commit no further than the oldest waiting window');
    assert.equal(t.engine.oldestWaiting('w', 1), undefined);
    const text = await t.registry.metrics();
    assert.match(text, /sensorwatch_windows_waiting_for_model\{model="valve",type="valve"\} 2/);
    assert.match(text, /sensorwatch_windows_waiting_for_model\{model="pump",type="pump"\} 0/);
    assert.match(text, /sensorwatch_windows_scored_total\{model="pump",type="pump"\} 2/);
    assert.equal(t.lines.filter((l) => /no model yet for this model key/.test(l)).length, 1, 'one warning per key, not per window');

    // Later batches go on too, and the oldest waiting offset holds.
    assert.ok(await settlesWithin(t.engine.handle(t.items([pump(2, 0.1), valve(3, 0.1)])), 2000));
    assert.equal(t.engine.oldestWaiting('w', 0), batch[1]?.source.offset);
    assert.match(await t.registry.metrics(), /sensorwatch_windows_waiting_for_model\{model="valve",type="valve"\} 3/);
  });

  it('are decided once their model arrives, with no new window needed', async () => {
    const t = setup();
    t.models.offer(pumpModel());
    await t.engine.handle(t.items([valve(1, 3), pump(1, 0.1)]));
    assert.deepEqual(t.alerts(), []);
    t.models.offer(valveModel());
    await until(() => t.alerts().some((a) => a.sensorId === 'v-1' && a.state === 'open'), 'the waiting valve window was decided');
    assert.equal(t.engine.oldestWaiting('w', 0), undefined);
    assert.match(await t.registry.metrics(), /sensorwatch_windows_waiting_for_model\{model="valve",type="valve"\} 0/);
  });

  it("keep their sensor's order: the waiting windows are decided before the sensor's later ones", async () => {
    const t = setup();
    t.models.offer(pumpModel());
    await t.engine.handle(t.items([valve(1, 3), valve(2, 3)]));
    t.models.offer(valveModel());
    // In the same batch as the model's arrival: a later window of the same sensor.
    await t.engine.handle(t.items([valve(3, 0.1)]));
    await until(() => t.engine.oldestWaiting('w', 0) === undefined, 'nothing waits any more');
    const v = t.alerts().filter((a) => a.sensorId === 'v-1');
    assert.deepEqual(v.map((a) => a.state), ['open', 'resolve'], 'seq 1 opens, seq 3 resolves: decided in order');
    assert.equal(t.engine.states().get('v-1')?.lastSeq, 3);
  });

  it('are dropped by a restore (a rejoin): the consumer delivers them again', async () => {
    const t = setup();
    t.models.offer(pumpModel());
    await t.engine.handle(t.items([valve(1, 3)]));
    assert.equal(t.engine.oldestWaiting('w', 0), '0');
    t.engine.restore([]);
    assert.equal(t.engine.oldestWaiting('w', 0), undefined);
    assert.match(await t.registry.metrics(), /sensorwatch_windows_waiting_for_model\{model="valve",type="valve"\} 0/);
  });

  it('past maxWaitingWindows, batches wait for a missing model, as all did before (bounded memory)', async () => {
    const t = setup(2);
    t.models.offer(pumpModel());
    await t.engine.handle(t.items([valve(1, 0.1), valve(1, 0.1, 'v-2')]));
    const held = t.engine.handle(t.items([pump(1, 3)]));
    assert.equal(await settlesWithin(held, 200), false, 'at the limit the next batch waits');
    t.models.offer(valveModel());
    assert.ok(await settlesWithin(held, 2000));
    assert.equal(t.engine.oldestWaiting('w', 0), undefined);
    assert.ok(t.alerts().some((a) => a.sensorId === 'p-1' && a.state === 'open'));
  });
});
