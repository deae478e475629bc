// A trained model as one self-describing, checksummed byte string: what the
// model store writes to disk and to Kafka, and what scorers load. No
// filesystem or tfjs-node is involved: tfjs saves to and loads from memory.
//
// Layout (all integers big-endian):
//   0   4  magic 'SWMA'
//   4   4  format version (u32)
//   8  32  SHA-256 of everything from byte 44 on (header JSON + weights)
//  40   4  header length in bytes (u32)
//  44   …  header JSON: { meta, modelTopology, weightSpecs }
//   …   …  weight data
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { modelKinds } from '../config/enums.ts';
import type { ThresholdSettings } from '../calibration/thresholds.ts';
import type { CalibratedThreshold, Calibration } from '../calibration/types.ts';
import type { ModelConfig, ModelKind, WindowingConfig } from '../config/types.ts';
import { SensorwatchError } from '../errors.ts';
import type { NormStats } from './normalise.ts';

export const artifactFormatVersion = 1;
const magic = Buffer.from('SWMA', 'ascii');
const prefixBytes = 44;

/** Kafka offsets a model was trained from (one row per partition). */
export interface OffsetRange {
  topic: string;
  partition: number;
  from: string;
  to: string;
}

export interface ModelMeta {
  formatVersion: number;
  /** A sensor id, or a group of sensors that share a model (model.groups), or 'default'; with sensor types `<type>` or `<type>.<group>`. */
  modelKey: string;
  /** The sensor type whose windows it was trained on (sensorTypes); absent in artifacts from before types: 'default'. Never applied to another type's windows. */
  sensorType?: string;
  /** Monotonic per model key, from 1. */
  version: number;
  kind: ModelKind;
  /** The full configuration it was trained with. */
  config: {
    model: ModelConfig;
    thresholds: ThresholdSettings;
    windowing: Pick<WindowingConfig, 'channels' | 'length'>;
  };
  normalisation: NormStats;
  /** Channel order of the model's input (= normalisation.channels). */
  channels: string[];
  /** Samples per window; the model's input is windowLength × channels.length, row-major. */
  windowLength: number;
  thresholds: { model: CalibratedThreshold; perSensor: Record<string, CalibratedThreshold> };
  /** Held-out errors kept so per-sensor config overrides apply without retraining. */
  calibration: Calibration;
  dataRange: {
    /** Event time of the first window start and the last window end, ms since the epoch. */
    from: number;
    to: number;
    windows: number;
    trainWindows: number;
    valWindows: number;
    sensors: string[];
    offsets: OffsetRange[];
  };
  metrics: {
    trainLoss: number;
    valLoss: number;
    epochs: number;
    bestEpoch: number;
    stoppedEarly: boolean;
    trainSeconds: number;
    errorQuantiles: { p50: number; p90: number; p99: number; max: number };
    /** Mean activation of the code layer over the held-out windows. */
    meanCodeActivation: number;
  };
  /** The tfjs backend that trained it: tensorflow | wasm | cpu. */
  backend: string;
  /** ms since the epoch. */
  createdAt: number;
  /** Hex SHA-256 of the artifact body; filled in by serialiseArtifact / parseArtifact. */
  checksum: string;
}

