import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createModelShelf, modelKeyFor } from '../../../scorer/models.ts';
import type { LoadedModel } from '../../../common/model/artifact.ts';
import { zeroModel, type FixtureModel } from './support.ts';

await tf.setBackend('cpu');

function tracked(options: FixtureModel): LoadedModel & { disposed: () => boolean } {
  const real = zeroModel(options);
  let disposed = false;
  return { ...real, dispose: () => { disposed = true; real.dispose(); }, disposed: () => disposed };
}

describe('modelKeyFor', () => {
  const groups = { pumps: ['p1', 'p2'], p3: ['p3'] };
  const cases: [string, string][] = [['p1', 'pumps'], ['p2', 'pumps'], ['p3', 'p3'], ['other', 'default']];
  for (const [sensor, key] of cases) it(`${sensor} -> ${key}`, () => assert.equal(modelKeyFor(sensor, groups), key));
});

describe('createModelShelf', () => {
  it('stages offers and swaps them in only at applyStaged, disposing the replaced model', () => {
    const shelf = createModelShelf();
    const v1 = tracked({ version: 1 });
    shelf.offer(v1);
    assert.equal(shelf.forSensor('s', {}), undefined, 'staged, not live');
    assert.equal(shelf.applyStaged().length, 1);
    assert.equal(shelf.forSensor('s', {}), v1);
    const v2 = tracked({ version: 2 });
    shelf.offer(v2);
    assert.equal(shelf.forSensor('s', {}), v1);
    const [swap] = shelf.applyStaged();
    assert.equal(swap?.previous, v1);
    assert.equal(swap?.next, v2);
    assert.ok(v1.disposed());
    assert.ok(!v2.disposed());
    shelf.dispose();
    assert.ok(v2.disposed());
  });

  it('drops a re-offered identical model and disposes a staged model superseded before the swap', () => {
    const shelf = createModelShelf();
    const a = tracked({ version: 1 });
    shelf.offer(a);
    shelf.applyStaged();
    const again = tracked({ version: 1 });
    shelf.offer(again);
    assert.ok(again.disposed());
    assert.equal(shelf.applyStaged().length, 0);
    const b = tracked({ version: 2 });
    const c = tracked({ version: 3 });
    shelf.offer(b);
    shelf.offer(c);
    assert.ok(b.disposed());
    assert.equal(shelf.applyStaged()[0]?.next, c);
    shelf.dispose();
  });

  it('serves the group model, else the default one', () => {
    const shelf = createModelShelf();
    const def = zeroModel({ key: 'default' });
    const pumps = zeroModel({ key: 'pumps' });
    shelf.offer(def);
    shelf.applyStaged();
    assert.equal(shelf.forSensor('p1', { pumps: ['p1'] }), def, 'falls back while the group model is missing');
    shelf.offer(pumps);
    shelf.applyStaged();
    assert.equal(shelf.forSensor('p1', { pumps: ['p1'] }), pumps);
    assert.equal(shelf.forSensor('x', { pumps: ['p1'] }), def);
    shelf.dispose();
  });

  it('whenAny resolves once a model is offered', async () => {
    const shelf = createModelShelf();
    let woke = false;
    const waiting = shelf.whenAny().then(() => (woke = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(woke, false);
    shelf.offer(zeroModel());
    await waiting;
    assert.equal(woke, true);
    shelf.dispose();
  });
});
