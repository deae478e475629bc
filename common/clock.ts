// The one clock type: services take `clock?: Clock` (tests pass a fake one);
// pure code takes the time as a plain `now: number` argument instead.

export interface Clock {
  /** ms since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
