import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkRecords, createChunkAssembler, parseRecord, pointerRecord, type ChunkRef } from '../../../../../common/model/store/records.ts';

const artifact = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
const ref = { modelKey: 'pumps/north', version: 3, checksum: 'abc' };

function parsedChunks(chunkBytes: number): ChunkRef[] {
  return chunkRecords(artifact, ref, chunkBytes).map((r) => {
    const p = parseRecord(r.key, r.value, r.headers);
    assert.equal(p?.type, 'chunk');
    return (p as { chunk: ChunkRef }).chunk;
  });
}

describe('model-artifacts records', () => {
  const sizes = [
    { chunkBytes: 1000, chunks: 1 },
    { chunkBytes: 300, chunks: 4 },
    { chunkBytes: 1, chunks: 1000 },
    { chunkBytes: 4096, chunks: 1 },
  ];
  for (const s of sizes) {
    it(`splits ${artifact.length} bytes into ${s.chunks} chunk(s) of ≤ ${s.chunkBytes} and reassembles them in any order`, () => {
      const chunks = parsedChunks(s.chunkBytes);
      assert.equal(chunks.length, s.chunks);
      assert.ok(chunks.every((c) => c.bytes.length <= s.chunkBytes && c.modelKey === 'pumps/north' && c.version === 3));
      const asm = createChunkAssembler();
      const shuffled = [...chunks].reverse();
      const results = shuffled.map((c) => asm.add(c));
      assert.ok(results.slice(0, -1).every((r) => r === null));
      assert.deepEqual(results.at(-1)?.bytes, artifact);
    });
  }

  it('keys chunks <modelKey>/<version>/<chunk> and tolerates duplicates', () => {
    const records = chunkRecords(artifact, ref, 400);
    assert.deepEqual(records.map((r) => r.key), ['pumps/north/3/0', 'pumps/north/3/1', 'pumps/north/3/2']);
    const asm = createChunkAssembler();
    const chunks = parsedChunks(400);
    assert.equal(asm.add(chunks[0] as ChunkRef), null);
    assert.equal(asm.add(chunks[0] as ChunkRef), null);
    assert.equal(asm.add(chunks[1] as ChunkRef), null);
    assert.deepEqual(asm.add(chunks[2] as ChunkRef)?.bytes, artifact);
  });

  it('round-trips a current pointer', () => {
    const r = pointerRecord({ modelKey: 'pumps/north', version: 2, reason: 'rollback', at: 5 });
    assert.equal(r.key, 'pumps/north/current');
    assert.deepEqual(parseRecord(r.key, r.value, r.headers), { type: 'current', pointer: { modelKey: 'pumps/north', version: 2, reason: 'rollback', at: 5 } });
  });

  it('treats a tombstone as nothing', () => {
    assert.equal(parseRecord('k/1/0', null, {}), null);
  });

  const bad = [
    { name: 'no type header', key: 'k/1/0', headers: {} },
    { name: 'chunk index beyond total', key: 'k/1/5', headers: { 'sw-type': 'chunk', 'sw-chunks': '2', 'sw-size': '10', 'sw-checksum': 'x' } },
    { name: 'version 0', key: 'k/0/0', headers: { 'sw-type': 'chunk', 'sw-chunks': '1', 'sw-size': '10', 'sw-checksum': 'x' } },
    { name: 'non-numeric version', key: 'k/x/0', headers: { 'sw-type': 'chunk', 'sw-chunks': '1', 'sw-size': '10', 'sw-checksum': 'x' } },
    { name: 'pointer without version', key: 'k/current', headers: { 'sw-type': 'current' }, value: '{}' },
    { name: 'pointer not JSON', key: 'k/current', headers: { 'sw-type': 'current' }, value: 'nope' },
  ];
  for (const b of bad) {
    it(`refuses ${b.name} with bad_model_record naming the key`, () => {
      assert.throws(
        () => parseRecord(b.key, Buffer.from(b.value ?? 'x'), b.headers),
        (e: Error & { code?: string }) => e.code === 'bad_model_record' && e.message.includes(`'${b.key}'`),
      );
    });
  }
});
