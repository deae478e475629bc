// The training step with as few kernel launches as tfjs allows (issue 21 item 1).
//
// tfjs trains op by op, and on the native backend each op is a separate call
// into libtensorflow that costs tens of microseconds whatever its size: the
// layers API with tf.train.adam ran about 220 kernels per batch of the
// reference dense autoencoder, more than half of them Adam's per-variable
// updates. Two things here cut that to about 60 without changing the maths:
//
// - FlatAdam keeps every parameter, first and second moment as one flat
//   tensor each, so one Adam update is 14 element-wise kernels for the whole
//   model instead of 14 per variable (tf.train.adam's formula, same order of
//   operations, same epsilon).
// - denseGradients is the backward pass of a dense stack written out by hand:
//   per layer one matMul for the weight gradient, one for the input gradient,
//   one sum for the bias, and the activation's derivative from the layer's
//   output. No tape, no reshapes.
//
// Everything stays in tfjs ops, so it runs on every backend and stays seeded
// and deterministic. It also runs the layers path's kernels on the same values
// in the same order (the fused matMul forward, the autodiff's gradient
// formulas, tf.train.adam's update with beta^t kept in float32), so on the
// tensorflow and cpu backends it trains the same model bit for bit
// (test/unit/common/model/fast-train.test.ts): a faster step, not a different
// one, and no detection figure can move with it (issue 21).
import * as tf from '@tensorflow/tfjs';
import type { Activation, ModelConfig } from '../config/types.ts';
import { sparsityPenalty } from './sparsity.ts';

export type LayerActivation = Activation | 'linear';

/**
 * Adam (Kingma & Ba) as tf.train.adam computes it, over one flat vector that
 * holds every parameter. The parameters are handed back as tensors of their
 * own shapes after each step.
 */
export class FlatAdam {
  readonly shapes: number[][];
  private readonly sizes: number[];
  private p: tf.Tensor1D;
  private m: tf.Tensor1D;
  private v: tf.Tensor1D;
  // tf.train.adam's beta1^t and beta2^t: float32 scalars multiplied by beta once per step,
  // so rounded after every multiplication (Math.fround(beta ** t) drifts from them by ulps).
  private accBeta1: number;
  private accBeta2: number;
  private readonly consts: { beta1: tf.Scalar; oneMinusBeta1: tf.Scalar; beta2: tf.Scalar; oneMinusBeta2: tf.Scalar; eps: tf.Scalar; negLr: tf.Scalar };

  constructor(
    initial: readonly tf.Tensor[],
    learningRate: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    epsilon = tf.backend().epsilon(),
  ) {
    this.accBeta1 = Math.fround(beta1);
    this.accBeta2 = Math.fround(beta2);
    this.shapes = initial.map((t) => [...t.shape]);
    this.sizes = initial.map((t) => t.size);
    this.p = tf.tidy(() => tf.concat(initial.map((t) => t.reshape([-1]))) as tf.Tensor1D);
    this.m = tf.zerosLike(this.p);
    this.v = tf.zerosLike(this.p);
    this.consts = {
      beta1: tf.scalar(beta1),
      oneMinusBeta1: tf.scalar(1 - beta1),
      beta2: tf.scalar(beta2),
      oneMinusBeta2: tf.scalar(1 - beta2),
      eps: tf.scalar(epsilon),
      negLr: tf.scalar(-learningRate),
    };
  }

  /** The parameters, each in its own shape (new tensors; inside a tidy they are tracked by it). */
  params(): tf.Tensor[] {
    return this.unflatten(this.p);
  }

  /** A copy of the flat parameter vector (the caller disposes it). */
  snapshot(): tf.Tensor1D {
    return this.p.clone();
  }

  /** `flat` (a snapshot) split into the parameters' shapes. */
  unflatten(flat: tf.Tensor1D): tf.Tensor[] {
    const parts = tf.split(flat, this.sizes);
    return parts.map((t, i) => {
      const shape = this.shapes[i] as number[];
      return shape.length === 1 ? t : t.reshape(shape);
    });
  }

