// The model store against the real broker: artifacts are chunked onto the
// compacted topic and reassembled; a corrupt version is refused while the
// previous one keeps serving; a new reader starts on the version in force;
// a rollback moves running readers back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeModelUpdated } from '../../../common/codec/records.ts';
import { createLogger } from '../../../common/log.ts';
import { serialiseArtifact, type LoadedModel, type ModelMeta } from '../../../common/model/artifact.ts';
import { initBackend } from '../../../common/model/backend.ts';
import { createModelCache } from '../../../common/model/store/cache.ts';
import { createModelFeed, type ModelFeed, type ModelRefusal } from '../../../common/model/store/feed.ts';
import { createModelPublisher, type ModelPublisher } from '../../../common/model/store/kafka.ts';
import { collectMessages, deleteTopics, testBrokers, testKafka, uniqueName, waitFor } from '../../support/kafka.ts';
import { trainSmall } from '../../unit/common/model/synthetic.ts';

const log = createLogger({ level: 'error' });
const chunkBytes = 4096;

describe('model store on Kafka', () => {
  let brokers: string[];
  let publisher: ModelPublisher;
  const topics = { modelArtifacts: uniqueName('it-artifacts'), models: uniqueName('it-models') };
  const cacheDir = mkdtempSync(join(tmpdir(), 'sw-feed-'));
  const artifacts = new Map<number, { bytes: Buffer; meta: ModelMeta }>();
  const feeds: ModelFeed[] = [];
  const served: LoadedModel[] = [];

  before(async () => {
    await initBackend('wasm');
    brokers = await testBrokers();
    // 4 KiB chunks: each ~15 KiB test artifact spans four records.
    publisher = await createModelPublisher(testKafka(brokers, 'it-publisher'), topics, { chunkBytes });
    for (const version of [1, 2, 3]) {
      const r = await trainSmall({ version, epochs: 1 });
      artifacts.set(version, { bytes: await serialiseArtifact(r.model), meta: r.model.meta });
      r.model.dispose();
    }
  });

  after(async () => {
    for (const f of feeds) await f.stop();
    for (const m of served) m.dispose();
    await publisher.close();
    await deleteTopics(brokers, [topics.modelArtifacts, topics.models]);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const startFeed = async (options: { cache?: boolean } = {}) => {
    const offered: LoadedModel[] = [];
    const refused: ModelRefusal[] = [];
    const feed = createModelFeed({
      kafka: testKafka(brokers, 'it-feed'),
      topics,
      log,
      ...(options.cache === true ? { cacheDir } : {}),
      onRefused: (r) => refused.push(r),
    });
    feeds.push(feed);
    await feed.start((m) => {
      offered.push(m);
      served.push(m);
    });
    return { offered, refused };
  };
  const art = (v: number) => artifacts.get(v) as { bytes: Buffer; meta: ModelMeta };

  it('publishes chunked, loads it, refuses a corrupt next version and keeps serving the previous one', async () => {
    assert.ok(art(1).bytes.length > 2 * chunkBytes, `artifact of ${art(1).bytes.length} bytes spans several chunks`);
    const event = await publisher.publish(art(1).bytes, art(1).meta);
    assert.equal(event.chunks, Math.ceil(art(1).bytes.length / chunkBytes));
    const live = await startFeed({ cache: true });
    assert.deepEqual(live.offered.map((m) => m.meta.version), [1]);
    assert.equal(live.offered[0]?.meta.checksum, art(1).meta.checksum);

    // v2 with one flipped byte in its weights: checksum mismatch.
    const corrupt = Buffer.from(art(2).bytes);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 10) ^ 0xff, corrupt.length - 10);
    await publisher.publish(corrupt, art(2).meta);
    const refusal = await waitFor(() => live.refused[0], { what: 'v2 to be refused', timeoutMs: 20_000 });
    assert.deepEqual({ version: refusal.version, code: refusal.code }, { version: 2, code: 'model_corrupt' });
    assert.deepEqual(live.offered.map((m) => m.meta.version), [1], 'v1 keeps serving');

    await publisher.publish(art(3).bytes, art(3).meta);
    await waitFor(() => live.offered.length === 2, { what: 'v3 to be offered', timeoutMs: 20_000 });
    assert.equal(live.offered[1]?.meta.version, 3);
    assert.deepEqual(await createModelCache(cacheDir).versions('default'), [1, 3], 'loaded versions cached, the corrupt one not');
  });

  it('a reader that starts later goes straight to the version in force; a rollback moves it back', async () => {
    const late = await startFeed();
    assert.deepEqual(late.offered.map((m) => m.meta.version), [3]);
    await publisher.point(art(1).meta, 2, art(1).bytes.length, 'rollback');
    await waitFor(() => late.offered.length === 2, { what: 'the rollback to reach the reader', timeoutMs: 20_000 });
    assert.equal(late.offered[1]?.meta.version, 1);
  });

  it('announces each version on the models topic as ModelUpdated (Avro)', async () => {
    const events = (await collectMessages({ brokers, topic: topics.models, count: 4 })).map((m) => decodeModelUpdated(m.value));
    assert.deepEqual(events.map((e) => e.version), [1, 2, 3, 1]);
    assert.equal(events[0]?.checksum, art(1).meta.checksum);
    assert.equal(events[0]?.kind, 'dense');
    assert.ok((events[0]?.threshold ?? 0) > 0);
  });
});
