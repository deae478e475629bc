import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { warmupPhase, type WarmupProgress } from '../../../../cli/demo/phase.ts';
import { warmupSeconds } from '../../../../cli/demo/trainer.ts';
import { defaultConfig } from '../../../../common/config/defaults.ts';

const base: WarmupProgress = { now: 60_000, scoring: false, windows: 0, minWindows: 200, windowsPerSecond: null, trainingSince: null, trainedAt: null };

describe('demo warm-up line', () => {
  const cases: [string, Partial<WarmupProgress>, string][] = [
    ['no windows yet, no rate', {}, 'warming up: 0 of 200 windows for the first model, then training'],
    ['windows arriving: the time left at that rate', { windows: 50, windowsPerSecond: 7.5 }, 'warming up: 50 of 200 windows for the first model, enough in about 20 s, then training'],
    ['enough windows, the trainer not started yet', { windows: 230, windowsPerSecond: 7.5 }, 'warming up: 200 of 200 windows, training starts in a moment'],
    ['training: how long so far, not a guess', { windows: 260, trainingSince: 41_000 }, 'training the first model (19 s so far)'],
    ['trained, the scorer not ready yet', { windows: 300, trainingSince: 41_000, trainedAt: 58_000 }, 'first model trained; the scorer is loading it'],
    ['scoring', { scoring: true, trainingSince: 41_000, trainedAt: 58_000 }, 'scoring'],
  ];
  for (const [name, p, want] of cases) it(name, () => assert.equal(warmupPhase({ ...base, ...p }), want));

  it("the time-to-windows estimate is what the simulator's rate gives (the quiet start builds on it)", () => {
    // 6 sensors × 20 Hz / hop 16 = 7.5 windows/s: 200 windows in 26.7 s, after the first window (64 × 50 ms + 2 s lateness).
    assert.equal(warmupSeconds(defaultConfig), Math.ceil(5.2 + 200 / 7.5));
  });
});