  /** One update from the gradients (same order and shapes as the parameters). */
  apply(grads: readonly tf.Tensor[]): void {
    const c = this.consts;
    const accBeta1 = this.accBeta1;
    const accBeta2 = this.accBeta2;
    const next = tf.tidy(() => {
      const g = tf.concat(grads.map((t) => (t.rank === 1 ? t : t.reshape([-1])))) as tf.Tensor1D;
      const m = this.m.mul(c.beta1).add(g.mul(c.oneMinusBeta1)) as tf.Tensor1D;
      const v = this.v.mul(c.beta2).add(g.square().mul(c.oneMinusBeta2)) as tf.Tensor1D;
      const mHat = m.div(tf.scalar(Math.fround(1 - accBeta1)));
      const vHat = v.div(tf.scalar(Math.fround(1 - accBeta2)));
      const p = mHat.div(vHat.sqrt().add(c.eps)).mul(c.negLr).add(this.p) as tf.Tensor1D;
      return { p, m, v };
    });
    // Kept, so that a step run inside the caller's tf.tidy does not lose them.
    tf.keep(next.p);
    tf.keep(next.m);
    tf.keep(next.v);
    this.p.dispose();
    this.m.dispose();
    this.v.dispose();
    // The product of two float32 values is exact in a double, so one fround is float32's multiplication.
    this.accBeta1 = Math.fround(accBeta1 * Math.fround(this.beta1));
    this.accBeta2 = Math.fround(accBeta2 * Math.fround(this.beta2));
    ({ p: this.p, m: this.m, v: this.v } = next);
  }

  dispose(): void {
    this.p.dispose();
    this.m.dispose();
    this.v.dispose();
    for (const t of Object.values(this.consts)) t.dispose();
  }
}

/** The activations of the dense autoencoder's layers, in order, as build.ts makes them. */
export function denseActivations(cfg: ModelConfig): LayerActivation[] {
  const codeActivation: Activation = cfg.kind === 'sae' ? 'sigmoid' : cfg.activation;
  return [...cfg.hidden.map(() => cfg.activation), codeActivation, ...cfg.hidden.map(() => cfg.activation), 'linear'];
}

/**
 * a·b (either transposed) of two matrices. On the tensorflow backend straight into its
 * BatchMatMul kernel (libtensorflow's BatchMatMulV2, which takes rank-2 operands): tf.matMul and
 * tf.fused.matMul reshape both operands to rank 3 and the product back, and each reshape there is
 * a call into libtensorflow with a shape tensor uploaded. The same kernel on the same values, so
 * the same product; elsewhere tf.matMul.
 */
function matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  if (tf.getBackend() !== 'tensorflow') return tf.matMul(a, b, transposeA, transposeB);
  return tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA, transposeB }) as tf.Tensor2D;
}

/**
 * One dense layer's output, with the kernels tfjs-layers' Dense.call uses, so that the output is
 * the same float32 for float32 on every backend: relu and linear fold bias and activation into
 * tf.fused.matMul (one kernel on wasm, where the bias is added inside the product); tanh and
 * sigmoid are a product, a bias add and the activation.
 */
function denseLayer(h: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: LayerActivation): tf.Tensor2D {
  if (tf.getBackend() === 'tensorflow') {
    // tfjs-node's _FusedMatMul is these three kernels (it has no fused one), less the reshapes.
    const z = matMul(h, kernel).add(bias) as tf.Tensor2D;
    switch (activation) {
      case 'relu':
        return tf.relu(z);
      case 'linear':
        return z;
      case 'tanh':
        return tf.tanh(z);
      case 'sigmoid':
        return tf.sigmoid(z);
    }
  }
  switch (activation) {
    case 'relu':
    case 'linear':
      return tf.fused.matMul({ a: h, b: kernel, bias, activation }) as tf.Tensor2D;
    case 'tanh':
      return tf.tanh(tf.fused.matMul({ a: h, b: kernel }).add(bias)) as tf.Tensor2D;
    case 'sigmoid':
      return tf.sigmoid(tf.fused.matMul({ a: h, b: kernel }).add(bias)) as tf.Tensor2D;
  }
}

