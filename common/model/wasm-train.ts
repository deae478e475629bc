// The dense training step in WebAssembly (issue 21 item 1): forward pass, MSE,
// backward pass and Adam for the dense stack of the 'dense' and 'dae' kinds,
// in one module's memory, with no tfjs kernel per step.
//
// On the native backend a step of the tfjs fast step (fast-train.ts) is about
// 57 kernel launches whose fixed cost is as large as their arithmetic. Here a
// step is a handful of calls into one WebAssembly instance: per layer one
// product forward, and backward one product for the weight and bias gradient
// (Xᵀ · dZ, with a row of ones under Xᵀ so that the bias gradient, Σ dZ, comes
// out of the same product) and one for the input gradient (dZ · Wᵀ), each with
// its B operand packed into panels first, then one Adam update over every
// parameter (train-kernels.ts): 27 calls for the reference model.
//
// The maths is the fast step's: the same initial weights, the same batches
// (the caller's), MSE mean over the batch, dL/dr = 2 (r − t) / N, the
// derivatives of fast-train.ts's activationGrad, FlatAdam's update with
// float32 beta^t. Only the summation order of the products differs from
// TensorFlow's, so the weights agree to float32 rounding, not bit for bit
// (test/unit/common/model/wasm-train.test.ts).
//
// Layout: every width is padded to a multiple of 8 (the kernel's panel) and
// a batch to a multiple of 4 rows, with zeros. Padded units have zero weights,
// bias and gradient, so Adam leaves them at zero (0 / (0 + ε) · lr = 0); padded
// rows get a zero output gradient, so they add nothing to any gradient. Layer
// l's parameters are one block of (inP + 4) × outP floats: inP rows of the
// kernel ([in][out], as tfjs stores it), the bias, three rows of zeros.
import type { LayerActivation } from './fast-train.ts';
import { trainKernels, type TrainKernels } from './train-kernels.ts';

export interface WasmDenseOptions {
  /** Layer widths, input first: [width, h1, …, width]. */
  dims: readonly number[];
  /** One per layer (dims.length − 1). */
  activations: readonly LayerActivation[];
  /** [kernel1, bias1, kernel2, bias2, …] as net.getWeights() holds them (kernel [in][out] row-major). */
  weights: readonly Float32Array[];
  learningRate: number;
  /** tf.backend().epsilon(), as FlatAdam takes it. */
  epsilon: number;
  /** The largest batch a step is given. */
  maxRows: number;
  beta1?: number;
  beta2?: number;
}

class WasmMemoryError extends Error {}

/** Rows per forward pass of the validation loss. */
const validationRows = 256;

const pad8 = (n: number): number => Math.ceil(n / 8) * 8;
const pad4 = (n: number): number => Math.ceil(n / 4) * 4;

export class WasmDenseTrainer {
  private readonly k: TrainKernels;
  private readonly f: Float32Array;
  private readonly dims: readonly number[];
  private readonly dP: number[];
  private readonly acts: readonly LayerActivation[];
  private readonly rowsCap: number;
  /** Byte offsets. */
  private readonly at: { p: number; m: number; v: number; g: number; zero: number; h: number[]; target: number; dA: number; dB: number; t: number; pk: number; blk: number[] };
  private readonly total: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private accBeta1: number;
  private accBeta2: number;
  private readonly epsilon: number;
  private readonly negLr: number;

  /** null where WebAssembly SIMD is unavailable or the model does not fit in a WebAssembly memory (32-bit, at most 4 GiB). */
  static create(options: WasmDenseOptions): WasmDenseTrainer | null {
    const k = trainKernels();
    if (k === null) return null;
    try {
      return new WasmDenseTrainer(k, options);
    } catch (error) {
      if (error instanceof WasmMemoryError) return null;
      throw error;
    }
  }

  private constructor(k: TrainKernels, o: WasmDenseOptions) {
    const layers = o.dims.length - 1;
    if (layers < 1 || o.activations.length !== layers || o.weights.length !== 2 * layers) {
      throw new Error(`wasm dense step: ${o.dims.length} widths, ${o.activations.length} activations and ${o.weights.length} weight arrays do not describe one dense stack`);
    }
    this.k = k;
    this.dims = [...o.dims];
    this.acts = [...o.activations];
    this.dP = o.dims.map(pad8);
    const maxP = Math.max(...this.dP);
    this.rowsCap = pad4(Math.max(o.maxRows, validationRows));
    const blk: number[] = [];
    let total = 0;
    for (let l = 0; l < layers; l++) {
      blk.push(total);
      total += ((this.dP[l] as number) + 4) * (this.dP[l + 1] as number);
    }
    this.total = total;
    // Float offsets, 4-aligned (16 bytes), then bytes.
    let next = 0;
    const take = (floats: number): number => {
      const start = next;
      next += pad4(floats);
      return start * 4;
    };
    const p = take(total);
    const m = take(total);
    const v = take(total);
    const g = take(total);
    const zero = take(maxP);
    const h = this.dP.map((d) => take(this.rowsCap * d));
    const target = take(this.rowsCap * (this.dP[layers] as number));
    const dA = take(this.rowsCap * maxP);
    const dB = take(this.rowsCap * maxP);
    const t = take((maxP + 4) * this.rowsCap);
    // The B operand of each product, packed in panels (train-kernels.ts).
    const widest = Math.max(...this.dP.slice(1).map((u, l) => (this.dP[l] as number) * u));
    const pk = take(Math.max(widest, this.rowsCap * maxP));
    const bytes = next * 4;
    const have = k.memory.buffer.byteLength;
    if (bytes > have) {
      try {
        k.memory.grow(Math.ceil((bytes - have) / 65536));
      } catch (cause) {
        throw new WasmMemoryError(`wasm dense step: ${Math.round(bytes / 2 ** 20)} MiB of WebAssembly memory for this model could not be had`, { cause });
      }
    }
    this.f = new Float32Array(k.memory.buffer);
    this.at = { p, m, v, g, zero, h, target, dA, dB, t, pk, blk: blk.map((b) => p + b * 4) };
    this.setWeights(o.weights);
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.accBeta1 = Math.fround(this.beta1);
    this.accBeta2 = Math.fround(this.beta2);
    this.epsilon = o.epsilon;
    this.negLr = -o.learningRate;
  }

