// A forward pass of a dense autoencoder (kinds dense, dae, sae: a chain of Dense
// layers) outside TF.js, for small batches: one window through TF.js costs a few
// dozen kernel dispatches and tensor allocations, which at batch 1 take far
// longer than the arithmetic itself. It runs on a WebAssembly SIMD kernel
// (dense-simd.ts; about 10 GMAC/s on one core) or, where that is unavailable, on
// plain JavaScript (about 1.5). Larger batches and conv models stay on TF.js
// (score.ts picks). The weights are copied out of the backend once and kept with
// the plan; a plan knows the weight tensors it was read from, so a model whose
// weights are reassigned (training) is read again.
import type * as tf from '@tensorflow/tfjs';
import { denseKernel, sharedKernelModule, simdSupported, type DenseKernel } from './dense-simd.ts';
import { activate, type JsActivation } from './forward-block.ts';
import { batchedPass, type BatchedPass, type BatchRequest, type JsDenseLayer as JsDense } from './forward-threads.ts';

export interface DenseForward {
  /** Input (and output) width: windowLength × channels. */
  readonly width: number;
  /** What runs it: the WebAssembly SIMD kernel, or plain JavaScript where that is unavailable. */
  readonly kernel: 'wasm simd' | 'plain js';
  /**
   * The reconstruction of the window at x[offset .. offset + width): a buffer
   * reused by the next call. float32 like TF.js; values agree to float32 rounding
   * (the summation order differs).
   */
  run(x: Float32Array, offset: number): Float32Array;
  /**
   * Batched (WebAssembly SIMD only; absent on plain JavaScript): the
   * residual sums of `n` windows (forward-threads.ts, BatchedPass.score), each
   * normalised by `fill` straight into the pass's memory; blocks of 32
   * windows, four windows per pass over the weights; on `threads` 2 a worker
   * takes half the blocks. Returns the threads it ran on.
   */
  scoreBatch?(request: BatchRequest & { windowLength: number; channels: number }): number;
}

interface Plan {
  forward: DenseForward | null;
  /** Why there is no JS forward pass (the model has other layers), when there is none. */
  reason: string | null;
  /** The net's weight variables, and their data ids when read: a reassigned weight gets a new one. */
  variables: readonly tf.LayerVariable[];
  dataIds: readonly object[];
}

const plans = new WeakMap<tf.LayersModel, Plan>();

const dataId = (v: tf.LayerVariable): object => (v.read() as unknown as { dataId: object }).dataId;

/** The JS forward pass for this net, or null with the reason it has none. Cached per net and weight state. */
export function denseForwardFor(net: tf.LayersModel): { forward: DenseForward | null; reason: string | null } {
  const cached = plans.get(net);
  if (cached !== undefined && current(cached)) return cached;
  const variables = net.weights;
  const plan: Plan = { ...buildDenseForward(net), variables, dataIds: variables.map(dataId) };
  plans.set(net, plan);
  return plan;
}

function current(plan: Plan): boolean {
  const { variables, dataIds } = plan;
  for (let i = 0; i < variables.length; i++) if (dataId(variables[i] as tf.LayerVariable) !== dataIds[i]) return false;
  return true;
}

const jsActivations: readonly string[] = ['relu', 'tanh', 'sigmoid', 'linear'];

interface ChainLink {
  inputs: number;
  units: number;
  kernel: tf.Tensor;
  bias: tf.Tensor | undefined;
  activation: JsActivation;
}

