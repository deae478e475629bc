// First models: a model key without a model does not wait for the schedule.
// The trainer trains it as soon as the windows topic holds trainer.minWindows
// usable windows for it (the demo and a service run by hand alike). Pure: which
// keys a first-model round trains, and how many windows the topic must hold
// before another look can find a key ready.
import type { TrainReport } from './report.ts';

/** trainer.minWindows: one number, or per model key (sensor types: each type's own). */
export type MinWindows = number | ((modelKey: string) => number);
const minOf = (m: MinWindows, key: string): number => (typeof m === 'number' ? m : m(key));

export interface FirstModelPlan {
  /** Keys without a model and with enough windows: trained now. */
  train: string[];
  /** Keys without a model that still lack windows (no warning: the schedule is not late). */
  waiting: { modelKey: string; windows: number }[];
}

/** Keys that already have a model are left to the schedule. */
export function firstModelPlan(windowsPerKey: ReadonlyMap<string, number>, hasModel: (modelKey: string) => boolean, minWindows: MinWindows): FirstModelPlan {
  const plan: FirstModelPlan = { train: [], waiting: [] };
  for (const [modelKey, windows] of windowsPerKey) {
    if (hasModel(modelKey)) continue;
    if (windows >= minOf(minWindows, modelKey)) plan.train.push(modelKey);
    else plan.waiting.push({ modelKey, windows });
  }
  return plan;
}

/**
 * After a first-model round over `total` windows: the total to wait for before
 * the next round, or null when no key is left without a model. A key's windows
 * grow no faster than the topic's, so the least that a waiting key lacks is the
 * earliest any can be ready; a key whose training failed tries again on
 * minWindows newer windows.
 */
export function nextFirstRoundAt(total: number, reports: readonly TrainReport[], minWindows: MinWindows): number | null {
  const lacking = reports.flatMap((r) => {
    const min = minOf(minWindows, r.modelKey);
    if (r.outcome === 'skipped') return [Math.max(1, min - r.windows)];
    if (r.outcome === 'failed' || r.outcome === 'rejected') return [min];
    return [];
  });
  return lacking.length === 0 ? null : total + Math.min(...lacking);
}
