// The quality gate (pure): a candidate replaces the current model only if its
// error on the same held-out windows is not worse than the current model's by
// more than trainer.promotionMargin. retrain.ts applies it, for the trainer
// service and for eval's retrainings alike.
export const rejectReasons = ['worse_than_current', 'not_enough_windows', 'training_failed'] as const;
export type RejectReason = (typeof rejectReasons)[number];

export type GateDecision =
  | { promote: true; reason: 'first_model' | 'not_worse'; candidateError: number; currentError: number | null }
  | { promote: false; reason: 'worse_than_current'; candidateError: number; currentError: number; limit: number };

/** Mean of the per-window errors (the held-out MSE). */
export function meanError(errors: readonly number[]): number {
  return errors.length === 0 ? Number.NaN : errors.reduce((a, b) => a + b, 0) / errors.length;
}

export function qualityGate(candidateError: number, currentError: number | null, margin: number): GateDecision {
  if (currentError === null || !Number.isFinite(currentError)) {
    return { promote: true, reason: 'first_model', candidateError, currentError: null };
  }
  const limit = currentError * (1 + margin);
  if (candidateError <= limit) return { promote: true, reason: 'not_worse', candidateError, currentError };
  return { promote: false, reason: 'worse_than_current', candidateError, currentError, limit };
}
