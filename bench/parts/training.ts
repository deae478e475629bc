// Part 2: training throughput through the product's trainModel, per backend,
// against the same dense autoencoder trained in Keras on the same windows.
import { defaultConfig } from '../../common/config/defaults.ts';
import type { Logger } from '../../common/log.ts';
import { initBackend } from '../../common/model/backend.ts';
import { toBatch } from '../../common/model/score.ts';
import { defaultTrainingStep, type TrainingStep, trainingSteps, trainModel } from '../../common/model/train.ts';
import { runKerasReference } from '../reference/keras.ts';
import type { PythonEnv } from '../reference/python.ts';
import { emptyTraining, type BackendName, type ModelCase, type TrainingProduction, type TrainingRow, type TrainingSection } from '../report.ts';
import { median, ratio } from '../stats.ts';
import { benchModel, benchModelConfig, channels, syntheticWindows, windowLength } from './fixtures.ts';

export interface TrainingOptions {
  backends: BackendName[];
  models: ModelCase[];
  windows: number;
  batchSize: number;
  /** Epochs run; the first is dropped from the rate (kernel set-up, tracing) on both sides. */
  epochs: number;
  kerasTimeoutMs: number;
  /** The production case (default config, 20,000 windows × 100 epochs in the full run), or null to leave it out. */
  production: { windows: number; epochs: number } | null;
  /** Also time the other steps (the layers-API step before issue 21, the fast or the WebAssembly one) on the first backend. Default true. */
  compareLayersStep?: boolean;
  python: PythonEnv | null;
  pythonReason: string | null;
  log: Logger;
}

/** The step trainModel runs for a model case under `step`: the WebAssembly step is dense-only (conv takes the fast step). */
export function stepFor(step: TrainingStep, kind: ModelCase): TrainingStep {
  return step === 'wasm' && kind !== 'dense' ? 'fast' : step;
}

/** Training windows per second of each epoch after the first, from cumulative epoch end times. */
export function epochRates(trainWindows: number, elapsedSeconds: readonly number[]): number[] {
  const rates: number[] = [];
  for (let i = 1; i < elapsedSeconds.length; i++) {
    const dt = (elapsedSeconds[i] as number) - (elapsedSeconds[i - 1] as number);
    if (dt > 0) rates.push(trainWindows / dt);
  }
  return rates;
}

/**
 * The production case of issue 21: the default model config (kind, sizes,
 * batch, learning rate) on `windows` windows for every one of `epochs` epochs
 * (early stopping off), timed end to end as the trainer would run it.
 */
export async function productionCase(backend: BackendName, plan: { windows: number; epochs: number }, log: Logger): Promise<TrainingProduction> {
  await initBackend(backend);
  const base = defaultConfig.model;
  const config = { ...base, training: { ...base.training, epochs: plan.epochs, patience: plan.epochs + 1 } };
  const windows = syntheticWindows(plan.windows);
  const started = performance.now();
  const result = await trainModel({ windows, config, thresholds: { ...defaultConfig.thresholds }, modelKey: 'bench-production', version: 1, backend });
  const wallSeconds = (performance.now() - started) / 1000;
  const trainWindows = result.meta.dataRange.trainWindows;
  const production: TrainingProduction = {
    backend,
    kind: config.kind,
    windows: plan.windows,
    trainWindows,
    epochs: result.meta.metrics.epochs,
    batchSize: config.training.batchSize,
    wallSeconds,
    windowsPerSec: (trainWindows * result.meta.metrics.epochs) / wallSeconds,
    valLoss: result.meta.metrics.valLoss,
  };
  result.model.dispose();
  log.info('bench training production case', { ...production });
  return production;
}

export async function benchTraining(options: TrainingOptions): Promise<TrainingSection> {
  if (options.backends.length === 0) return emptyTraining('no tfjs backend could be initialised');
  const epochs = Math.max(2, options.epochs);
  const windows = syntheticWindows(options.windows);
  const validationFraction = defaultConfig.model.training.validationFraction;
  const rows: TrainingRow[] = [];
  for (const [b, backend] of options.backends.entries()) {
    await initBackend(backend);
    for (const kind of options.models) {
      // The step trainModel takes for this kind everywhere; the other steps beside it on the first backend.
      const production = stepFor(defaultTrainingStep, kind);
      const others = trainingSteps.filter((s) => s !== production && stepFor(s, kind) === s);
      const steps: TrainingRow['step'][] = b === 0 && options.compareLayersStep !== false ? [production, ...others] : [production];
      for (const step of steps) {
        const base = benchModelConfig(kind);
        // Early stopping off (patience > epochs) so every epoch runs and is timed.
        const config = { ...base, training: { ...base.training, batchSize: options.batchSize, epochs, patience: epochs + 1 } };
        const elapsed: number[] = [];
        const result = await trainModel({
          windows,
          config,
          thresholds: { ...defaultConfig.thresholds },
          modelKey: `bench-${kind}`,
          version: 1,
          backend,
          stepImplementation: step,
          onEpoch: (p) => elapsed.push(p.elapsedSeconds),
        });
        const trainWindows = result.meta.dataRange.trainWindows;
        result.model.dispose();
        // Timing starts at trainModel's entry, so epoch 1 also holds data preparation: dropped.
        const rate = median(epochRates(trainWindows, elapsed));
        rows.push({ backend, model: kind, step, production: step === production, batchSize: options.batchSize, windowsPerSec: rate, epochs });
        options.log.info('bench training', { backend, model: kind, step, windowsPerSec: Math.round(rate) });
      }
    }
  }
  let best: TrainingRow | null = null;
  for (const row of rows) if (row.model === 'dense' && row.production === true && (best === null || row.windowsPerSec > best.windowsPerSec)) best = row;
  const production = options.production === null || best === null ? null : await productionCase(best.backend, options.production, options.log);
  // Every null figure says why (the Keras reasons below are added to this one).
  const productionReason = production !== null ? null : options.production === null ? 'the production case is left out of this run (--quick)' : 'no dense row of the production step to run the production case on';
  const section: TrainingSection = { rows, best, production, keras: null, kerasRatio: null, reason: productionReason };
  const because = (why: string): string => (productionReason === null ? why : `${productionReason}; ${why}`);

  if (options.python === null) {
    section.reason = because(`Keras reference not run: ${options.pythonReason ?? 'no python3'}`);
    return section;
  }
  if (options.python.tensorflow === null) {
    section.reason = because(`Keras reference not run: ${options.python.tensorflowReason ?? 'TensorFlow for Python is missing'}`);
    return section;
  }
  const first = options.backends[0] as BackendName;
  await initBackend(first);
  const model = benchModel('dense', windows, first);
  try {
    const keras = await runKerasReference(model.net, { windowLength, channels: channels.length }, toBatch(model, windows), {
      python: options.python.python,
      batchSize: options.batchSize,
      epochs,
      learningRate: benchModelConfig('dense').training.learningRate,
      validationFraction,
      timeoutMs: options.kerasTimeoutMs,
    });
    section.keras = [{ model: 'dense', batchSize: keras.batchSize, windowsPerSec: keras.windowsPerSec, epochs: keras.epochs }];
    section.kerasRatio = ratio(best?.windowsPerSec ?? null, keras.windowsPerSec);
  } catch (error) {
    section.reason = because(`Keras reference failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    model.dispose();
  }
  return section;
}
