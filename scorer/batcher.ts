// Micro-batching: items (windows) from any number of callers are gathered into
// batches of at most `maxSize`, and a batch never waits more than `maxWaitMs`
// after its first item arrived (nor at all once a caller says it has added
// everything it has: cutSoon). Batches run one at a time, in arrival order,
// so per-sensor order is kept and a model swap can happen between batches.
// Each add() resolves with that item's result once its batch has been handled
// (or rejects with the batch's error), which is what lets the Kafka consumer
// commit only after the alerts of its windows are acknowledged.
export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/**
 * setTimeout, except that a wait of 0 (cutSoon) is setImmediate: the next
 * turn of the event loop, right after the I/O callbacks of this one, instead
 * of Node's 1 ms minimum timeout (and the timers phase that follows it).
 */
export const realTimer: Timer = {
  set: (fn, ms) => (ms <= 0 ? { immediate: setImmediate(fn) } : setTimeout(fn, ms)),
  clear: (handle) => {
    if (typeof handle === 'object' && handle !== null && 'immediate' in handle) clearImmediate((handle as { immediate: ReturnType<typeof setImmediate> }).immediate);
    else clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export interface BatchLimits {
  maxSize: number;
  maxWaitMs: number;
}

export interface BatcherOptions<T, R> {
  /** Read on every add, so a reloaded config applies to the next batch. */
  limits: () => BatchLimits;
  /** Handles one batch; must return one result per item, in order. */
  handle: (items: T[]) => Promise<R[]>;
  timer?: Timer;
}

export interface Batcher<T, R> {
  add(item: T): Promise<R>;
  /** Sends whatever is pending now and resolves when every batch so far is handled. */
  flush(): Promise<void>;
  /**
   * The caller has added everything it has for now (a consumer batch): cut on
   * the next turn of the event loop (setImmediate), after the other callers of
   * this turn (partitions fetched together) added theirs, instead of waiting
   * out maxWaitMs.
   */
  cutSoon(): void;
  /** Items waiting for a batch (not counting the batch being handled). */
  pending(): number;
}

interface Entry<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export function createBatcher<T, R>(options: BatcherOptions<T, R>): Batcher<T, R> {
  const timer = options.timer ?? realTimer;
  let waiting: Entry<T, R>[] = [];
  let handle: unknown = null;
  let chain: Promise<void> = Promise.resolve();

  const cut = (): void => {
    if (handle !== null) {
      timer.clear(handle);
      handle = null;
    }
    const max = Math.max(1, options.limits().maxSize);
    while (waiting.length > 0) {
      const batch = waiting.slice(0, max);
      waiting = waiting.slice(max);
      chain = chain.then(() => run(batch));
    }
  };

  const run = async (batch: Entry<T, R>[]): Promise<void> => {
    try {
      const results = await options.handle(batch.map((e) => e.item));
      if (results.length !== batch.length) throw new Error(`batch handler returned ${results.length} results for ${batch.length} items`);
      batch.forEach((e, i) => e.resolve(results[i] as R));
    } catch (error) {
      for (const e of batch) e.reject(error);
    }
  };

  return {
    add(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        const { maxSize, maxWaitMs } = options.limits();
        if (waiting.length >= maxSize || maxWaitMs <= 0) cut();
        else if (handle === null) handle = timer.set(cut, maxWaitMs);
      });
    },
    flush(): Promise<void> {
      cut();
      return chain;
    },
    cutSoon(): void {
      if (waiting.length === 0) return;
      if (handle !== null) timer.clear(handle);
      handle = timer.set(cut, 0);
    },
    pending: () => waiting.length,
  };
}
