// Model builders: dense (plain, denoising and sparse share one shape) and 1D
// convolutional autoencoders. Every kind takes and returns flat, row-major,
// normalised windows [batch, length × channels] and names its bottleneck
// layer 'code', so scoring and artifacts treat all kinds alike.
import * as tf from '@tensorflow/tfjs';
import type { Activation, ModelConfig } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';
import { codeLayerName } from './artifact.ts';

export interface WindowShape {
  length: number;
  channels: number;
}

export interface BuiltAutoencoder {
  /** Input → reconstruction: what is saved and served. */
  net: tf.LayersModel;
  /** The same layers with two outputs, [reconstruction, code], for the training loss. */
  withCode: tf.LayersModel;
}

/** He for ReLU layers, Glorot (Xavier) for tanh, sigmoid and linear ones; seeded per layer. */
export function initializerFor(activation: Activation | 'linear', seed: number): ReturnType<typeof tf.initializers.heNormal> {
  return activation === 'relu' ? tf.initializers.heNormal({ seed }) : tf.initializers.glorotUniform({ seed });
}

export function buildAutoencoder(cfg: ModelConfig, shape: WindowShape, seed: number): BuiltAutoencoder {
  const width = shape.length * shape.channels;
  const input = tf.input({ shape: [width], name: 'window' });
  let layerSeed = seed;
  const nextSeed = (): number => (layerSeed = (layerSeed * 1103515245 + 12345) % 2147483647);
  const dense = (units: number, activation: Activation | 'linear', name?: string): tf.layers.Layer =>
    tf.layers.dense({ units, activation, kernelInitializer: initializerFor(activation, nextSeed()), ...(name === undefined ? {} : { name }) });
  // The sparse AE's penalties are defined on activations in (0, 1).
  const codeActivation: Activation = cfg.kind === 'sae' ? 'sigmoid' : cfg.activation;

  let code: tf.SymbolicTensor;
  let output: tf.SymbolicTensor;
  if (cfg.kind === 'conv') {
    ({ code, output } = convLayers(cfg, shape, input, nextSeed));
  } else {
    let h: tf.SymbolicTensor = input;
    for (const units of cfg.hidden) h = dense(units, cfg.activation).apply(h) as tf.SymbolicTensor;
    code = dense(cfg.codeSize, codeActivation, codeLayerName).apply(h) as tf.SymbolicTensor;
    h = code;
    for (const units of [...cfg.hidden].reverse()) h = dense(units, cfg.activation).apply(h) as tf.SymbolicTensor;
    output = dense(width, 'linear', 'reconstruction').apply(h) as tf.SymbolicTensor;
  }
  return {
    net: tf.model({ inputs: input, outputs: output, name: `${cfg.kind}_autoencoder` }),
    withCode: tf.model({ inputs: input, outputs: [output, code] }),
  };
}

/**
 * Encoder: strided Conv1D over time (time × channels), each halving the length;
 * a dense code; decoder: nearest-neighbour upsampling + convolution back to the
 * window. Convolutions see local shape (spikes, frequency) that dense layers
 * have to learn position by position.
 */
function convLayers(
  cfg: ModelConfig,
  shape: WindowShape,
  input: tf.SymbolicTensor,
  nextSeed: () => number,
): { code: tf.SymbolicTensor; output: tf.SymbolicTensor } {
  const { filters, kernelSize } = cfg.conv;
  const factor = 2 ** filters.length;
  if (filters.length === 0 || shape.length % factor !== 0) {
    throw new SensorwatchError(
      `conv autoencoder: window length ${shape.length} must be divisible by 2^${filters.length} (one halving per model.conv.filters entry); change windowing.length or model.conv.filters`,
      { code: 'config_invalid' },
    );
  }
  const act = cfg.activation;
  let h = tf.layers.reshape({ targetShape: [shape.length, shape.channels] }).apply(input) as tf.SymbolicTensor;
  for (const f of filters) {
    h = tf.layers
      .conv1d({ filters: f, kernelSize, strides: 2, padding: 'same', activation: act, kernelInitializer: initializerFor(act, nextSeed()) })
      .apply(h) as tf.SymbolicTensor;
  }
  const reduced = shape.length / factor;
  const lastFilters = filters[filters.length - 1] ?? 1;
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const code = tf.layers
    .dense({ units: cfg.codeSize, activation: act, kernelInitializer: initializerFor(act, nextSeed()), name: codeLayerName })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers
    .dense({ units: reduced * lastFilters, activation: act, kernelInitializer: initializerFor(act, nextSeed()) })
    .apply(code) as tf.SymbolicTensor;
  // Conv2D with a (k × 1) kernel over [time, 1, filters] is a 1D convolution
  // that can follow UpSampling2D (tfjs has no UpSampling1D).
  h = tf.layers.reshape({ targetShape: [reduced, 1, lastFilters] }).apply(h) as tf.SymbolicTensor;
  for (const f of [...filters].reverse()) {
    h = tf.layers.upSampling2d({ size: [2, 1] }).apply(h) as tf.SymbolicTensor;
    h = tf.layers
      .conv2d({ filters: f, kernelSize: [kernelSize, 1], padding: 'same', activation: act, kernelInitializer: initializerFor(act, nextSeed()) })
      .apply(h) as tf.SymbolicTensor;
  }
  h = tf.layers
    .conv2d({ filters: shape.channels, kernelSize: [1, 1], activation: 'linear', kernelInitializer: initializerFor('linear', nextSeed()) })
    .apply(h) as tf.SymbolicTensor;
  const output = tf.layers.reshape({ targetShape: [shape.length * shape.channels], name: 'reconstruction' }).apply(h) as tf.SymbolicTensor;
  return { code, output };
}
