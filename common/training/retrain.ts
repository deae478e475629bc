// One retraining of one model key, as the issue tells it: enough clean
// windows → train a candidate → score it and the current model on the same
// held-out windows → promote only if it is not worse by more than the margin.
// No Kafka, no filesystem: the trainer service does the I/O around it, and
// eval's backtest replays it (eval/backtest.ts), so both train alike.
import type { Config } from '../config/types.ts';
import type { LoadedModel, OffsetRange } from '../model/artifact.ts';
import { scoreWindows } from '../model/score.ts';
import { trainModel, type EpochProgress, type TrainResult } from '../model/train.ts';
import type { SignalWindow } from '../types.ts';
import { meanError, qualityGate, type GateDecision } from './gate.ts';

export interface RetrainInput {
  modelKey: string;
  windows: readonly SignalWindow[];
  /** scorer.faults: the flatline rule's epsilon, with which the training windows' flat runs are measured (absent: the default's). */
  config: Pick<Config, 'model' | 'thresholds' | 'trainer' | 'windowing'> & { scorer?: Pick<Config['scorer'], 'faults'> };
  /** The model in force for this key, or null for the first one. */
  current: LoadedModel | null;
  version: number;
  backend: string;
  offsets?: OffsetRange[];
  now?: () => number;
  onEpoch?: (p: EpochProgress) => unknown;
}

export type RetrainOutcome =
  | { outcome: 'skipped'; reason: 'not_enough_windows'; windows: number; minWindows: number }
  | { outcome: 'promoted' | 'rejected'; decision: GateDecision; trained: TrainResult; windows: number; currentNote?: string };

export async function retrain(input: RetrainInput): Promise<RetrainOutcome> {
  const { config } = input;
  if (input.windows.length < config.trainer.minWindows) {
    return { outcome: 'skipped', reason: 'not_enough_windows', windows: input.windows.length, minWindows: config.trainer.minWindows };
  }
  const trained = await trainModel({
    windows: input.windows,
    config: config.model,
    thresholds: config.thresholds,
    modelKey: input.modelKey,
    version: input.version,
    backend: input.backend,
    stepSamples: config.windowing.hop,
    ...(config.scorer === undefined ? {} : { flatlineEpsilon: config.scorer.faults.flatlineEpsilon }),
    ...(input.offsets === undefined ? {} : { offsets: input.offsets }),
    ...(input.now === undefined ? {} : { now: input.now }),
    ...(input.onEpoch === undefined ? {} : { onEpoch: input.onEpoch }),
  });
  const candidateError = meanError(trained.valErrors);
  let currentError: number | null = null;
  let currentNote: string | undefined;
  if (input.current !== null) {
    try {
      currentError = meanError(scoreWindows(input.current, trained.valWindows).map((s) => s.error));
    } catch (err) {
      // The current model cannot read these windows (channels or length changed): it cannot compete.
      currentNote = `current model v${input.current.meta.version} cannot score the new windows: ${(err as Error).message}`;
    }
  }
  const decision = qualityGate(candidateError, currentError, config.trainer.promotionMargin);
  const base = { decision, trained, windows: input.windows.length, ...(currentNote === undefined ? {} : { currentNote }) };
  return decision.promote ? { outcome: 'promoted', ...base } : { outcome: 'rejected', ...base };
}
