import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { defaultConfig } from '../../../../common/config/defaults.ts';
import type { ModelConfig } from '../../../../common/config/types.ts';
import { initBackend } from '../../../../common/model/backend.ts';
import { buildAutoencoder, initializerFor } from '../../../../common/model/build.ts';
import { SensorwatchError } from '../../../../common/errors.ts';

const shape = { length: 16, channels: 3 };
const width = shape.length * shape.channels;
const cfg = (more: Partial<ModelConfig>): ModelConfig => ({ ...defaultConfig.model, hidden: [24, 12], codeSize: 4, activation: 'relu', conv: { filters: [6, 5], kernelSize: 3 }, ...more });

/** Each dense layer's units and activation, input to output. */
const denseLayers = (net: tf.LayersModel): string[] =>
  net.layers.filter((l) => l.getClassName() === 'Dense').map((l) => `${String(l.getConfig()['units'])}:${String(l.getConfig()['activation'])}`);

const weightsOf = (net: tf.LayersModel): number[][] => net.getWeights().map((w) => Array.from(w.dataSync()));

describe('buildAutoencoder', () => {
  before(async () => {
    await initBackend('wasm');
  });

  for (const kind of ['dense', 'dae'] as const) {
    it(`${kind}: window → hidden → code → hidden reversed → window, the code layer named 'code'`, () => {
      const { net, withCode } = buildAutoencoder(cfg({ kind }), shape, 1);
      assert.deepEqual(denseLayers(net), ['24:relu', '12:relu', '4:relu', '12:relu', '24:relu', `${width}:linear`]);
      assert.deepEqual(net.inputs[0]?.shape, [null, width]);
      assert.deepEqual(net.outputs[0]?.shape, [null, width]);
      assert.equal(net.getLayer('code').getConfig()['units'], 4);
      assert.equal(net.name, `${kind}_autoencoder`);
      assert.deepEqual(withCode.outputs.map((o) => o.shape), [[null, width], [null, 4]]);
      net.dispose();
    });
  }

  it('sae: a sigmoid code (its penalties are on activations in (0, 1)), the other layers as configured', () => {
    const { net } = buildAutoencoder(cfg({ kind: 'sae', activation: 'tanh' }), shape, 1);
    assert.deepEqual(denseLayers(net), ['24:tanh', '12:tanh', '4:sigmoid', '12:tanh', '24:tanh', `${width}:linear`]);
    net.dispose();
  });

  it('conv: one strided convolution per filter, a dense code, back to the window', () => {
    const { net, withCode } = buildAutoencoder(cfg({ kind: 'conv' }), shape, 1);
    const conv1d = net.layers.filter((l) => l.getClassName() === 'Conv1D');
    assert.deepEqual(conv1d.map((l) => [l.getConfig()['filters'], l.getConfig()['strides']]), [[6, [2]], [5, [2]]]);
    // 16 samples halved twice: 4 steps × 5 filters before the code.
    assert.deepEqual(conv1d.map((l) => l.outputShape), [[null, 8, 6], [null, 4, 5]]);
    assert.equal(net.getLayer('code').getConfig()['units'], 4);
    assert.equal(net.layers.filter((l) => l.getClassName() === 'UpSampling2D').length, 2);
    assert.deepEqual(net.outputs[0]?.shape, [null, width]);
    assert.deepEqual(withCode.outputs.map((o) => o.shape), [[null, width], [null, 4]]);
    const y = tf.tidy(() => (net.predict(tf.ones([2, width])) as tf.Tensor).shape);
    assert.deepEqual(y, [2, width]);
    net.dispose();
  });

  it('conv: a window length not divisible by 2^filters is refused, naming the keys', () => {
    assert.throws(
      () => buildAutoencoder(cfg({ kind: 'conv' }), { length: 18, channels: 3 }, 1),
      (e: unknown) => e instanceof SensorwatchError && e.code === 'config_invalid' && /window length 18 must be divisible by 2\^2/.test(e.message) && /model\.conv\.filters/.test(e.message),
    );
  });

  it('the seed decides the initial weights: same seed, same weights; another seed, others', () => {
    const a = buildAutoencoder(cfg({ kind: 'dense' }), shape, 7).net;
    const b = buildAutoencoder(cfg({ kind: 'dense' }), shape, 7).net;
    const c = buildAutoencoder(cfg({ kind: 'dense' }), shape, 8).net;
    assert.deepEqual(weightsOf(a), weightsOf(b));
    assert.notDeepEqual(weightsOf(a), weightsOf(c));
    for (const n of [a, b, c]) n.dispose();
  });
});

describe('initializerFor', () => {
  it('He for ReLU, Glorot for the others, with the seed given', () => {
    assert.deepEqual(initializerFor('relu', 5).getConfig(), { scale: 2, mode: 'fanIn', distribution: 'normal', seed: 5 });
    for (const a of ['tanh', 'sigmoid', 'linear'] as const) assert.deepEqual(initializerFor(a, 6).getConfig(), { scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: 6 });
  });
});