/** A model ready to score: reconstructs normalised, flattened windows. */
export interface LoadedModel {
  readonly meta: ModelMeta;
  /** The tfjs layers model: input and output [batch, windowLength × channels]. */
  readonly net: tf.LayersModel;
  /** [batch, L·C] normalised → [batch, L·C] reconstruction. Caller disposes the result (or uses tf.tidy). */
  reconstruct(x: tf.Tensor2D): tf.Tensor2D;
  /** [batch, L·C] → code layer activations [batch, code units]. */
  encode(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

/** The name of the bottleneck layer in every model kind. */
export const codeLayerName = 'code';

export function wrapModel(net: tf.LayersModel, meta: ModelMeta): LoadedModel {
  let encoder: tf.LayersModel | undefined;
  let disposed = false;
  return {
    meta,
    net,
    reconstruct: (x) => net.apply(x, { training: false }) as tf.Tensor2D,
    encode: (x) => {
      encoder ??= tf.model({ inputs: net.inputs, outputs: net.getLayer(codeLayerName).output as tf.SymbolicTensor });
      const h = encoder.apply(x, { training: false }) as tf.Tensor;
      return h.rank === 2 ? (h as tf.Tensor2D) : tf.tidy(() => h.reshape([h.shape[0] ?? -1, -1]));
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      // The encoder is only a view on the net's layers: disposing the net frees every weight.
      net.dispose();
    },
  };
}

/** The artifact bytes; also sets model.meta.checksum to their SHA-256. */
export async function serialiseArtifact(model: LoadedModel): Promise<Buffer> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.net.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(model.meta.createdAt), modelTopologyType: 'JSON' } };
    }),
  );
  if (saved?.weightData === undefined || saved.weightSpecs === undefined) {
    throw new SensorwatchError(`model ${model.meta.modelKey} v${model.meta.version} saved no weights`, { code: 'model_save_failed' });
  }
  const weights = Buffer.from(tf.io.concatenateArrayBuffers(saved.weightData));
  const header = Buffer.from(
    JSON.stringify({ meta: { ...model.meta, checksum: '' }, modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs }),
    'utf8',
  );
  const digest = createHash('sha256').update(header).update(weights).digest();
  const prefix = Buffer.alloc(prefixBytes);
  magic.copy(prefix, 0);
  prefix.writeUInt32BE(artifactFormatVersion, 4);
  digest.copy(prefix, 8);
  prefix.writeUInt32BE(header.length, 40);
  // The in-memory model now names the exact bytes it was published as.
  model.meta.checksum = digest.toString('hex');
  return Buffer.concat([prefix, header, weights]);
}

interface Header {
  meta: ModelMeta;
  modelTopology: object;
  weightSpecs: tf.io.WeightsManifestEntry[];
}

/** Checks framing, checksum and compatibility; returns the metadata without building the model. */
export function readArtifactMeta(buf: Buffer, where = 'artifact'): ModelMeta {
  return readHeader(buf, where).header.meta;
}

/**
 * Verifies and loads an artifact. Throws SensorwatchError `model_corrupt`
 * (bad framing, checksum mismatch, unreadable weights), `model_incompatible`
 * (a format, kind or shape this build cannot serve) or `model_invalid` (it
 * loads but cannot score: a non-finite weight, normalisation statistic or
 * threshold, or a non-finite reconstruction of a probe window); the caller
 * keeps serving the previous version. A correct checksum only says the bytes
 * are the ones the trainer wrote, not that they can score.
 */
export async function parseArtifact(buf: Buffer, where = 'artifact'): Promise<LoadedModel> {
  const { header, weights } = readHeader(buf, where);
  const { meta } = header;
  let net: tf.LayersModel;
  try {
    const ab = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
    net = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: header.modelTopology, weightSpecs: header.weightSpecs, weightData: ab }));
  } catch (cause) {
    throw refuse('model_corrupt', `${where}: tfjs could not load ${describe(meta)}: ${String(cause)}`, meta, cause);
  }
  const inputSize = net.inputs[0]?.shape[1];
  const expected = meta.windowLength * meta.channels.length;
  if (inputSize !== expected) {
    net.dispose();
    throw refuse('model_incompatible', `${where}: ${describe(meta)} takes ${String(inputSize)} inputs but its metadata says ${expected}`, meta);
  }
  const problem = metaProblem(meta) ?? weightsProblem(net) ?? probeProblem(net, expected);
  if (problem !== null) {
    net.dispose();
    throw refuse('model_invalid', `${where}: ${describe(meta)} cannot score: ${problem}`, meta);
  }
  return wrapModel(net, meta);
}

const allFinite = (xs: ArrayLike<number>): number => {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) return i;
  return -1;
};

