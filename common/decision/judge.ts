// One window through every step that leads to its alerts: the sensor's policy
// (per-sensor overrides), the fault rules, the new-sample extremes, decide()
// and the judged error's channel terms. Pure. The scorer's engine, eval's
// backtest and replay (what-if) call it, so the service and eval judge alike.
//
// A window is judged from its samples (the fault verdict, against the model's
// training flat runs, and the extremes are worked out here), or, replaying a scored history that kept no samples, from
// what was recorded of it when it was first judged (its verdict and extremes).
import { newSampleExtremes, type WindowExtremes } from '../calibration/ranges.ts';
import type { Config } from '../config/types.ts';
import type { SignalWindow } from '../types.ts';
import { decide, type Decision, type SensorState } from './decide.ts';
import { detectFault, flatRunsFor, type FaultVerdict } from './faults.ts';
import { policyFor } from './policy.ts';
import type { ModelRef, WindowErrors } from './score.ts';

/** A window judged before: its identity, fault verdict and new-sample extremes (absent: the new-extreme rule is not applied). */
export interface RecordedWindow extends Pick<SignalWindow, 'sensorId' | 'seq' | 'start' | 'end'> {
  fault: FaultVerdict | null;
  extremes?: WindowExtremes | undefined;
}

export interface JudgeInput {
  window: SignalWindow | RecordedWindow;
  /** What the model said of it; the per-channel terms (common/model/score.ts) name the alert's channels, absent: it names none. */
  errors: WindowErrors & { contributions?: readonly number[]; stepContributions?: readonly number[] };
  /** The model that scored it, with its channels (the order of the channel terms and of the extremes). */
  model: ModelRef & { channels: readonly string[] };
  /** Event time of the window's end (ms); absent: window.end (eval with row keys passes the row's time). */
  time?: number;
  /** The policy's source; windowing.hop is the stream's hop (the samples each window adds: 1 in eval). */
  config: Pick<Config, 'scorer' | 'thresholds' | 'windowing'>;
}

export interface Judgement extends Decision {
  /** The window's fault verdict and new-sample extremes: what a replay of it needs (RecordedWindow). */
  fault: FaultVerdict | null;
  extremes: WindowExtremes | undefined;
}

export function judgeWindow(state: SensorState, input: JudgeInput): Judgement {
  const { window, errors, model, config } = input;
  const policy = policyFor(config, window.sensorId);
  const recorded = !('samples' in window);
  const fault = recorded ? window.fault : detectFault(window, policy.faults, flatRunsFor(model.calibration.calibration.flatRuns, window.sensorId, model.channels));
  const extremes = recorded ? window.extremes : newSampleExtremes(window, model.channels, policy.hop);
  const { contributions, stepContributions } = errors;
  const decision = decide(state, {
    window,
    errors,
    model: { key: model.key, version: model.version, calibration: model.calibration },
    policy,
    fault,
    ...(input.time === undefined ? {} : { time: input.time }),
    ...(extremes === undefined ? {} : { extremes }),
    ...(contributions === undefined || stepContributions === undefined ? {} : { channels: { names: model.channels, window: contributions, step: stepContributions, top: config.scorer.topChannels } }),
  });
  return { ...decision, fault, extremes };
}