  /** Puts weights in net.getWeights()'s order and shapes into the padded blocks. */
  setWeights(weights: readonly Float32Array[]): void {
    const f = this.f;
    f.fill(0, this.at.p / 4, this.at.p / 4 + this.total);
    for (let l = 0; l < this.acts.length; l++) {
      const [n, u, uP] = [this.dims[l] as number, this.dims[l + 1] as number, this.dP[l + 1] as number];
      const kernel = weights[2 * l] ?? new Float32Array(0);
      const bias = weights[2 * l + 1] ?? new Float32Array(0);
      if (kernel.length !== n * u || bias.length !== u) throw new Error(`wasm dense step: layer ${l + 1} weights have ${kernel.length} and ${bias.length} values, expected ${n * u} and ${u}`);
      const base = (this.at.blk[l] as number) / 4;
      for (let i = 0; i < n; i++) f.set(kernel.subarray(i * u, (i + 1) * u), base + i * uP);
      f.set(bias, base + (this.dP[l] as number) * uP);
    }
  }

  /** The weights in net.getWeights()'s order and shapes (copies). */
  weights(): Float32Array[] {
    return this.unpad(this.at.blk);
  }

  /** The gradient of the last step or gradients() call, like weights(). */
  gradients(): Float32Array[] {
    return this.unpad(this.at.blk.map((b) => b - this.at.p + this.at.g));
  }

  private unpad(blocks: readonly number[]): Float32Array[] {
    const out: Float32Array[] = [];
    for (let l = 0; l < this.acts.length; l++) {
      const [n, u, uP] = [this.dims[l] as number, this.dims[l + 1] as number, this.dP[l + 1] as number];
      const base = (blocks[l] as number) / 4;
      const kernel = new Float32Array(n * u);
      for (let i = 0; i < n; i++) kernel.set(this.f.subarray(base + i * uP, base + i * uP + u), i * u);
      out.push(kernel, this.f.slice(base + (this.dP[l] as number) * uP, base + (this.dP[l] as number) * uP + u));
    }
    return out;
  }

  /** Copies `rows` rows of width dims[0] from `x` (from row `from`) into a padded buffer at byte offset `to`. */
  private load(x: Float32Array, from: number, rows: number, to: number): number {
    const [w, wP] = [this.dims[0] as number, this.dP[0] as number];
    const rowsP = pad4(rows);
    const base = to / 4;
    if (w === wP) {
      this.f.set(x.subarray(from * w, (from + rows) * w), base);
      this.f.fill(0, base + rows * w, base + rowsP * w);
    } else {
      this.f.fill(0, base, base + rowsP * wP);
      for (let r = 0; r < rows; r++) this.f.set(x.subarray((from + r) * w, (from + r + 1) * w), base + r * wP);
    }
    return rowsP;
  }

  /** The forward pass of the rows already in h[0]; the reconstruction is in h[L]. */
  private forward(rowsP: number): void {
    const { k, f, dP, at } = this;
    for (let l = 0; l < this.acts.length; l++) {
      const [n, uP] = [dP[l] as number, dP[l + 1] as number];
      const a = this.acts[l] as LayerActivation;
      const blk = at.blk[l] as number;
      const out = at.h[l + 1] as number;
      k.pack(blk, at.pk, n, uP);
      (a === 'relu' ? k.gemmRelu : k.gemm)(at.h[l] as number, at.pk, blk + n * uP * 4, out, n, uP, rowsP);
      if (a === 'tanh' || a === 'sigmoid') {
        const u = this.dims[l + 1] as number;
        const base = out / 4;
        for (let r = 0; r < rowsP; r++) {
          const row = base + r * uP;
          if (a === 'tanh') for (let j = 0; j < u; j++) f[row + j] = Math.tanh(f[row + j] as number);
          // Padded units stay 0 (sigmoid(0) would be 0.5).
          else for (let j = 0; j < uP; j++) f[row + j] = j < u ? 1 / (1 + Math.exp(-(f[row + j] as number))) : 0;
        }
      }
    }
  }

