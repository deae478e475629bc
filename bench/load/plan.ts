// Pure pacing arithmetic for the load generator: how many sensors tick how
// often to offer a given readings/s, and when each tick is due.

export interface PacePlan {
  /** Readings per tick: one per sensor. */
  sensors: number;
  /** Milliseconds between ticks (also each sensor's sample period). */
  tickMs: number;
  /** Ticks in the run. */
  ticks: number;
}

/**
 * Offered load = sensors × (1000 / tickMs). Sensors are chosen so each one
 * samples every `targetTickMs` or so (realistic per-sensor rates, batches of
 * a sensible size), then tickMs is solved exactly for the offered rate.
 */
export function pacePlan(readingsPerSec: number, seconds: number, targetTickMs = 20): PacePlan {
  if (!(readingsPerSec > 0)) throw new RangeError(`readings per second must be positive, got ${readingsPerSec}`);
  if (!(seconds > 0)) throw new RangeError(`seconds must be positive, got ${seconds}`);
  const sensors = Math.max(1, Math.round((readingsPerSec * targetTickMs) / 1000));
  const tickMs = (sensors * 1000) / readingsPerSec;
  return { sensors, tickMs, ticks: Math.max(1, Math.round((seconds * 1000) / tickMs)) };
}

/** Wall-clock time tick `i` is due, from the run's start: drift-free pacing. */
export function tickDue(start: number, plan: PacePlan, i: number): number {
  return start + i * plan.tickMs;
}