/** The net as a chain of Dense layers, input width back to input width, or why it is not one. Reads no weight data. */
function denseChain(net: tf.LayersModel): { links: ChainLink[]; width: number } | string {
  if (net.inputs.length !== 1 || net.outputs.length !== 1) return 'not one input and one output';
  let width = net.inputs[0]?.shape[1];
  if (typeof width !== 'number') return 'input width unknown';
  const inputWidth = width;
  const links: ChainLink[] = [];
  let previous: tf.layers.Layer | null = null;
  for (const layer of net.layers) {
    const kind = layer.getClassName();
    if (kind === 'InputLayer') continue;
    if (kind !== 'Dense') return `layer ${layer.name} is ${kind}`;
    const config = layer.getConfig() as { activation?: unknown; useBias?: unknown };
    const activation = typeof config.activation === 'string' ? config.activation : 'linear';
    if (!jsActivations.includes(activation)) return `layer ${layer.name} has activation ${activation}`;
    // The chain must run layer after layer: each takes the previous one's output.
    const inbound = layer.inboundNodes.length === 1 ? layer.inboundNodes[0]?.inboundLayers : undefined;
    const follows = inbound?.length === 1 && (previous === null ? inbound[0]?.getClassName() === 'InputLayer' : inbound[0] === previous);
    if (!follows) return `layer ${layer.name} does not follow the previous layer`;
    const [kernel, bias] = layer.getWeights();
    if (kernel === undefined || kernel.rank !== 2 || kernel.shape[0] !== width) return `layer ${layer.name} kernel shape`;
    const units = kernel.shape[1] as number;
    links.push({ inputs: width, units, kernel, bias: config.useBias === false ? undefined : bias, activation: activation as JsActivation });
    previous = layer;
    width = units;
  }
  if (links.length === 0 || width !== inputWidth) return 'not an autoencoder of dense layers';
  return { links, width };
}

/** Why the net cannot run outside TF.js (conv layers, another activation), or null when it can. */
export function denseChainProblem(net: tf.LayersModel): string | null {
  const chain = denseChain(net);
  return typeof chain === 'string' ? chain : null;
}

/** What runs a forward pass outside TF.js in this process. */
export function forwardKernelName(): DenseForward['kernel'] {
  return simdSupported() ? 'wasm simd' : 'plain js';
}

/** A new forward pass for the net's current weights (uncached); `simd: false` forces plain JavaScript (tests). */
export function buildDenseForward(net: tf.LayersModel, options: { simd?: boolean } = {}): { forward: DenseForward | null; reason: string | null } {
  const chain = denseChain(net);
  if (typeof chain === 'string') return { forward: null, reason: chain };
  const layers = chain.links.map(({ inputs, units, kernel, bias, activation }): JsDense => {
    const k = kernel.dataSync();
    const transposed = new Float32Array(units * inputs);
    for (let i = 0; i < inputs; i++) for (let j = 0; j < units; j++) transposed[j * inputs + i] = k[i * units + j] as number;
    return { inputs, units, weights: transposed, bias: bias === undefined ? new Float32Array(units) : Float32Array.from(bias.dataSync()), activation };
  });
  return { forward: (options.simd === false ? null : simdForward(layers, chain.width)) ?? jsForward(layers, chain.width), reason: null };
}

const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * The forward pass on the WebAssembly SIMD kernel (dense-simd.ts), with the
 * weights copied once into the kernel instance's own memory, zero-padded to
 * multiples of four; null where WebAssembly SIMD is unavailable. The batched
 * pass (forward-threads.ts) takes a second copy of the weights, packed in
 * panels of eight units, in a shared memory made the first time a batch is
 * scored.
 */
function simdForward(layers: readonly JsDense[], width: number): DenseForward | null {
  const kernel = denseKernel();
  if (kernel === null) return null;
  // Layout in floats: per layer its padded weights and bias; then the input, two hidden buffers and the output.
  let floats = 0;
  const placed = layers.map((l) => {
    const n4 = pad4(l.inputs);
    const u4 = pad4(l.units);
    const at = { w: floats, b: floats + n4 * u4, n4, u4 };
    floats += n4 * u4 + u4;
    return at;
  });
  const widest = Math.max(...placed.map((p) => p.u4));
  const input = floats;
  const hidden = [input + pad4(width), input + pad4(width) + widest];
  const output = input + pad4(width) + 2 * widest;
  floats = output + pad4(width);
  grow(kernel, floats);
  const heap = new Float32Array(kernel.memory.buffer);
  layers.forEach((l, k) => {
    const p = placed[k] as (typeof placed)[number];
    for (let j = 0; j < l.units; j++) heap.set(l.weights.subarray(j * l.inputs, (j + 1) * l.inputs), p.w + j * p.n4);
    heap.set(l.bias, p.b);
  });
  const last = layers.length - 1;
  const steps = layers.map((l, k) => {
    const p = placed[k] as (typeof placed)[number];
    const from = k === 0 ? input : (hidden[(k - 1) % 2] as number);
    const to = k === last ? output : (hidden[k % 2] as number);
    return { ...p, from, to, units: l.units, activation: l.activation };
  });
  const result = heap.subarray(output, output + width);
  let batch: { pass: BatchedPass | null; windowLength: number; channels: number } | null = null;
  const forward: DenseForward = {
    width,
    kernel: 'wasm simd',
    run(x, offset) {
      heap.set(x.subarray(offset, offset + width), input);
      for (let k = 0; k < steps.length; k++) {
        const s = steps[k] as (typeof steps)[number];
        kernel.dense(s.from * 4, s.w * 4, s.b * 4, s.to * 4, s.n4, s.u4);
        activate(heap, s.to, s.units, s.activation);
      }
      return result;
    },
  };
  // The batched pass needs a shared WebAssembly memory; without one, batches go window by window.
  if (sharedKernelModule() !== null) {
    forward.scoreBatch = (request) => {
      const { windowLength, channels } = request;
      if (batch === null || batch.windowLength !== windowLength || batch.channels !== channels) {
        batch = { pass: batchedPass(layers, width, windowLength, channels), windowLength, channels };
      }
      if (batch.pass === null) throw new Error('the batched pass needs a shared WebAssembly memory, which this process lacks');
      batch.pass.score(request);
      return batch.pass.lastThreads;
    };
  }
  return forward;
}