  /**
   * Forward and backward pass of one batch: the MSE of the reconstruction of
   * `input` against `target` (row-major, `rows` × dims[0]) and, in the
   * gradient buffer, its gradient. No update.
   */
  computeGradients(input: Float32Array, target: Float32Array, rows: number): number {
    if (rows < 1 || rows > this.rowsCap) throw new Error(`wasm dense step: a batch of ${rows} rows, this step takes 1 to ${this.rowsCap}`);
    const { k, f, dP, at, dims } = this;
    const L = this.acts.length;
    const rowsP = this.load(input, 0, rows, at.h[0] as number);
    this.load(target, 0, rows, at.target);
    this.forward(rowsP);
    // Loss and the output gradient, 2 (r − t) / N, into dA; zero on padded rows and units.
    const [w, wP] = [dims[L] as number, dP[L] as number];
    const count = rows * w;
    const scale = Math.fround(2 / count);
    const recon = (at.h[L] as number) / 4;
    const tgt = at.target / 4;
    let cur = at.dA;
    let other = at.dB;
    const dz = cur / 4;
    let sum = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * wP;
      for (let j = 0; j < w; j++) {
        const d = Math.fround((f[recon + o + j] as number) - (f[tgt + o + j] as number));
        sum += d * d;
        f[dz + o + j] = d * scale;
      }
      f.fill(0, dz + o + w, dz + o + wP);
    }
    f.fill(0, dz + rows * wP, dz + rowsP * wP);
    for (let l = L - 1; l >= 0; l--) {
      const [n, uP] = [dP[l] as number, dP[l + 1] as number];
      // Xᵀ with a row of ones (the bias) and three of zeros: [n + 4][rowsP].
      k.transpose(at.h[l] as number, at.t, rowsP, n);
      const t = at.t / 4;
      f.fill(1, t + n * rowsP, t + (n + 1) * rowsP);
      f.fill(0, t + (n + 1) * rowsP, t + (n + 4) * rowsP);
      const blk = at.blk[l] as number;
      k.pack(cur, at.pk, rowsP, uP);
      k.gemm(at.t, at.pk, at.zero, blk - at.p + at.g, rowsP, uP, n + 4);
      if (l === 0) break;
      // dY = dZ · Wᵀ, then dZ of the layer below through its activation's derivative.
      k.packT(blk, at.pk, n, uP);
      k.gemm(cur, at.pk, at.zero, other, uP, n, rowsP);
      activationGrad(f, other / 4, (at.h[l] as number) / 4, rowsP * n, this.acts[l - 1] as LayerActivation);
      [cur, other] = [other, cur];
    }
    return sum / count;
  }

  /** One Adam step on a batch; returns the batch's MSE. */
  step(input: Float32Array, target: Float32Array, rows: number): number {
    const loss = this.computeGradients(input, target, rows);
    const { at } = this;
    this.k.adam(
      at.p,
      at.m,
      at.v,
      at.g,
      this.total,
      this.beta1,
      1 - this.beta1,
      this.beta2,
      1 - this.beta2,
      Math.fround(1 - this.accBeta1),
      Math.fround(1 - this.accBeta2),
      this.epsilon,
      this.negLr,
    );
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(this.beta2));
    return loss;
  }

  /** MSE of the reconstruction of `n` rows of `x` (clean, no penalty). */
  validationLoss(x: Float32Array, n: number): number {
    const { f, at, dims, dP } = this;
    const L = this.acts.length;
    const [w, wP] = [dims[L] as number, dP[L] as number];
    const chunk = this.rowsCap;
    let sum = 0;
    for (let start = 0; start < n; start += chunk) {
      const rows = Math.min(chunk, n - start);
      this.forward(this.load(x, start, rows, at.h[0] as number));
      const recon = (at.h[L] as number) / 4;
      for (let r = 0; r < rows; r++) {
        const src = (start + r) * w;
        const o = recon + r * wP;
        for (let j = 0; j < w; j++) {
          const d = (f[o + j] as number) - (x[src + j] as number);
          sum += d * d;
        }
      }
    }
    return sum / (n * w);
  }
}

/** dZ = dY ⊙ act′ in place, from the layer's output y (fast-train.ts's activationGrad). */
function activationGrad(f: Float32Array, d: number, y: number, count: number, activation: LayerActivation): void {
  switch (activation) {
    case 'relu':
      // sign(y): 1 where y > 0, else 0 (y ≥ 0).
      for (let i = 0; i < count; i++) if (!((f[y + i] as number) > 0)) f[d + i] = 0;
      return;
    case 'tanh':
      for (let i = 0; i < count; i++) {
        const v = f[y + i] as number;
        f[d + i] = (1 - v * v) * (f[d + i] as number);
      }
      return;
    case 'sigmoid':
      for (let i = 0; i < count; i++) {
        const v = f[y + i] as number;
        f[d + i] = (f[d + i] as number) * (v * (1 - v));
      }
      return;
    case 'linear':
      return;
  }
}
