// The batched scoring pass packs each block's rows in tiles of four
// (dense-simd.ts's packRows, gemmPacked*): every output must be bit for bit
// what the row-major batched kernel (gemm, gemmRelu) gives, so that no score
// and no detection figure moves. Checked kernel by kernel, and for the whole
// pass (forward-threads.ts through forward-js.ts's scoreBatch, on one and two
// threads) against the chain on the row-major kernel.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../common/model/backend.ts';
import { denseKernel, sharedKernelModule } from '../../../../common/model/dense-simd.ts';
import { activate, residualSums, type JsActivation } from '../../../../common/model/forward-block.ts';
import { buildDenseForward } from '../../../../common/model/forward-js.ts';
import { stopForwardThreads } from '../../../../common/model/forward-threads.ts';
import { createRng } from '../../../../common/rng.ts';

/** The float32 values as bit patterns (so -0, NaN payloads and every last bit count). */
const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

describe('the packed batched kernels', () => {
  it('give the row-major gemm bit for bit: padded widths, relu or not, packed or row-major output', () => {
    const k = denseKernel();
    if (k === null) return;
    const rng = createRng(3);
    for (const [n4, u8, rows] of [[4, 8, 4], [12, 16, 8], [32, 128, 32], [128, 32, 12], [512, 128, 32], [128, 512, 20]] as const) {
      const floats = 2 * rows * n4 + n4 * u8 + u8 + 4 * rows * u8;
      const pages = Math.ceil((floats * 4) / 65536) - k.memory.buffer.byteLength / 65536;
      if (pages > 0) k.memory.grow(pages);
      const heap: Float32Array = new Float32Array(k.memory.buffer);
      const x = 0;
      const xp = x + rows * n4;
      const w = xp + rows * n4;
      const b = w + n4 * u8;
      const [yRef, yPacked, yRows] = [b + u8, b + u8 + rows * u8, b + u8 + 2 * rows * u8];
      for (let i = 0; i < xp; i++) heap[i] = rng.normal();
      for (let i = w; i < yRef; i++) heap[i] = rng.normal() * 0.2;
      heap[3] = -0;
      k.packRows(x * 4, xp * 4, n4, rows);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < n4; i++) assert.equal(heap[xp + (r >> 2) * n4 * 4 + i * 4 + (r & 3)], heap[x + r * n4 + i], `packRows row ${r} input ${i}`);
      }
      for (const relu of [false, true]) {
        (relu ? k.gemmRelu : k.gemm)(x * 4, w * 4, b * 4, yRef * 4, n4, u8, rows);
        (relu ? k.gemmPackedRelu : k.gemmPacked)(xp * 4, w * 4, b * 4, yPacked * 4, n4, u8, rows);
        (relu ? k.gemmPackedRowsRelu : k.gemmPackedRows)(xp * 4, w * 4, b * 4, yRows * 4, n4, u8, rows);
        const ref = heap.slice(yRef, yRef + rows * u8);
        const unpacked = new Float32Array(rows * u8);
        for (let r = 0; r < rows; r++) for (let j = 0; j < u8; j++) unpacked[r * u8 + j] = heap[yPacked + (r >> 2) * u8 * 4 + j * 4 + (r & 3)] as number;
        const what = `n4 ${n4} u8 ${u8} rows ${rows}${relu ? ' relu' : ''}`;
        assert.ok(ref.some((v: number) => v !== 0), `${what}: a product that is not all zeros`);
        assert.deepEqual(bits(heap.slice(yRows, yRows + rows * u8)), bits(ref), `${what}: row-major output`);
        assert.deepEqual(bits(unpacked), bits(ref), `${what}: packed output`);
      }
    }
  });
});

