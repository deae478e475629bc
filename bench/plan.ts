// How much work each mode does. --quick is a smoke run (about a minute, tiny
// counts, no installs); the full run is what docs/performance.md reports.
import type { MeasureOptions } from './measure.ts';
import type { ModelCase } from './report.ts';

export interface BenchPlan {
  mode: 'quick' | 'full';
  scoring: { batchSizes: number[]; models: ModelCase[]; measure: MeasureOptions; blas: { minSeconds: number; repeats: number; timeoutMs: number } };
  training: {
    windows: number;
    batchSize: number;
    epochs: number;
    models: ModelCase[];
    kerasTimeoutMs: number;
    /** The production case (default model config, every epoch run), or null to leave it out. */
    production: { windows: number; epochs: number } | null;
  };
  kafka: { readings: number; sensors: number; loads: number[]; processes: (1 | 2)[]; latencyOnly: boolean; repeats: number; loadSeconds: number; warmupSeconds: number; modelEpochs: number; perfToolTimeoutMs: number };
  memory: { scoringWindows: number; batchSize: number; models: number };
  /** May pip-install numpy / a CPU TensorFlow into .cache/bench-venv. */
  installNumpy: boolean;
  installTensorflow: boolean;
  installTimeoutMs: number;
}

export function planFor(mode: 'quick' | 'full'): BenchPlan {
  const quick = mode === 'quick';
  return {
    mode,
    scoring: {
      batchSizes: [1, 64, 1024],
      models: ['dense', 'conv'],
      measure: quick
        ? { warmupCalls: 1, repeats: 1, minMs: 100, maxCallsPerRepeat: 2000 }
        : { warmupCalls: 3, repeats: 5, minMs: 2000 },
      blas: quick ? { minSeconds: 0.15, repeats: 1, timeoutMs: 60_000 } : { minSeconds: 2, repeats: 5, timeoutMs: 300_000 },
    },
    training: quick
      ? { windows: 256, batchSize: 64, epochs: 2, models: ['dense'], kerasTimeoutMs: 120_000, production: null }
      : { windows: 4096, batchSize: 64, epochs: 4, models: ['dense', 'conv'], kerasTimeoutMs: 600_000, production: { windows: 20_000, epochs: 100 } },
    kafka: quick
      ? { readings: 10_000, sensors: 50, loads: [20_000], processes: [1, 2], latencyOnly: false, repeats: 1, loadSeconds: 2, warmupSeconds: 0, modelEpochs: 1, perfToolTimeoutMs: 120_000 }
      : { readings: 300_000, sensors: 500, loads: [5_000, 20_000, 50_000], processes: [1, 2], latencyOnly: false, repeats: 3, loadSeconds: 20, warmupSeconds: 3, modelEpochs: 10, perfToolTimeoutMs: 300_000 },
    memory: quick ? { scoringWindows: 20_000, batchSize: 256, models: 100 } : { scoringWindows: 1_000_000, batchSize: 256, models: 1000 },
    installNumpy: !quick,
    installTensorflow: !quick,
    installTimeoutMs: 15 * 60_000,
  };
}
