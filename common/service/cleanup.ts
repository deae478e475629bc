// The cleanup stack of a service: every resource is pushed with `undo(name, run)`
// as soon as it is acquired, and `run()` undoes them in reverse order, each step
// bounded (stop.ts). Used both at stop and when start-up fails half way, so a
// service that could not start leaves no client behind.
import type { Logger } from '../log.ts';
import { stopInSteps, type StopOutcome, type StopStep } from './stop.ts';

export interface CleanupStack {
  /** Adds a step; the steps run last added first. */
  undo(name: string, run: () => Promise<unknown> | unknown): void;
  /** Runs (and empties) the stack within budgetMs; never throws. */
  run(): Promise<StopOutcome>;
}

export function createCleanupStack(options: { log: Logger; budgetMs: number }): CleanupStack {
  const steps: StopStep[] = [];
  return {
    undo: (name, run) => void steps.push({ name, run }),
    run() {
      const now = steps.reverse().slice();
      steps.length = 0;
      return stopInSteps(now, { budgetMs: options.budgetMs, log: options.log });
    },
  };
}

/** Runs `start`; when it throws, runs the stack first, then rethrows. */
export async function orCleanUp<T>(stack: CleanupStack, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await stack.run();
    throw error;
  }
}
