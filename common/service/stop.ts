// Stopping within a bound: a service's stop is a list of named steps (stop
// consuming, flush the producer, close the admin client, the state store, the
// HTTP server …) run in order. Each step gets what is left of the budget (at
// least `minStepMs`); one that has not finished by then is left behind with a
// log line naming it, and the next step starts. A broker that went away and
// came back can leave a client waiting for minutes: a stop must still end.
import { systemClock, type Clock } from '../clock.ts';
import type { Logger } from '../log.ts';

export interface StopStep {
  /** What is being waited on, in the log line when it is given up on ("consumer", "producer flush"). */
  name: string;
  run(): Promise<unknown> | unknown;
}

export interface StopOptions {
  /** All the steps together, ms. */
  budgetMs: number;
  log: Logger;
  /** Each step gets at least this long, even past the budget; default 500 ms. */
  minStepMs?: number;
  /** Tests pass a fake one; default the system clock. */
  clock?: Clock;
}

export interface StopOutcome {
  /** Steps still running when their time was up. */
  gaveUpOn: string[];
  /** Steps that failed (logged). */
  failed: string[];
  tookMs: number;
}

/** Runs the steps in order, each bounded; never throws. */
export async function stopInSteps(steps: readonly StopStep[], options: StopOptions): Promise<StopOutcome> {
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const start = now();
  const deadline = start + options.budgetMs;
  const minStepMs = options.minStepMs ?? 500;
  const gaveUpOn: string[] = [];
  const failed: string[] = [];
  for (const step of steps) {
    const allowMs = Math.max(minStepMs, deadline - now());
    const began = now();
    let timer: NodeJS.Timeout | undefined;
    const running = Promise.resolve()
      .then(() => step.run())
      .then(
        () => 'done' as const,
        (error: unknown) => {
          options.log.warn('error while stopping', { step: step.name, error });
          return 'failed' as const;
        },
      );
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), allowMs)));
    const outcome = await Promise.race([running, timedOut]);
    clearTimeout(timer);
    if (outcome === 'failed') failed.push(step.name);
    if (outcome === 'timeout') {
      gaveUpOn.push(step.name);
      options.log.warn(`stop: still waiting for ${step.name} after ${allowMs} ms; going on without it`, { waitingFor: step.name, waitedMs: now() - began, budgetMs: options.budgetMs });
    }
  }
  return { gaveUpOn, failed, tookMs: now() - start };
}