/** dL/dz from dL/dy and the layer's output y = act(z): the derivatives tfjs uses, written with y. */
function activationGrad(dy: tf.Tensor2D, y: tf.Tensor2D, activation: LayerActivation): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      // y = relu(z) ≥ 0, so sign(y) is tfjs's step(z) (1 where z > 0, else 0; NaN stays NaN)
      // in one kernel; tf.step is five on the native backend.
      return dy.mul(tf.sign(y));
    case 'tanh':
      return tf.scalar(1).sub(y.square()).mul(dy);
    case 'sigmoid':
      return dy.mul(y.mul(tf.scalar(1).sub(y)));
    case 'linear':
      return dy;
  }
}

/**
 * Outputs of every layer of a dense stack: [input, h1, …, reconstruction].
 * `params` is [kernel1, bias1, kernel2, bias2, …] (the order of net.getWeights()).
 */
export function denseForward(params: readonly tf.Tensor[], activations: readonly LayerActivation[], x: tf.Tensor2D): tf.Tensor2D[] {
  const outs: tf.Tensor2D[] = [x];
  let h = x;
  activations.forEach((activation, i) => {
    const kernel = params[2 * i] as tf.Tensor2D;
    const bias = params[2 * i + 1] as tf.Tensor1D;
    h = denseLayer(h, kernel, bias, activation);
    outs.push(h);
  });
  return outs;
}

export interface DenseStepInput {
  params: readonly tf.Tensor[];
  activations: readonly LayerActivation[];
  /** What the network sees (corrupted for 'dae'). */
  x: tf.Tensor2D;
  /** What it should reconstruct. */
  target: tf.Tensor2D;
  /** The sparse AE's penalty on the code layer's output, and which layer that is. */
  sparsity?: { cfg: ModelConfig['sparsity']; codeLayer: number };
}

/**
 * The training objective of one batch (MSE, plus the sparsity penalty for
 * 'sae') and its gradient with respect to every parameter, same order as
 * `params`. Call inside tf.tidy.
 */
export function denseGradients({ params, activations, x, target, sparsity }: DenseStepInput): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const outs = denseForward(params, activations, x);
  const recon = outs[outs.length - 1] as tf.Tensor2D;
  const diff = recon.sub(target);
  const count = diff.size;
  // The layers step's loss, kernel for kernel (a tf.mean would round differently).
  let loss = tf.losses.meanSquaredError(target, recon) as tf.Scalar;
  // d mean((r − t)²) / dr = 2 (r − t) / N
  let dy = diff.mul(tf.scalar(2 / count)) as tf.Tensor2D;
  let codeGrad: tf.Tensor2D | undefined;
  if (sparsity !== undefined) {
    const code = outs[sparsity.codeLayer + 1] as tf.Tensor2D;
    const { value, grad } = tf.valueAndGrad((c: tf.Tensor) => sparsityPenalty(c as tf.Tensor2D, sparsity.cfg))(code);
    loss = loss.add(value);
    codeGrad = grad as tf.Tensor2D;
  }
  const grads: tf.Tensor[] = new Array<tf.Tensor>(params.length);
  for (let i = activations.length - 1; i >= 0; i--) {
    const y = outs[i + 1] as tf.Tensor2D;
    if (codeGrad !== undefined && i === sparsity?.codeLayer) dy = dy.add(codeGrad);
    const dz = activationGrad(dy, y, activations[i] as LayerActivation);
    const input = outs[i] as tf.Tensor2D;
    grads[2 * i] = matMul(input, dz, true, false);
    grads[2 * i + 1] = dz.sum(0);
    if (i > 0) dy = matMul(dz, params[2 * i] as tf.Tensor2D, false, true);
  }
  return { loss, grads };
}
