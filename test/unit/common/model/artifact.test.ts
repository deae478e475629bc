import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../common/model/backend.ts';
import { parseArtifact, readArtifactMeta, serialiseArtifact } from '../../../../common/model/artifact.ts';
import type { TrainResult } from '../../../../common/model/train.ts';
import { syntheticWindows, trainSmall } from './synthetic.ts';

function isCode(code: string) {
  return (e: unknown): boolean => (e as { code?: string }).code === code;
}

describe('model artifact', () => {
  let trained: TrainResult;
  let bytes: Buffer;
  before(async () => {
    await initBackend('wasm');
    trained = await trainSmall({ kind: 'dense' });
    bytes = await serialiseArtifact(trained.model);
  });
  after(() => trained.model.dispose());

  for (const kind of ['dense', 'dae', 'sae', 'conv'] as const) {
    it(`${kind}: save → load gives identical predictions and metadata`, async () => {
      const r = kind === 'dense' ? trained : await trainSmall({ kind, epochs: 1 });
      const buf = kind === 'dense' ? bytes : await serialiseArtifact(r.model);
      const loaded = await parseArtifact(buf);
      const x = tf.randomNormal([5, 64], 0, 1, 'float32', 3) as tf.Tensor2D;
      const a = tf.tidy(() => r.model.reconstruct(x).dataSync());
      const b = tf.tidy(() => loaded.reconstruct(x).dataSync());
      x.dispose();
      assert.deepEqual(b, a);
      assert.deepEqual(loaded.meta, { ...r.model.meta });
      assert.equal(loaded.meta.checksum.length, 64);
      loaded.dispose();
      if (r !== trained) r.model.dispose();
    });
  }

  it('carries what the issue lists in its metadata', () => {
    const m = readArtifactMeta(bytes);
    assert.equal(m.modelKey, 'default');
    assert.equal(m.version, 1);
    assert.equal(m.kind, 'dense');
    assert.deepEqual(m.channels, ['ch0', 'ch1', 'ch2', 'ch3']);
    assert.equal(m.windowLength, 16);
    assert.equal(m.normalisation.center.length, 4);
    assert.ok(m.thresholds.model.value > 0);
    assert.equal(m.thresholds.model.method, 'likelihood');
    assert.equal(m.calibration.channelScale?.length, m.channels.length, 'the per-channel residual scale travels with the model');
    assert.equal(m.dataRange.windows, 120);
    assert.ok(m.dataRange.to > m.dataRange.from);
    assert.ok(m.metrics.valLoss > 0 && m.metrics.trainLoss > 0);
    assert.ok(m.metrics.errorQuantiles.p99 >= m.metrics.errorQuantiles.p50);
    assert.ok(m.metrics.meanCodeActivation > 0);
    assert.equal(m.backend, 'wasm');
    assert.equal(m.createdAt, 1_700_000_000_000);
    assert.equal(m.config.model.kind, 'dense');
    assert.equal(m.checksum, trained.model.meta.checksum);
  });

  const corruptions = [
    { name: 'a flipped weight byte', code: 'model_corrupt', mutate: (b: Buffer) => { b.writeUInt8(b.readUInt8(b.length - 3) ^ 0xff, b.length - 3); } },
    { name: 'a flipped header byte', code: 'model_corrupt', mutate: (b: Buffer) => { b.writeUInt8(b.readUInt8(60) ^ 0x01, 60); } },
    { name: 'a wrong checksum', code: 'model_corrupt', mutate: (b: Buffer) => { b.writeUInt8(b.readUInt8(8) ^ 0x01, 8); } },
    { name: 'bad magic', code: 'model_corrupt', mutate: (b: Buffer) => { b.write('XXXX', 0); } },
    { name: 'a newer format version', code: 'model_incompatible', mutate: (b: Buffer) => { b.writeUInt32BE(99, 4); } },
  ];
  for (const c of corruptions) {
    it(`refuses ${c.name} with ${c.code}`, async () => {
      const b = Buffer.from(bytes);
      c.mutate(b);
      await assert.rejects(parseArtifact(b, 'test artifact'), (e: Error) => isCode(c.code)(e) && e.message.startsWith('test artifact'));
    });
  }

  it('refuses a model that cannot score with model_invalid, though its checksum is right', async () => {
    const r = await trainSmall({ kind: 'dense', epochs: 1 });
    const good = await serialiseArtifact(r.model);
    // NaN in one weight (written by the trainer, so the checksum matches)
    const w = r.model.net.weights[1];
    assert.ok(w);
    const original = w.read().clone();
    w.write(tf.tidy(() => original.add(tf.scalar(Number.NaN))));
    const nanWeights = await serialiseArtifact(r.model);
    w.write(original);
    await assert.rejects(parseArtifact(nanWeights, 'nan artifact'), (e: Error) => isCode('model_invalid')(e) && /cannot score: weight .* holds NaN/.test(e.message));
    // a non-finite threshold (JSON writes NaN as null)
    const meta = r.model.meta;
    const saved = meta.thresholds.model.value;
    meta.thresholds.model.value = Number.NaN;
    const nanThreshold = await serialiseArtifact(r.model);
    meta.thresholds.model.value = saved;
    await assert.rejects(parseArtifact(nanThreshold), (e: Error) => isCode('model_invalid')(e) && /threshold is null/.test(e.message));
    // huge weights: finite each, but the reconstruction overflows
    const huge = r.model.net.weights.map((v) => v.read().clone());
    for (const v of r.model.net.weights) v.write(tf.tidy(() => tf.onesLike(v.read()).mul(tf.scalar(1e30))));
    const overflow = await serialiseArtifact(r.model);
    r.model.net.weights.forEach((v, i) => v.write(huge[i] as tf.Tensor));
    await assert.rejects(parseArtifact(overflow), (e: Error) => isCode('model_invalid')(e) && /reconstruction of a probe window/.test(e.message));
    const before = tf.memory().numTensors;
    (await parseArtifact(good)).dispose();
    assert.equal(tf.memory().numTensors, before, 'a good one still loads; refusals leak no tensors');
    r.model.dispose();
  });

  it('refuses a truncated artifact', async () => {
    await assert.rejects(parseArtifact(bytes.subarray(0, bytes.length - 100)), isCode('model_corrupt'));
    await assert.rejects(parseArtifact(bytes.subarray(0, 20)), isCode('model_corrupt'));
  });

  it('releases every tensor on dispose', async () => {
    const before = tf.memory().numTensors;
    const loaded = await parseArtifact(bytes);
    tf.tidy(() => {
      loaded.encode(tf.zeros([2, 64]) as tf.Tensor2D);
    });
    loaded.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  it('the windows used in these tests are 16 × 4', () => {
    assert.equal(syntheticWindows({ sensors: 1, windowsPerSensor: 1 })[0]?.samples.length, 64);
  });
});
