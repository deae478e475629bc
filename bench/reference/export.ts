// Exports a tfjs dense autoencoder as a layer list plus one float32 weight
// file, so the numpy and Keras references compute the very same function.
import * as tf from '@tensorflow/tfjs';
import { SensorwatchError } from '../../common/errors.ts';

export interface DenseLayerSpec {
  type: 'dense';
  inputs: number;
  units: number;
  activation: string;
  /** Float offset of the kernel ([inputs, units], row-major) in the weight file; the bias follows it. */
  offset: number;
}

export interface ModelSpec {
  /** Flattened window width: windowLength × channels. */
  features: number;
  windowLength: number;
  channels: number;
  layers: DenseLayerSpec[];
}

/** Layers that are the identity at inference time (noise, dropout, shape-only). */
const identityAtInference = new Set([
  'InputLayer',
  'Flatten',
  'Reshape',
  'Dropout',
  'GaussianNoise',
  'GaussianDropout',
  'ActivityRegularization',
]);

/**
 * The model's dense layers in order, with their weights packed into one
 * Float32Array. Throws when the model holds a layer numpy cannot mirror
 * (the conv autoencoder, for one), naming the layer.
 */
export function exportDenseModel(net: tf.LayersModel, windowLength: number, channels: number): { spec: ModelSpec; weights: Float32Array } {
  const layers: DenseLayerSpec[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const layer of net.layers) {
    const cls = layer.getClassName();
    if (identityAtInference.has(cls)) continue;
    if (cls !== 'Dense') {
      throw new SensorwatchError(`layer ${layer.name} (${cls}) has no numpy reference: only Dense layers are exported`, {
        code: 'bench_export_unsupported',
        details: { layer: layer.name, className: cls },
      });
    }
    const config = layer.getConfig() as { units: number; activation?: string; useBias?: boolean };
    const [kernel, bias] = layer.getWeights();
    if (kernel === undefined) throw new SensorwatchError(`dense layer ${layer.name} has no kernel`, { code: 'bench_export_unsupported' });
    const [inputs, units] = kernel.shape as [number, number];
    const k = kernel.dataSync() as Float32Array;
    const b = bias === undefined ? new Float32Array(units) : (bias.dataSync() as Float32Array);
    layers.push({ type: 'dense', inputs, units, activation: config.activation ?? 'linear', offset });
    chunks.push(k, b);
    offset += k.length + b.length;
  }
  const weights = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) {
    weights.set(c, at);
    at += c.length;
  }
  return { spec: { features: windowLength * channels, windowLength, channels, layers }, weights };
}

/** Little-endian float32 bytes (the layout numpy's fromfile('<f4') reads). */
export function float32Bytes(values: Float32Array): Buffer {
  const out = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i] as number, i * 4);
  return out;
}