describe('the batched scoring pass with packed rows', () => {
  before(async () => {
    await initBackend('wasm');
  });
  after(() => stopForwardThreads());

  it('scores bit for bit as the chain on the row-major kernel, on one thread and on two', () => {
    const k = denseKernel();
    if (k === null || sharedKernelModule() === null) return;
    // Windows of 10 × 3 (width 30, padded to 32), layers 30 → 13 → 5 → 13 → 30 with every activation.
    const [L, C, S] = [10, 3, 4];
    const width = L * C;
    const sizes = [13, 5, 13, width];
    const activations: JsActivation[] = ['relu', 'tanh', 'sigmoid', 'linear'];
    const net = tf.sequential();
    sizes.forEach((units, i) => net.add(tf.layers.dense({ units, activation: activations[i] as JsActivation, ...(i === 0 ? { inputShape: [width] } : {}), kernelInitializer: tf.initializers.randomNormal({ seed: 11 + i }), biasInitializer: tf.initializers.randomNormal({ seed: 21 + i, stddev: 0.1 }) })));
    const forward = buildDenseForward(net).forward;
    assert.ok(forward?.scoreBatch !== undefined, 'the batched pass exists');
    const n = 75; // three blocks, the last one partial and not a multiple of four
    const rng = createRng(9);
    const data = Float32Array.from({ length: n * width }, () => rng.normal());
    const fill = (i: number, out: Float32Array, at: number): void => out.set(data.subarray(i * width, (i + 1) * width), at);

    // The reference: every row through the row-major kernel, layer by layer, then residualSums.
    const pad = (v: number, m: number): number => Math.ceil(v / m) * m;
    const rowsP = pad(n, 4);
    let floats = 0;
    const alloc = (count: number): number => ((floats += count), floats - count);
    let n4 = pad(width, 4);
    const x0 = alloc(rowsP * n4);
    const layers = net.layers.map((layer, i) => {
      const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
      const inputs = kernel.shape[0] as number;
      const units = sizes[i] as number;
      const u8 = pad(units, 8);
      const at = { n4, u8, w: alloc(n4 * u8), b: alloc(u8), y: alloc(rowsP * u8), kernel: kernel.dataSync(), bias: bias.dataSync(), inputs, units };
      n4 = u8;
      return at;
    });
    const pages = Math.ceil((floats * 4) / 65536) - k.memory.buffer.byteLength / 65536;
    if (pages > 0) k.memory.grow(pages);
    const heap = new Float32Array(k.memory.buffer);
    heap.fill(0, 0, floats);
    for (let i = 0; i < n; i++) fill(i, heap, x0 + i * layers[0]!.n4);
    for (const l of layers) {
      for (let j = 0; j < l.units; j++) for (let i = 0; i < l.inputs; i++) heap[l.w + (j >> 3) * l.n4 * 8 + i * 8 + (j & 7)] = l.kernel[i * l.units + j] as number;
      heap.set(l.bias, l.b);
    }
    let from = x0;
    layers.forEach((l, i) => {
      const relu = activations[i] === 'relu';
      (relu ? k.gemmRelu : k.gemm)(from * 4, l.w * 4, l.b * 4, l.y * 4, l.n4, l.u8, rowsP);
      if (!relu) activate(heap, l.y, rowsP * l.u8, activations[i] as JsActivation);
      from = l.y;
    });
    const out = layers[layers.length - 1]!;
    const perChannel = new Float64Array(n * C);
    const newest = new Float64Array(n * C);
    for (let i = 0; i < n; i++) residualSums(heap, x0 + i * layers[0]!.n4, heap, out.y + i * out.u8, L, C, S, perChannel, i * C, newest, i * C);
    assert.ok(perChannel.every((v) => Number.isFinite(v) && v > 0), 'the reference errors are finite and not zero');

    for (const threads of [1, 2]) {
      const p = new Float64Array(n * C);
      const q = new Float64Array(n * C);
      forward.scoreBatch({ n, fill, windowLength: L, channels: C, stepSamples: S, perChannel: p, newest: q, threads });
      assert.deepEqual(p, perChannel, `threads ${threads}: error shares`);
      assert.deepEqual(q, newest, `threads ${threads}: newest`);
    }
    net.dispose();
  });
});
