// The coalescing producer against a fake kafkajs producer: one request at a
// time, records handed over meanwhile go together in the next request, no
// request over the size limit, a failure rejects only the sends it carried.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Producer } from '../../../common/kafka/types.ts';
import { chunkRecords, serialisedProducer } from '../../../ingest/producer.ts';

interface Request {
  topics: Record<string, string[]>;
  release(error?: Error): void;
}

/** A producer whose requests stay in flight until the test releases them. */
function fakeProducer(): { producer: Producer; requests: Request[]; inFlight(): number } {
  const requests: Request[] = [];
  let inFlight = 0;
  const sendBatch = (batch: { topicMessages?: { topic: string; messages: { value: Buffer | string | null }[] }[] }): Promise<[]> =>
    new Promise((resolve, reject) => {
      inFlight++;
      const topics: Record<string, string[]> = {};
      for (const t of batch.topicMessages ?? []) topics[t.topic] = t.messages.map((m) => String(m.value));
      requests.push({
        topics,
        release: (error) => {
          inFlight--;
          if (error === undefined) resolve([]);
          else reject(error);
        },
      });
    });
  return { producer: { sendBatch } as unknown as Producer, requests, inFlight: () => inFlight };
}

const rec = (v: string) => ({ key: 'k', value: Buffer.from(v) });
const settle = () => new Promise((r) => setImmediate(r));

describe('serialisedProducer', () => {
  it('keeps one request in flight and coalesces what arrives meanwhile into the next', async () => {
    const fake = fakeProducer();
    const out = serialisedProducer(fake.producer);
    const a = out.send('w', [rec('a1'), rec('a2')]);
    const b = out.send('w', [rec('b1')]);
    const c = out.send('dl', [rec('c1')]);
    await settle();
    assert.equal(fake.requests.length, 1, 'the first send goes alone; the others wait');
    assert.deepEqual(fake.requests[0]?.topics, { w: ['a1', 'a2'] });
    fake.requests[0]?.release();
    await a;
    await settle();
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.inFlight(), 1);
    assert.deepEqual(fake.requests[1]?.topics, { w: ['b1'], dl: ['c1'] }, 'both waiting sends in one request, by topic');
    let bDone = false;
    void b.then(() => (bDone = true));
    await settle();
    assert.equal(bDone, false, 'not resolved before its acknowledgement');
    fake.requests[1]?.release();
    await Promise.all([b, c]);
  });

  it('splits requests at the size limit and resolves a send only when all its chunks are acknowledged', async () => {
    const fake = fakeProducer();
    const out = serialisedProducer(fake.producer, 200); // each record counts 64 + its bytes
    const big = out.send('w', [rec('x'.repeat(50)), rec('y'.repeat(50)), rec('z'.repeat(50))]);
    let done = false;
    void big.then(() => (done = true));
    for (let i = 0; i < 3; i++) {
      await settle();
      assert.equal(fake.requests.length, i + 1);
      assert.equal(done, false);
      fake.requests[i]?.release();
    }
    await big;
    assert.deepEqual(
      fake.requests.map((r) => r.topics.w?.length),
      [1, 1, 1],
    );
  });

  it('a failed request rejects the sends it carried; later sends still go', async () => {
    const fake = fakeProducer();
    const out = serialisedProducer(fake.producer);
    const a = out.send('w', [rec('a')]);
    const b = out.send('w', [rec('b')]);
    await settle();
    fake.requests[0]?.release(new Error('broker said no'));
    await assert.rejects(a, /broker said no/);
    await settle();
    fake.requests[1]?.release();
    await b;
    assert.deepEqual(fake.requests[1]?.topics, { w: ['b'] });
  });

  it('sending nothing resolves at once without a request', async () => {
    const fake = fakeProducer();
    await serialisedProducer(fake.producer).send('w', []);
    assert.equal(fake.requests.length, 0);
  });
});

describe('chunkRecords', () => {
  it('cuts at the byte limit, never leaves a chunk empty, keeps order', () => {
    const records = ['aaaa', 'bb', 'cccccc', 'd'].map(rec);
    const chunks = chunkRecords(records, 64 * 2 + 6);
    assert.deepEqual(chunks.map((c) => c.records.map((r) => r.value.toString())), [['aaaa', 'bb'], ['cccccc'], ['d']]);
    assert.deepEqual(chunkRecords([rec('x'.repeat(1000))], 100).length, 1, 'an oversized record goes alone');
  });
});
