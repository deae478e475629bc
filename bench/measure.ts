// Throughput measurement: warm-up, then repeats of "run until at least minMs
// has passed", reporting the median rate. The clock is injected so the
// arithmetic is unit-testable.
import { median } from './stats.ts';

export interface MeasureOptions {
  /** Calls made before timing starts (JIT, kernel compilation, caches). */
  warmupCalls: number;
  /** Timed repeats; the median is reported. */
  repeats: number;
  /** Each repeat runs the operation until at least this long has passed. */
  minMs: number;
  /** Upper bound on calls in one repeat (keeps quick runs quick). */
  maxCallsPerRepeat?: number;
  now?: () => number;
}

export interface Throughput {
  /** Median over repeats of items per second. */
  perSec: number;
  /** Every repeat's items per second, in run order. */
  samples: number[];
  calls: number;
}

/**
 * Measures how many items per second `op` processes, where one call handles
 * `itemsPerCall` items (e.g. windows in a batch). `op` may be async.
 */
export async function measureThroughput(
  op: () => unknown,
  itemsPerCall: number,
  options: MeasureOptions,
): Promise<Throughput> {
  const now = options.now ?? (() => performance.now());
  const maxCalls = options.maxCallsPerRepeat ?? Number.POSITIVE_INFINITY;
  // Only real promises are awaited: awaiting a plain value still costs a
  // microtask turn, which shows up at batch size 1.
  for (let i = 0; i < options.warmupCalls; i++) {
    const result = op();
    if (result instanceof Promise) await result;
  }
  const samples: number[] = [];
  let calls = 0;
  for (let r = 0; r < options.repeats; r++) {
    let n = 0;
    const t0 = now();
    let elapsed = 0;
    do {
      const result = op();
      if (result instanceof Promise) await result;
      n++;
      elapsed = now() - t0;
    } while (elapsed < options.minMs && n < maxCalls);
    calls += n;
    samples.push(elapsed > 0 ? (n * itemsPerCall * 1000) / elapsed : Number.POSITIVE_INFINITY);
  }
  return { perSec: median(samples), samples, calls };
}
