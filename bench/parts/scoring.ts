// Part 1: scoring throughput in process (no Kafka) through the product's
// scoreWindows, for every backend, batch size and model case; the BLAS
// forward pass of the same dense weights as the reference.
import type { Logger } from '../../common/log.ts';
import { initBackend } from '../../common/model/backend.ts';
import { scoreWindows, toBatch } from '../../common/model/score.ts';
import type { SignalWindow } from '../../common/types.ts';
import * as tf from '@tensorflow/tfjs';
import { measureThroughput, type MeasureOptions } from '../measure.ts';
import { maxAbsDiff, runBlasReference } from '../reference/blas.ts';
import type { PythonEnv } from '../reference/python.ts';
import { emptyScoring, type BackendName, type ModelCase, type ScoringRow, type ScoringSection } from '../report.ts';
import { ratio } from '../stats.ts';
import { benchModel, channels, syntheticWindows, windowLength } from './fixtures.ts';

export interface ScoringOptions {
  backends: BackendName[];
  models: ModelCase[];
  batchSizes: number[];
  measure: MeasureOptions;
  python: PythonEnv | null;
  pythonReason: string | null;
  blas: { minSeconds: number; repeats: number; timeoutMs: number };
  log: Logger;
}

/** numpy and tfjs must agree this closely (float32, same weights) before the ratio is trusted. */
const agreementTolerance = 1e-3;

/** Consecutive, non-overlapping batches of `size` drawn from the pool, cycling. */
function batchesOf(pool: readonly SignalWindow[], size: number): SignalWindow[][] {
  const out: SignalWindow[][] = [];
  for (let at = 0; at + size <= pool.length; at += size) out.push(pool.slice(at, at + size));
  return out.length > 0 ? out : [pool.slice(0, size)];
}

export async function benchScoring(options: ScoringOptions): Promise<ScoringSection> {
  if (options.backends.length === 0) return emptyScoring('no tfjs backend could be initialised');
  const largest = Math.max(...options.batchSizes);
  const pool = syntheticWindows(Math.max(largest, 1024) * 2);
  const rows: ScoringRow[] = [];
  for (const backend of options.backends) {
    await initBackend(backend);
    for (const kind of options.models) {
      const model = benchModel(kind, pool, backend);
      try {
        for (const batchSize of options.batchSizes) {
          const batches = batchesOf(pool, batchSize);
          let i = 0;
          const t = await measureThroughput(() => scoreWindows(model, batches[i++ % batches.length] as SignalWindow[]), batchSize, options.measure);
          rows.push({ backend, model: kind, batchSize, windowsPerSec: t.perSec });
          options.log.info('bench scoring', { backend, model: kind, batchSize, windowsPerSec: Math.round(t.perSec) });
        }
      } finally {
        model.dispose();
      }
    }
  }
  const best = bestAt(rows, 'dense', largest);
  const section: ScoringSection = { rows, best, blas: null, blasMaxAbsDiff: null, blasRatio: null, batch1Ratio: null, reason: null };
  if (options.python === null) {
    section.reason = `BLAS reference not run: ${options.pythonReason ?? 'no python3 with numpy'}`;
    return section;
  }

  // The reference runs the same weights on the same normalised windows.
  const firstBackend = options.backends[0] as BackendName;
  await initBackend(firstBackend);
  const model = benchModel('dense', pool, firstBackend);
  try {
    const inputs = toBatch(model, pool);
    const blas = await runBlasReference(model.net, { windowLength, channels: channels.length }, inputs, {
      python: options.python.python,
      batchSizes: options.batchSizes,
      minSeconds: options.blas.minSeconds,
      repeats: options.blas.repeats,
      checkCount: 16,
      timeoutMs: options.blas.timeoutMs,
    });
    const ours = tf.tidy(() => model.reconstruct(tf.tensor2d(inputs.subarray(0, 16 * model.meta.windowLength * channels.length), [16, windowLength * channels.length])).dataSync());
    const diff = maxAbsDiff(ours, blas.check);
    section.blas = blas.results.map((r) => ({ batchSize: r.batchSize, windowsPerSec: r.windowsPerSec, threads: blas.threads }));
    section.blasMaxAbsDiff = diff;
    const reference = blas.results.find((r) => r.batchSize === largest)?.windowsPerSec ?? null;
    if (diff > agreementTolerance) {
      section.reason = `numpy and tfjs disagree on the same windows (max |Δ| ${diff.toExponential(2)} > ${agreementTolerance}): ratio withheld`;
    } else {
      section.blasRatio = ratio(best?.windowsPerSec ?? null, reference);
      section.batch1Ratio = ratio(bestAt(rows, 'dense', 1)?.windowsPerSec ?? null, blas.results.find((r) => r.batchSize === 1)?.windowsPerSec ?? null);
    }
  } catch (error) {
    section.reason = `BLAS reference failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    model.dispose();
  }
  return section;
}

/** The fastest row for a model case at one batch size, over all backends. */
export function bestAt(rows: readonly ScoringRow[], model: ModelCase, batchSize: number): ScoringRow | null {
  let best: ScoringRow | null = null;
  for (const row of rows) {
    if (row.model !== model || row.batchSize !== batchSize) continue;
    if (best === null || row.windowsPerSec > best.windowsPerSec) best = row;
  }
  return best;
}
