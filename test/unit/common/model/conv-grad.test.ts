import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../common/model/backend.ts';
import { ensureConvFilterGradient } from '../../../../common/model/conv-grad.ts';

// The filter gradient on wasm (our kernel) must match tfjs's own cpu kernel.
type Shape4 = [number, number, number, number];
const shapes: { name: string; x: Shape4; filter: Shape4; strides: [number, number]; pad: 'same' | 'valid' }[] = [
  { name: 'conv1d-like, stride 2, same', x: [3, 16, 1, 4], filter: [5, 1, 4, 6], strides: [2, 1], pad: 'same' },
  { name: '2d, stride 1, valid', x: [2, 7, 6, 3], filter: [3, 2, 3, 5], strides: [1, 1], pad: 'valid' },
  { name: 'even kernel, stride 2, same', x: [2, 9, 1, 2], filter: [4, 1, 2, 3], strides: [2, 1], pad: 'same' },
];

async function filterGradient(backend: 'cpu' | 'wasm', s: (typeof shapes)[number]): Promise<Float32Array> {
  await initBackend(backend);
  if (backend === 'wasm') ensureConvFilterGradient('wasm');
  return tf.tidy(() => {
    const x = tf.randomNormal(s.x, 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal(s.filter, 0, 1, 'float32', 2) as tf.Tensor4D;
    const g = tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, s.strides, s.pad).square().sum())(w);
    return g.dataSync() as Float32Array;
  });
}

describe('wasm Conv2DBackpropFilter', () => {
  for (const s of shapes) {
    it(`matches the cpu kernel: ${s.name}`, async () => {
      const cpu = await filterGradient('cpu', s);
      const wasm = await filterGradient('wasm', s);
      assert.equal(wasm.length, cpu.length);
      cpu.forEach((v, i) => assert.ok(Math.abs(v - (wasm[i] ?? 0)) < 1e-3 * Math.max(1, Math.abs(v)), `element ${i}: ${wasm[i]} vs ${v}`));
    });
  }

  it('registers once and leaves an existing kernel alone', () => {
    ensureConvFilterGradient('wasm');
    const k = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');
    ensureConvFilterGradient('wasm');
    assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm'), k);
    const cpuKernel = tf.getKernel(tf.Conv2DBackpropFilter, 'cpu');
    ensureConvFilterGradient('cpu');
    assert.equal(tf.getKernel(tf.Conv2DBackpropFilter, 'cpu'), cpuKernel);
  });
});
