import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { exportDenseModel, float32Bytes } from '../../../../bench/reference/export.ts';

/** The forward pass numpy runs (bench/reference/blas_forward.py), in plain JS, from the exported spec. */
function forward(spec: ReturnType<typeof exportDenseModel>['spec'], weights: Float32Array, x: Float32Array): Float32Array {
  let h = x;
  for (const l of spec.layers) {
    const out = new Float32Array(l.units);
    for (let j = 0; j < l.units; j++) {
      let s = weights[l.offset + l.inputs * l.units + j] as number;
      for (let i = 0; i < l.inputs; i++) s += (h[i] as number) * (weights[l.offset + i * l.units + j] as number);
      out[j] = l.activation === 'relu' ? Math.max(0, s) : l.activation === 'tanh' ? Math.tanh(s) : l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s;
    }
    h = out;
  }
  return h;
}

describe('exportDenseModel', () => {
  const cases: { name: string; layers: () => tf.layers.Layer[]; wantUnits: number[]; wantActivations: string[] }[] = [
    {
      name: 'dense autoencoder with noise and dropout layers (identity at inference)',
      layers: () => [
        tf.layers.gaussianNoise({ stddev: 0.1, inputShape: [6] }),
        tf.layers.dense({ units: 4, activation: 'relu' }),
        tf.layers.dense({ units: 2, activation: 'sigmoid' }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 4, activation: 'tanh' }),
        tf.layers.dense({ units: 6 }),
      ],
      wantUnits: [4, 2, 4, 6],
      wantActivations: ['relu', 'sigmoid', 'tanh', 'linear'],
    },
    {
      name: 'a layer without bias',
      layers: () => [tf.layers.dense({ units: 6, useBias: false, inputShape: [6] })],
      wantUnits: [6],
      wantActivations: ['linear'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const net = tf.sequential({ layers: c.layers() });
      const { spec, weights } = exportDenseModel(net, 3, 2);
      assert.equal(spec.features, 6);
      assert.deepEqual(spec.layers.map((l) => l.units), c.wantUnits);
      assert.deepEqual(spec.layers.map((l) => l.activation), c.wantActivations);
      const last = spec.layers[spec.layers.length - 1];
      assert.equal(weights.length, (last?.offset ?? 0) + (last?.inputs ?? 0) * (last?.units ?? 0) + (last?.units ?? 0));
      const x = Float32Array.from([0.5, -1, 2, 0.25, -0.75, 1.5]);
      const want = tf.tidy(() => (net.predict(tf.tensor2d(x, [1, 6])) as tf.Tensor).dataSync());
      const got = forward(spec, weights, x);
      for (let i = 0; i < 6; i++) assert.ok(Math.abs((got[i] as number) - (want[i] as number)) < 1e-5, `output ${i}: ${got[i]} vs ${want[i]}`);
      net.dispose();
    });
  }

  it('refuses a convolutional layer, naming it', () => {
    const net = tf.sequential({ layers: [tf.layers.conv1d({ filters: 2, kernelSize: 3, inputShape: [8, 1], name: 'enc_conv' })] });
    assert.throws(() => exportDenseModel(net, 8, 1), /enc_conv \(Conv1D\) has no numpy reference/);
    net.dispose();
  });
});

describe('float32Bytes', () => {
  it('writes little-endian float32', () => {
    const b = float32Bytes(Float32Array.from([1, -2.5]));
    assert.deepEqual([...b], [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0]);
  });
});
