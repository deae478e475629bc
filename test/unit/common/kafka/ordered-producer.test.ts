// The ordered producer against a fake Kafka producer: one request at a
// time, records handed over meanwhile go together in the next request, no
// request over the size limit; a transient failure retries the same request
// before anything behind it, a permanent one stops all later publishing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Producer } from '../../../../common/kafka/types.ts';
import { chunkRecords, createOrderedProducer, retryDelay } from '../../../../common/kafka/ordered-producer.ts';

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
async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), 'condition not reached');
}

describe('createOrderedProducer', () => {
  it('keeps one request in flight and coalesces what arrives meanwhile into the next', async () => {
    const fake = fakeProducer();
    const out = createOrderedProducer(fake.producer);
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

  it('sendTogether: several topics in one request, even behind a request in flight or queued records', async () => {
    const fake = fakeProducer();
    const out = createOrderedProducer(fake.producer, { maxRequestBytes: 300 }); // each record counts 64 + its key and value bytes
    const first = out.sendTogether([{ topic: 'alerts', records: [rec('a1')] }, { topic: 'states', records: [rec('s1')] }]);
    await settle();
    assert.deepEqual(fake.requests.map((r) => r.topics), [{ alerts: ['a1'], states: ['s1'] }], 'not the alerts alone with the states behind');
    const queued = out.send('w', [rec('x'.repeat(100))]);
    const second = out.sendTogether([{ topic: 'alerts', records: [rec('a2')] }, { topic: 'states', records: [rec('s2'), rec('s3')] }]);
    fake.requests[0]?.release();
    await first;
    await settle();
    // 'w' (165 bytes) and the three together (3 × 67) would pass 300: they start a request of their own (one by one, a2 and s2 would have fitted beside 'w', s3 not)
    assert.deepEqual(fake.requests[1]?.topics, { w: ['x'.repeat(100)] });
    fake.requests[1]?.release();
    await queued;
    await settle();
    assert.deepEqual(fake.requests[2]?.topics, { alerts: ['a2'], states: ['s2', 's3'] });
    fake.requests[2]?.release();
    await second;
  });

  it('splits requests at the size limit and resolves a send only when all its chunks are acknowledged', async () => {
    const fake = fakeProducer();
    const out = createOrderedProducer(fake.producer, { maxRequestBytes: 200 }); // each record counts 64 + its key and value bytes
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

  it('a transient failure sends the same request again before anything queued behind it', async () => {
    const fake = fakeProducer();
    const retries: number[] = [];
    const out = createOrderedProducer(fake.producer, { retryDelayMs: { initial: 1, max: 2 }, onRetry: (_e, info) => retries.push(info.attempt) });
    const a = out.send('w', [rec('a')]);
    await settle();
    const b = out.send('w', [rec('b')]);
    const down = Object.assign(new Error('connection refused'), { name: 'KafkaJSConnectionError', retriable: true });
    fake.requests[0]?.release(down);
    await waitFor(() => fake.requests.length === 2);
    assert.deepEqual(fake.requests[1]?.topics, { w: ['a'] }, 'the failed request again, alone: b does not overtake it');
    fake.requests[1]?.release(Object.assign(new Error('gave up'), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: down }));
    await waitFor(() => fake.requests.length === 3);
    assert.deepEqual(fake.requests[2]?.topics, { w: ['a'] });
    fake.requests[2]?.release();
    await a;
    await waitFor(() => fake.requests.length === 4);
    assert.deepEqual(fake.requests[3]?.topics, { w: ['b'] });
    fake.requests[3]?.release();
    await b;
    assert.deepEqual(retries, [1, 2]);
    assert.equal(out.failure(), null);
  });

  it('a permanent failure rejects its sends, every queued one and every later one: no hole can follow', async () => {
    const fake = fakeProducer();
    const out = createOrderedProducer(fake.producer);
    const a = out.send('w', [rec('a')]);
    await settle();
    const b = out.send('w', [rec('b')]);
    fake.requests[0]?.release(Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', retriable: false }));
    await assert.rejects(a, /keep the order.*too large/);
    await assert.rejects(b, /keep the order/);
    await assert.rejects(out.send('w', [rec('c')]), (e: Error & { code?: string }) => e.code === 'publish_failed');
    assert.equal(fake.requests.length, 1, 'nothing after the failed request was sent');
    assert.match(String(out.failure()?.message), /too large/);
  });

  it('close() stops retrying and rejects what waits', async () => {
    const fake = fakeProducer();
    const out = createOrderedProducer(fake.producer, { retryDelayMs: { initial: 60_000, max: 60_000 } });
    const a = out.send('w', [rec('a')]);
    await settle();
    fake.requests[0]?.release(Object.assign(new Error('timeout'), { name: 'KafkaJSRequestTimeoutError' }));
    await settle();
    out.close('shutting down');
    await assert.rejects(a, /shutting down/);
    assert.equal(fake.requests.length, 1);
  });

  it('settled() waits for what was handed over before the call, failures included', async () => {
    const fake = fakeProducer();
    const out = createOrderedProducer(fake.producer);
    const a = out.send('w', [rec('a')]);
    const b = out.send('w', [rec('b')]);
    let done = false;
    void out.settled().then(() => (done = true));
    await settle();
    fake.requests[0]?.release();
    await a;
    await settle();
    assert.equal(done, false, 'b is still in flight');
    fake.requests[1]?.release(Object.assign(new Error('no'), { name: 'KafkaJSProtocolError', retriable: false }));
    await assert.rejects(b);
    await waitFor(() => done);
    await out.settled();
    out.close('test');
  });

  it("settled() is scoped to its producer: another producer's publish in flight does not hold it", async () => {
    const mine = fakeProducer();
    const other = fakeProducer();
    const out = createOrderedProducer(mine.producer);
    const theirs = createOrderedProducer(other.producer);
    const a = out.send('w', [rec('a')]);
    const b = theirs.send('w', [rec('b')]);
    let done = false;
    void out.settled().then(() => (done = true));
    await settle();
    mine.requests[0]?.release();
    await a;
    await waitFor(() => done);
    assert.equal(other.requests.length, 1, 'the other producer is still waiting for its acknowledgement');
    other.requests[0]?.release();
    await b;
    out.close('test');
    theirs.close('test');
  });

  it('sending nothing resolves at once without a request', async () => {
    const fake = fakeProducer();
    await createOrderedProducer(fake.producer).send('w', []);
    assert.equal(fake.requests.length, 0);
  });
});

describe('chunkRecords', () => {
  it('cuts at the byte limit, never leaves a chunk empty, keeps order', () => {
    const records = ['aaaa', 'bb', 'cccccc', 'd'].map(rec);
    const chunks = chunkRecords(records, (64 + 1) * 2 + 6);
    assert.deepEqual(chunks.map((c) => c.records.map((r) => r.value.toString())), [['aaaa', 'bb'], ['cccccc'], ['d']]);
    assert.deepEqual(chunkRecords([rec('x'.repeat(1000))], 100).length, 1, 'an oversized record goes alone');
  });
});

describe('retryDelay', () => {
  it('doubles from the first pause up to the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 40].map((a) => retryDelay(a, { initial: 200, max: 1000 })), [200, 400, 800, 1000, 1000, 1000]);
  });
});
