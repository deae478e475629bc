import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDeadLetterPublisher, deadLetterOf, type OutgoingRecord } from '../../../common/dead-letter.ts';
import { decodeDeadLetter } from '../../../common/codec/records.ts';

describe('dead-letter publisher', () => {
  it('publishes the original bytes, where they came from and why', async () => {
    const sent: { topic: string; records: readonly OutgoingRecord[] }[] = [];
    const publisher = createDeadLetterPublisher({ topic: 'dlq', producer: { send: async (topic, records) => void sent.push({ topic, records }) } });
    const cases = [
      { source: { topic: 'r', partition: 1, offset: '42', key: Buffer.from('s1'), value: Buffer.from([0xff, 0]) }, reason: 'bad_avro' as const },
      { source: { topic: 'r', partition: 0, offset: '7', key: null, value: null }, reason: 'unknown_format' as const },
    ];
    const letters = cases.map((c) => deadLetterOf(c.source, { stage: 'ingest', reason: c.reason, message: `m-${c.reason}`, now: 1000 }));
    await publisher.send(letters);
    await publisher.send([]); // nothing to send: no producer call
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.topic, 'dlq');
    const out = sent[0]?.records ?? [];
    assert.deepEqual(out.map((r) => r.key), [Buffer.from('s1'), null]);
    assert.deepEqual(out.map((r) => r.headers?.['dead-letter-reason']), ['bad_avro', 'unknown_format']);
    const decoded = out.map((r) => decodeDeadLetter(r.value));
    assert.deepEqual(
      decoded.map((d) => [d.sourceTopic, d.partition, d.offset, d.stage, d.reason, d.message, d.key, d.value, d.timestamp]),
      [
        ['r', 1, '42', 'ingest', 'bad_avro', 'm-bad_avro', Buffer.from('s1'), Buffer.from([0xff, 0]), 1000],
        ['r', 0, '7', 'ingest', 'unknown_format', 'm-unknown_format', null, Buffer.alloc(0), 1000],
      ],
    );
  });

  it('propagates a failed send so the caller does not commit', async () => {
    const publisher = createDeadLetterPublisher({ topic: 'dlq', producer: { send: async () => Promise.reject(new Error('broker down')) } });
    const letter = deadLetterOf({ topic: 'r', partition: 0, offset: '1', key: null, value: Buffer.from('x') }, { stage: 'ingest', reason: 'bad_json', message: 'm', now: 0 });
    await assert.rejects(publisher.send([letter]), /broker down/);
  });
});

describe('dead letters too large to copy whole', () => {
  it('cut the value, keep its size and sha256, and say so; small ones stay whole', async () => {
    const { boundDeadLetter, createDeadLetterPublisher: publisherOf, deadLetterOf: letterOf, KEPT_BYTES_WHEN_CUT, MAX_DEAD_LETTER_BYTES } = await import('../../../common/dead-letter.ts');
    const { createHash } = await import('node:crypto');
    const huge = Buffer.alloc(2_096_990, 0x7b); // the 2 MiB JSON reading of issue 13
    const letter = letterOf({ topic: 'r', partition: 0, offset: '9', key: Buffer.from('s1'), value: huge }, { stage: 'ingest', reason: 'bad_json', message: 'not valid JSON', now: 1 });
    const { letter: bounded, cut } = boundDeadLetter(letter);
    assert.equal(cut, true);
    assert.equal(bounded.reason, 'bad_json', 'the reason stays what was wrong with the record');
    assert.deepEqual(bounded.value, huge.subarray(0, KEPT_BYTES_WHEN_CUT));
    const hash = createHash('sha256').update(huge).digest('hex');
    assert.match(bounded.message, new RegExp(`^not valid JSON \\[too large to dead-letter whole: value cut to its first 65536 of 2096990 bytes \\(sha256 ${hash}\\)\\]$`));
    const sent: OutgoingRecord[] = [];
    await publisherOf({ topic: 'dlq', producer: { send: async (_t, records) => void sent.push(...records) } }).send([letter]);
    assert.ok((sent[0]?.value.length ?? Infinity) < MAX_DEAD_LETTER_BYTES);
    assert.equal(sent[0]?.headers?.['dead-letter-value-cut'], `2096990 bytes, sha256 ${hash}`);
    assert.equal(decodeDeadLetter(sent[0]?.value ?? null).value.length, KEPT_BYTES_WHEN_CUT);
    const small = letterOf({ topic: 'r', partition: 0, offset: '9', key: null, value: Buffer.from('x') }, { stage: 'ingest', reason: 'bad_json', message: 'm', now: 1 });
    assert.equal(boundDeadLetter(small).letter, small);
  });
});
