import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { areaOf, renderProfileSummary, summariseCpuProfile, type CpuProfile } from '../../../bench/profile.ts';

describe('areaOf', () => {
  const cases: { url: string; want: string }[] = [
    { url: 'file:///w/node_modules/kafkajs/src/protocol/decoder.js', want: 'kafkajs' },
    { url: 'file:///w/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js', want: '@tensorflow/tfjs-core' },
    { url: 'file:///w/main/common/codec/reading.ts', want: 'common/codec' },
    { url: 'file:///w/main/scorer/engine.ts', want: 'scorer' },
    { url: 'node:internal/streams/readable', want: 'node core' },
    { url: '', want: '(native / V8)' },
  ];
  for (const c of cases) it(c.url || '(empty)', () => assert.equal(areaOf(c.url), c.want));
});

describe('summariseCpuProfile', () => {
  const frame = (functionName: string, url: string): { functionName: string; url: string; lineNumber: number } => ({ functionName, url, lineNumber: 9 });
  const profile: CpuProfile = {
    startTime: 0,
    endTime: 10_000,
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('decode', 'file:///w/node_modules/avsc/lib/types.js') },
      { id: 3, callFrame: frame('handle', 'file:///w/main/ingest/pipeline.ts') },
      { id: 4, callFrame: frame('(garbage collector)', '') },
    ],
    // 3 samples in decode (1 ms each), 1 in handle, 1 in GC (2 ms)
    samples: [2, 2, 3, 2, 4],
    timeDeltas: [1000, 1000, 1000, 1000, 2000],
  };
  it('attributes self time by function and by area, largest first', () => {
    const s = summariseCpuProfile(profile);
    assert.equal(s.totalMs, 6);
    assert.deepEqual(
      s.functions.map((r) => [r.name, r.selfMs]),
      [
        ['decode avsc/lib/types.js:10', 3],
        ['(garbage collector)', 2],
        ['handle ingest/pipeline.ts:10', 1],
      ],
    );
    assert.deepEqual(
      s.areas.map((r) => [r.name, r.share]),
      [
        ['avsc', 0.5],
        ['(garbage collector)', 2 / 6],
        ['ingest', 1 / 6],
      ],
    );
  });
  it('keeps only the top N', () => assert.equal(summariseCpuProfile(profile, 1).functions.length, 1));
  it('renders tables', () => assert.match(renderProfileSummary(summariseCpuProfile(profile)), /\| avsc \| 3 \| 50\.0 % \|/));
});