/** The numbers scoring divides by or compares with must be finite. */
function metaProblem(meta: ModelMeta): string | null {
  const norm = meta.normalisation;
  const c = allFinite(norm.center);
  if (c >= 0) return `normalisation centre of channel ${norm.channels[c] ?? c} is ${String(norm.center[c])}`;
  const sc = allFinite(norm.scale);
  if (sc >= 0) return `normalisation scale of channel ${norm.channels[sc] ?? sc} is ${String(norm.scale[sc])}`;
  if (!Number.isFinite(meta.thresholds.model.value)) return `its threshold is ${String(meta.thresholds.model.value)}`;
  for (const [sensor, t] of Object.entries(meta.thresholds.perSensor)) if (!Number.isFinite(t.value)) return `its threshold for sensor ${sensor} is ${String(t.value)}`;
  return null;
}

function weightsProblem(net: tf.LayersModel): string | null {
  for (const w of net.weights) {
    const values = w.read().dataSync();
    const i = allFinite(values);
    if (i >= 0) return `weight ${w.name} holds ${String(values[i])} (element ${i} of ${values.length})`;
  }
  return null;
}

/** A window at the training mean (all zeros once normalised) must reconstruct to finite values. */
function probeProblem(net: tf.LayersModel, inputs: number): string | null {
  const out = tf.tidy(() => (net.predict(tf.zeros([1, inputs])) as tf.Tensor).dataSync());
  const i = allFinite(out);
  return i >= 0 ? `its reconstruction of a probe window (all zeros, i.e. the training mean) holds ${String(out[i])} at element ${i}` : null;
}

function readHeader(buf: Buffer, where: string): { header: Header; weights: Buffer } {
  if (buf.length < prefixBytes || !buf.subarray(0, 4).equals(magic)) {
    throw refuse('model_corrupt', `${where}: not a sensorwatch model artifact (bad magic or ${buf.length} bytes)`);
  }
  const format = buf.readUInt32BE(4);
  if (format !== artifactFormatVersion) {
    throw refuse('model_incompatible', `${where}: artifact format ${format}, this build reads format ${artifactFormatVersion}`);
  }
  const headerLength = buf.readUInt32BE(40);
  if (prefixBytes + headerLength > buf.length) {
    throw refuse('model_corrupt', `${where}: truncated artifact (header says ${headerLength} bytes, ${buf.length - prefixBytes} present)`);
  }
  const body = buf.subarray(prefixBytes);
  const digest = createHash('sha256').update(body).digest();
  const stored = buf.subarray(8, 40);
  if (!digest.equals(stored)) {
    throw refuse('model_corrupt', `${where}: checksum mismatch (stored ${stored.toString('hex')}, computed ${digest.toString('hex')})`);
  }
  let header: Header;
  try {
    header = JSON.parse(body.subarray(0, headerLength).toString('utf8')) as Header;
  } catch (cause) {
    throw refuse('model_corrupt', `${where}: header is not valid JSON`, undefined, cause);
  }
  const meta = header.meta;
  if (typeof meta !== 'object' || meta === null || typeof meta.modelKey !== 'string' || typeof meta.version !== 'number') {
    throw refuse('model_corrupt', `${where}: header lacks model metadata`);
  }
  if (meta.formatVersion !== artifactFormatVersion || !modelKinds.includes(meta.kind)) {
    throw refuse('model_incompatible', `${where}: ${describe(meta)} has format ${meta.formatVersion} / kind '${meta.kind}', unsupported here`, meta);
  }
  meta.checksum = digest.toString('hex');
  return { header, weights: body.subarray(headerLength) };
}

function describe(meta: Pick<ModelMeta, 'modelKey' | 'version'>): string {
  return `model ${meta.modelKey} v${meta.version}`;
}

function refuse(code: 'model_corrupt' | 'model_incompatible' | 'model_invalid', message: string, meta?: ModelMeta, cause?: unknown): SensorwatchError {
  return new SensorwatchError(message, {
    code,
    cause,
    details: meta === undefined ? {} : { modelKey: meta.modelKey, version: meta.version },
  });
}