function grow(kernel: DenseKernel, floats: number): void {
  const pages = Math.ceil((floats * 4) / 65536) - kernel.memory.buffer.byteLength / 65536;
  if (pages > 0) kernel.memory.grow(pages);
}

function jsForward(layers: readonly JsDense[], width: number): DenseForward {
  const widest = Math.max(...layers.map((l) => l.units));
  // Two scratch buffers for the hidden layers, reused across calls (scoring is synchronous).
  // Float32 like TF.js, so every layer's output is rounded as TF.js rounds it, and
  // one array type keeps the kernel monomorphic.
  let a = new Float32Array(widest);
  let b = new Float32Array(widest);
  const out = new Float32Array(width);
  const last = layers.length - 1;
  return {
    width,
    kernel: 'plain js',
    run(x, offset) {
      let input = x;
      let at = offset;
      for (let l = 0; l <= last; l++) {
        const layer = layers[l] as JsDense;
        const target = l === last ? out : a;
        denseLayer(input, at, layer, target);
        input = target;
        at = 0;
        if (l !== last) [a, b] = [b, a];
      }
      return out;
    },
  };
}

/**
 * y = act(x · W + b), eight units at a time so each input value is loaded once
 * per eight weights (the fastest plain-JS form measured: about 1.7 GMAC/s on one
 * loaded core, against 0.6 for the row-by-row form).
 */
function denseLayer(x: Float32Array, at: number, layer: JsDense, y: Float32Array): void {
  const { inputs: n, units, weights: w, bias } = layer;
  let j = 0;
  for (; j + 8 <= units; j += 8) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let i = 0, k = j * n; i < n; i++, k++) {
      const v = x[at + i] as number;
      s0 += v * (w[k] as number);
      s1 += v * (w[k + n] as number);
      s2 += v * (w[k + 2 * n] as number);
      s3 += v * (w[k + 3 * n] as number);
      s4 += v * (w[k + 4 * n] as number);
      s5 += v * (w[k + 5 * n] as number);
      s6 += v * (w[k + 6 * n] as number);
      s7 += v * (w[k + 7 * n] as number);
    }
    y[j] = s0 + (bias[j] as number);
    y[j + 1] = s1 + (bias[j + 1] as number);
    y[j + 2] = s2 + (bias[j + 2] as number);
    y[j + 3] = s3 + (bias[j + 3] as number);
    y[j + 4] = s4 + (bias[j + 4] as number);
    y[j + 5] = s5 + (bias[j + 5] as number);
    y[j + 6] = s6 + (bias[j + 6] as number);
    y[j + 7] = s7 + (bias[j + 7] as number);
  }
  for (; j < units; j++) {
    let s = 0;
    for (let i = 0, k = j * n; i < n; i++, k++) s += (x[at + i] as number) * (w[k] as number);
    y[j] = s + (bias[j] as number);
  }
  activate(y, 0, units, layer.activation);
}
