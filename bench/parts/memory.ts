// Part 4: memory. A long scoring run watching RSS and the tfjs tensor count
// (which must not grow), then many small per-sensor models loaded through the
// product's artifact path to get the memory cost of one model.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import type { Logger } from '../../common/log.ts';
import { parseArtifact, serialiseArtifact, type LoadedModel } from '../../common/model/artifact.ts';
import { initBackend } from '../../common/model/backend.ts';
import { scoreWindows } from '../../common/model/score.ts';
import type { SignalWindow } from '../../common/types.ts';
import type { BackendName, MemorySection } from '../report.ts';
import { slope } from '../stats.ts';
import { benchModel, syntheticWindows } from './fixtures.ts';

export interface MemoryOptions {
  backend: BackendName;
  /** Windows scored in the long run. */
  scoringWindows: number;
  batchSize: number;
  /** Small per-sensor models loaded at once. */
  models: number;
  log: Logger;
}

/** A full GC when the runtime allows one, so RSS readings are comparable. */
function collectGarbage(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) return g();
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function rss(): number {
  collectGarbage();
  return process.memoryUsage().rss;
}

export async function benchMemory(options: MemoryOptions): Promise<MemorySection> {
  await initBackend(options.backend);
  const pool = syntheticWindows(options.batchSize * 4);
  const model = benchModel('dense', pool, options.backend);
  const batches = [0, 1, 2, 3].map((i) => pool.slice(i * options.batchSize, (i + 1) * options.batchSize));
  const calls = Math.max(8, Math.ceil(options.scoringWindows / options.batchSize));
  // Warm-up: the first calls allocate kernels and backend buffers for good.
  for (let i = 0; i < 4; i++) scoreWindows(model, batches[i % 4] ?? pool);
  const rssStart = rss();
  const tensorsStart = tf.memory().numTensors;
  const xs: number[] = [];
  const tensorSamples: number[] = [];
  const every = Math.max(1, Math.floor(calls / 50));
  for (let i = 0; i < calls; i++) {
    scoreWindows(model, batches[i % 4] ?? pool);
    if (i % every === 0) {
      xs.push(i);
      tensorSamples.push(tf.memory().numTensors);
    }
  }
  const tensorsEnd = tf.memory().numTensors;
  const rssEnd = rss();
  model.dispose();
  const tensorsFlat = tensorsEnd === tensorsStart && slope(xs, tensorSamples) === 0;
  options.log.info('bench memory: scoring run', { calls, tensorsStart, tensorsEnd, rssStart, rssEnd });

  const perModel = await memoryPerModel(options, pool);
  return {
    scorerWindows: calls * options.batchSize,
    scorerRssStartBytes: rssStart,
    scorerRssEndBytes: rssEnd,
    tensorsStart,
    tensorsEnd,
    tensorsFlat,
    modelsLoaded: options.models,
    bytesPerModel: perModel.rssPerModel,
    tensorBytesPerModel: perModel.tensorBytesPerModel,
    reason: null,
  };
}

/**
 * Loads `models` copies of one small model's artifact (what a scorer with one
 * model per sensor holds), each scoring one window so its weights are resident
 * on the backend, and divides the RSS growth by the count.
 */
async function memoryPerModel(
  options: MemoryOptions,
  pool: readonly SignalWindow[],
): Promise<{ rssPerModel: number; tensorBytesPerModel: number }> {
  // A per-sensor model: one small hidden layer and code, same window shape.
  const template = benchModel('dense', pool, options.backend, { hidden: [32], codeSize: 8, seed: 99 });
  const artifact = await serialiseArtifact(template);
  template.dispose();

  const loaded: LoadedModel[] = [];
  const one = pool.slice(0, 1);
  const rssBefore = rss();
  const bytesBefore = tf.memory().numBytes;
  for (let i = 0; i < options.models; i++) {
    const m = await parseArtifact(artifact, `bench model ${i}`);
    scoreWindows(m, one);
    loaded.push(m);
  }
  const rssAfter = rss();
  const bytesAfter = tf.memory().numBytes;
  for (const m of loaded) m.dispose();
  options.log.info('bench memory: per-model', { models: options.models, rssBefore, rssAfter, bytesBefore, bytesAfter });
  return {
    rssPerModel: (rssAfter - rssBefore) / options.models,
    tensorBytesPerModel: (bytesAfter - bytesBefore) / options.models,
  };
}
