// The worker of the batched scoring pass (forward-threads.ts): it never keeps a
// process alive, stops at once when told, exits by itself when idle, and a
// later batch starts another; the scores never change on the way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { initBackend } from '../../../../common/model/backend.ts';
import { sharedKernel, sharedKernelModule, sharedMemory } from '../../../../common/model/dense-simd.ts';
import { residualSums } from '../../../../common/model/forward-block.ts';
import { denseForwardFor } from '../../../../common/model/forward-js.ts';
import { forwardThreads, forwardThreadsProblem, setForwardThreadsIdleExit, stopForwardThreads } from '../../../../common/model/forward-threads.ts';
import { scoreWindows } from '../../../../common/model/score.ts';
import type { TrainResult } from '../../../../common/model/train.ts';
import { createRng } from '../../../../common/rng.ts';
import { syntheticWindows, trainSmall } from './synthetic.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('the scoring worker', () => {
  let trained: TrainResult;
  const windows = syntheticWindows({ sensors: 4, windowsPerSensor: 60, seed: 5 });
  before(async () => {
    await initBackend('wasm');
    trained = await trainSmall({ epochs: 1 });
  });
  after(() => {
    stopForwardThreads();
    setForwardThreadsIdleExit(10_000);
    trained.model.dispose();
  });

  it('scores on two threads wherever the machine has two CPUs (shared WebAssembly memory), on one otherwise', () => {
    assert.equal(forwardThreads(), availableParallelism() >= 2 ? 2 : 1, forwardThreadsProblem() ?? 'the shared-memory kernel or SharedArrayBuffer is missing');
  });

  it('stops at once, exits when idle, and a later batch starts another, with the same scores', async () => {
    const reference = scoreWindows(trained.model, windows, { stepSamples: 2, threadsFrom: Number.POSITIVE_INFINITY });
    setForwardThreadsIdleExit(150);
    stopForwardThreads();
    const started = performance.now();
    assert.deepEqual(scoreWindows(trained.model, windows, { stepSamples: 2, threadsFrom: 64 }), reference);
    stopForwardThreads();
    assert.ok(performance.now() - started < 5_000, 'stop does not wait for the worker');
    assert.deepEqual(scoreWindows(trained.model, windows, { stepSamples: 2, threadsFrom: 64 }), reference);
    // Idle past the exit time: the worker has gone; the next batches run (the first possibly on one thread) and agree.
    await sleep(600);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(scoreWindows(trained.model, windows, { stepSamples: 2, threadsFrom: 64 }), reference);
      await sleep(20);
    }
    assert.equal(forwardThreadsProblem(), null);
    assert.ok(denseForwardFor(trained.model.net).forward !== null);
  });

  it('never keeps a process alive: a process that scored on two threads ends when its work does', () => {
    const script = `
      import { register } from 'tsx/esm/api';
      register();
      const { initBackend } = await import('./common/model/backend.ts');
      const { benchModel, syntheticWindows } = await import('./bench/parts/fixtures.ts');
      const { denseForwardFor } = await import('./common/model/forward-js.ts');
      const { scoreWindows } = await import('./common/model/score.ts');
      await initBackend('wasm');
      const pool = syntheticWindows(512);
      const model = benchModel('dense', pool, 'wasm');
      const scores = scoreWindows(model, pool, { stepSamples: 4 });
      const f = denseForwardFor(model.net).forward;
      const threads = f.scoreBatch({ n: 512, fill: (i, out, at) => out.fill(0.5, at, at + 512), windowLength: 64, channels: 8, stepSamples: 4, perChannel: new Float64Array(4096), newest: new Float64Array(4096), threads: 2 });
      console.log(JSON.stringify({ scored: scores.length, threads }));
    `;
    const started = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''} after ${seconds.toFixed(1)} s: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { scored: number; threads: number };
    assert.equal(out.scored, 512);
    assert.equal(out.threads, forwardThreads());
  });
});

describe('the residual kernel', () => {
  it('computes residualSums bit for bit: odd and even channel counts, S from 1 to L', () => {
    const module = sharedKernelModule();
    if (module === null) return;
    const memory = sharedMemory(4);
    const kernel = sharedKernel(module, memory);
    const heap = new Float32Array(memory.buffer);
    const heap64 = new Float64Array(memory.buffer);
    const rng = createRng(12);
    for (const [L, C] of [[64, 8], [15, 3], [7, 1], [5, 2], [9, 5]] as const) {
      for (const S of [1, 2, L - 1, L].filter((s) => s >= 1 && s <= L)) {
        const width = L * C;
        // x at 0, r after it (row-major [L][C]); noise after r so a lane read past the row is not a zero.
        for (let i = 0; i < 3 * width + 8; i++) heap[i] = rng.normal() * 3;
        const rAt = width;
        const p = new Float64Array(C);
        const q = new Float64Array(C);
        residualSums(heap, 0, heap, rAt, L, C, S, p, 0, q, 0);
        const pAt = 1024; // float64 index: 8 KiB in
        const qAt = pAt + C + 1;
        heap64.fill(-1, pAt, qAt + C + 1);
        kernel.residual(0, rAt * 4, L, C, S, pAt * 8, qAt * 8);
        assert.deepEqual(heap64.slice(pAt, pAt + C), p, `L ${L} C ${C} S ${S}: error shares`);
        assert.deepEqual(heap64.slice(qAt, qAt + C), q, `L ${L} C ${C} S ${S}: newest`);
        assert.equal(heap64[pAt + C], -1, 'nothing written past the last channel');
        assert.equal(heap64[qAt + C], -1, 'nothing written past the last channel');
      }
    }
  });
});
