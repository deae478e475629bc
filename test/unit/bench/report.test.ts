import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emptyKafka,
  emptyMemory,
  emptyScoring,
  emptyTraining,
  missingKeys,
  renderReport,
  requiredKeys,
  type BenchReport,
} from '../../../bench/report.ts';

function report(): BenchReport {
  const unavailable = { available: false, version: null, reason: 'not installed' };
  return {
    version: 1,
    mode: 'quick',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationSec: 3,
    command: 'sensorwatch bench --quick',
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      totalMemoryBytes: 1 << 30,
      os: 'Linux',
      node: 'v20.0.0',
      tfjs: '4.22.0',
      backends: { tensorflow: unavailable, wasm: { available: true, version: '4.22.0', reason: null }, cpu: { available: true, version: '4.22.0', reason: null } },
      python: null,
      numpy: null,
      blas: null,
      pythonTensorflow: null,
      loadAverage: [0.5, 0.4, 0.3],
    },
    scoring: emptyScoring('no python'),
    training: emptyTraining('no keras'),
    kafka: emptyKafka('no broker'),
    memory: emptyMemory('skipped'),
  };
}

describe('missingKeys', () => {
  it('finds nothing missing in a report whose parts could not run (null counts as present)', () => {
    assert.deepEqual(missingKeys(report()), []);
  });
  const cases: { name: string; value: unknown; want: string[] }[] = [
    { name: 'not an object', value: 42, want: [...requiredKeys] },
    { name: 'a section without its key', value: { ...report(), kafka: { latency: [] } }, want: ['kafka.ingestRatio', 'kafka.latencyP99Ms', 'kafka.latencyApartP99Ms'] },
    { name: 'a null section', value: { ...report(), scoring: null }, want: ['scoring.blasRatio'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(missingKeys(c.value), c.want));
  it('survives a JSON round trip (undefined would not)', () => {
    assert.deepEqual(missingKeys(JSON.parse(JSON.stringify(report()))), []);
  });
});

describe('renderReport', () => {
  it('shows reasons, misses and rows', () => {
    const r = report();
    r.scoring = {
      ...emptyScoring(''),
      reason: null,
      rows: [{ backend: 'wasm', model: 'dense', batchSize: 1024, windowsPerSec: 30000 }],
      blas: [{ batchSize: 1024, windowsPerSec: 100000, threads: 'default' }],
      blasRatio: 0.3,
      batch1Ratio: 0.6,
      blasMaxAbsDiff: 1e-6,
    };
    r.kafka = { ...emptyKafka('x'), reason: null, latency: [
        { repeat: 1, processes: 1, offeredPerSec: 20000, achievedPerSec: 19990, windows: 100, p50Ms: 5, p95Ms: 20, p99Ms: 150, maxMs: 200, generatorP50Ms: 1, generatorP99Ms: 3, eventLoopDelayP99Ms: 12, ingestP50Ms: 2, ingestP99Ms: 40, windowBunching: 16, stages: [] },
        { repeat: 1, processes: 2, offeredPerSec: 20000, achievedPerSec: 19980, windows: 100, p50Ms: 4, p95Ms: 15, p99Ms: 90, maxMs: 120, generatorP50Ms: 1, generatorP99Ms: 3, eventLoopDelayP99Ms: 8, ingestP50Ms: 2, ingestP99Ms: 30, windowBunching: 1.1, stages: [{ stage: 'reading due → scorer fetched', windows: 100, p50Ms: 2, p99Ms: 9, slowestMeanMs: 9 }] },
      ],
      latencyP99Ms: 150,
      latencyApartP99Ms: 90,
    };
    const text = renderReport(r);
    assert.match(text, /scoring\.blasRatio \(batch 1024\) +\| 0\.3 +\| ≥ 1 +\| MISSED/);
    assert.match(text, /scoring\.batch1Ratio \(batch 1 ÷ numpy\) +\| 0\.6 +\| ≥ 0\.5 +\| met/);
    assert.match(text, /kafka\.latencyP99Ms \(20k\/s\) +\| 150 +\| ≤ 50 +\| MISSED/);
    assert.match(text, /kafka\.latencyApartP99Ms 20k\/s +\| 90 +\| ≤ 50 +\| MISSED/);
    assert.match(text, /\| 20,000 +\| 2 +\| 1 +\| 19,980 +\|.*\| 1\.1 +\|$/m);
    assert.match(text, /training\.kerasRatio +\| — +\| ≥ 1 +\| n\/a/);
    assert.match(text, /\| dense +\| wasm +\| 1024 +\| 30,000 +\|/);
    assert.match(text, /numpy\/BLAS \(default\)/);
    assert.match(text, /Note: no keras/);
    assert.match(text, /tensorflow unavailable \(not installed\)/);
  });

  it('judges the targets of issue 21: a p99 of exactly 50 ms is met, a batch-1024 ratio under 1 is not, a batch-1 ratio not measured is n/a', () => {
    const r = report();
    r.kafka = { ...emptyKafka('x'), reason: null, latencyP99Ms: 50, latencyApartP99Ms: 50.5 };
    r.scoring = { ...emptyScoring(''), reason: null, blasRatio: 0.99 };
    const text = renderReport(r);
    assert.match(text, /kafka\.latencyP99Ms \(20k\/s\) +\| 50 +\| ≤ 50 +\| met/);
    assert.match(text, /kafka\.latencyApartP99Ms 20k\/s +\| 50\.5 +\| ≤ 50 +\| MISSED/);
    assert.match(text, /scoring\.blasRatio \(batch 1024\) +\| 0\.99 +\| ≥ 1 +\| MISSED/);
    assert.match(text, /scoring\.batch1Ratio \(batch 1 ÷ numpy\) +\| — +\| ≥ 0\.5 +\| n\/a/);
  });

  it('shows the layers step (for comparison) apart from the production (fast) one, and the production case', () => {
    const r = report();
    const row = { backend: 'tensorflow' as const, model: 'dense' as const, batchSize: 64, epochs: 4 };
    r.training = {
      ...emptyTraining(''),
      reason: null,
      rows: [
        { ...row, step: 'fast', windowsPerSec: 20000 },
        { ...row, step: 'layers', windowsPerSec: 8000 },
      ],
      production: { backend: 'tensorflow', kind: 'dae', windows: 20000, trainWindows: 16000, epochs: 100, batchSize: 64, wallSeconds: 123.4, windowsPerSec: 12966, valLoss: 0.0123 },
      keras: [{ model: 'dense', batchSize: 64, windowsPerSec: 16000, epochs: 4 }],
      kerasRatio: 1.25,
    };
    const text = renderReport(r);
    assert.match(text, /\| dense +\| tensorflow +\| 64 +\| 20,000 +\|/);
    assert.match(text, /\| dense +\| tensorflow \(layers step, for comparison\) +\| 64 +\| 8000 +\|/);
    assert.match(text, /Production case: dae .* 20000 windows \(16000 trained on\), 100 epochs, batch 64, tensorflow: 123\.4 s wall/);
  });

  it('names the step of each training row: the production one plain or by name, the others as comparisons', () => {
    const r = report();
    const row = { backend: 'tensorflow' as const, model: 'dense' as const, batchSize: 64, epochs: 4 };
    r.training = {
      ...emptyTraining(''),
      reason: null,
      rows: [
        { ...row, step: 'wasm', production: true, windowsPerSec: 25000 },
        { ...row, step: 'fast', production: false, windowsPerSec: 10000 },
        { ...row, step: 'layers', production: false, windowsPerSec: 5000 },
      ],
    };
    const text = renderReport(r);
    assert.match(text, /\| dense +\| tensorflow \(wasm step\) +\| 64 +\| 25,000 +\|/);
    assert.match(text, /\| dense +\| tensorflow \(fast step, for comparison\) +\| 64 +\| 10,000 +\|/);
    assert.match(text, /\| dense +\| tensorflow \(layers step, for comparison\) +\| 64 +\| 5000 +\|/);
  });
});
