// What one training run reports: the CLI's --json object, the service's log
// line and trainNow()'s result.
import type { ModelMeta } from '../common/model/artifact.ts';

export type RunOutcome = 'promoted' | 'rejected' | 'skipped' | 'failed';

export interface TrainReport {
  modelKey: string;
  outcome: RunOutcome;
  /** first_model | not_worse | worse_than_current | not_enough_windows | training_failed | key_moved (a rebalance gave the key to another replica) | saved (synthetic) */
  reason: string;
  version: number | null;
  kind: string | null;
  backend: string | null;
  windows: number;
  trainSeconds: number | null;
  valLoss: number | null;
  /** The current model's error on the candidate's held-out windows (quality gate). */
  currentValLoss: number | null;
  threshold: number | null;
  thresholdMethod: string | null;
  meanCodeActivation: number | null;
  epochs: number | null;
  checksum: string | null;
  error?: string;
}

export function reportOf(meta: ModelMeta, outcome: RunOutcome, reason: string, currentValLoss: number | null): TrainReport {
  return {
    modelKey: meta.modelKey,
    outcome,
    reason,
    version: meta.version,
    kind: meta.kind,
    backend: meta.backend,
    windows: meta.dataRange.windows,
    trainSeconds: meta.metrics.trainSeconds,
    valLoss: meta.metrics.valLoss,
    currentValLoss,
    threshold: meta.thresholds.model.value,
    thresholdMethod: meta.thresholds.model.method,
    meanCodeActivation: meta.metrics.meanCodeActivation,
    epochs: meta.metrics.epochs,
    checksum: meta.checksum === '' ? null : meta.checksum,
  };
}

export function emptyReport(modelKey: string, outcome: RunOutcome, reason: string, windows: number, error?: string): TrainReport {
  return {
    modelKey,
    outcome,
    reason,
    version: null,
    kind: null,
    backend: null,
    windows,
    trainSeconds: null,
    valLoss: null,
    currentValLoss: null,
    threshold: null,
    thresholdMethod: null,
    meanCodeActivation: null,
    epochs: null,
    checksum: null,
    ...(error === undefined ? {} : { error }),
  };
}
