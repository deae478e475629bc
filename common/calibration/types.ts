// What a model's training leaves for the decision to calibrate against: the
// thresholds computed from its held-out errors and the errors, steps and value
// ranges themselves (stored in the artifact's metadata). Types only.
import type { ThresholdMethod } from '../config/types.ts';

export interface CalibratedThreshold {
  value: number;
  method: ThresholdMethod;
  /** What the value was computed from (quantile, mean/std, GPD fit …) and how many errors. */
  details: Record<string, number>;
}

/** What the model's held-out windows said about its errors: the raw-error thresholds' and the likelihood's seeds. */
export interface Calibration {
  errors: number[];
  perSensorErrors: Record<string, number[]>;
  /** Per channel: RMS residual over the held-out windows (normalised units, floored); absent in older models. */
  channelScale?: number[];
  /** Held-out per-step errors per sensor in time order (mean and max channel combination), taken over `stepSamples` newest samples. */
  steps?: { stepSamples: number; mean: Record<string, number[]>; max: Record<string, number[]> };
  /** Per sensor: each channel's lowest and highest value over the training windows (meta.channels order), the seed of the new-extreme rule; absent in older models. */
  ranges?: Record<string, { low: number[]; high: number[] }>;
  /**
   * Per sensor: each channel's longest run of unchanged values (within scorer.faults.flatlineEpsilon) inside one
   * training window (meta.channels order): a flatline fault needs a longer one; absent in older models.
   */
  flatRuns?: Record<string, number[]>;
}
