import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { availableBackends, currentBackend, initBackend } from '../../../../common/model/backend.ts';
import type { BackendChoice } from '../../../../common/config/types.ts';
import { SensorwatchError } from '../../../../common/errors.ts';
import { createLogger } from '../../../../common/log.ts';

// Whether the native backend works here decides what 'auto' and 'tensorflow'
// must do. It can be missing (no package), or present but unbuilt (package
// without its addon); after `npm run native:install` CI sets
// SENSORWATCH_EXPECT_NATIVE=1 so a broken install cannot pass as "not installed".
const packageResolves = resolves('@tensorflow/tfjs-node');
const expectNative = process.env['SENSORWATCH_EXPECT_NATIVE'] === '1';

function resolves(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe('backend selection', () => {
  // Runs first: module state is per process and no backend is chosen yet.
  it('currentBackend() before initBackend() fails with a code', () => {
    assert.throws(() => currentBackend(), (e: unknown) => e instanceof SensorwatchError && e.code === 'backend_not_initialised');
  });

  const forced: { choice: BackendChoice; name: string; version: RegExp }[] = [
    { choice: 'cpu', name: 'cpu', version: /^\d+\.\d+\.\d+$/ },
    { choice: 'wasm', name: 'wasm', version: /^\d+\.\d+\.\d+$/ },
    { choice: 'cpu', name: 'cpu', version: /^\d+\.\d+\.\d+$/ }, // switching back works
  ];
  for (const [i, c] of forced.entries()) {
    it(`forced ${c.choice} (#${i}) becomes the engine's backend`, async () => {
      const info = await initBackend(c.choice);
      assert.equal(info.name, c.name);
      assert.equal(tf.getBackend(), c.name);
      assert.equal(info.gpu, false);
      assert.match(info.version, c.version);
      assert.match(info.reason, new RegExp(`forced by --backend ${c.name}`));
      assert.deepEqual(currentBackend(), info);
      // Kernels really run there.
      const sum = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync());
      assert.deepEqual(Array.from(sum), [3, 3, 3, 3]);
    });
  }

  it('the same choice twice gives the same answer and logs once', async () => {
    const lines: string[] = [];
    const log = createLogger({ write: (l) => lines.push(l) });
    const a = await initBackend('wasm', log);
    const b = await initBackend('wasm', log);
    assert.deepEqual(a, b);
    // The earlier test left 'cpu' current, so switching to wasm logs exactly once.
    assert.equal(lines.filter((l) => l.includes('backend selected')).length, 1);
  });

  it('auto picks tensorflow when it works, else wasm, and says why', async () => {
    const nativeWorks = (await availableBackends()).includes('tensorflow');
    if (expectNative) assert.ok(nativeWorks, 'SENSORWATCH_EXPECT_NATIVE=1 but the tensorflow backend does not load');
    const info = await initBackend('auto');
    assert.equal(tf.getBackend(), info.name);
    if (nativeWorks) {
      assert.equal(info.name, 'tensorflow', info.reason);
      assert.match(info.version, /@tensorflow\/tfjs-node(-gpu)? \d+\.\d+\.\d+, libtensorflow \d+\.\d+/);
      return;
    }
    assert.equal(info.name, 'wasm');
    assert.match(info.reason, packageResolves ? /@tensorflow\/tfjs-node failed to load: / : /@tensorflow\/tfjs-node not installed/);
  });

  it('forced tensorflow works when available, else fails clearly and changes nothing', async () => {
    const nativeWorks = (await availableBackends()).includes('tensorflow');
    if (nativeWorks) {
      const info = await initBackend('tensorflow');
      assert.equal(info.name, 'tensorflow');
      const sum = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync());
      assert.deepEqual(Array.from(sum), [3, 3, 3, 3]);
      return;
    }
    await initBackend('wasm');
    await assert.rejects(initBackend('tensorflow'), (e: unknown) => {
      assert.ok(e instanceof SensorwatchError);
      assert.equal(e.code, 'backend_unavailable');
      assert.match(e.message, packageResolves ? /tfjs-node failed to load/ : /tfjs-node not installed/);
      assert.match(e.message, /npm run native:install/);
      return true;
    });
    assert.equal(tf.getBackend(), 'wasm', 'a failed choice leaves the current backend alone');
  });

  it('availableBackends lists what works, in preference order, without switching', async () => {
    await initBackend('cpu');
    const names = await availableBackends();
    assert.equal(tf.getBackend(), 'cpu');
    assert.deepEqual(names.filter((n) => n !== 'tensorflow'), ['wasm', 'cpu']);
    if (expectNative) assert.deepEqual(names, ['tensorflow', 'wasm', 'cpu']);
    if (!packageResolves) assert.ok(!names.includes('tensorflow'));
  });
});
