// The demo's per-second rates: pure. Counters move in batches (a consumer batch
// of readings lands at once), so a rate over a short interval jumps: the stop
// tick that Ctrl-C brings comes a fraction of a second after the last one, and
// one batch over 0.05 s read as 9,000 readings/s. A rate is taken over the last
// `spanMs` of samples, never over less than `minSpanMs`.

export interface CounterSample {
  t: number;
  readings: number;
  /** Windows scored, and windows ingest published (what the first model waits for). */
  scored: number;
  windows: number;
}

export interface Rates {
  readingsPerSecond: number | null;
  windowsPerSecond: number | null;
  windowsPublishedPerSecond: number | null;
}

export interface RateWindow {
  /** Adds a sample (time ms, counter totals) and returns the rates it gives. */
  add(sample: CounterSample): Rates;
}

export function rateWindow(opts: { spanMs: number; minSpanMs: number } = { spanMs: 5000, minSpanMs: 1000 }): RateWindow {
  let samples: CounterSample[] = [];
  return {
    add(sample) {
      samples.push(sample);
      // Keep what the span needs, plus the newest sample older than it (a base when ticks are sparse).
      let oldest = -1;
      samples.forEach((s, i) => {
        if (s.t <= sample.t - opts.spanMs) oldest = i;
      });
      if (oldest > 0) samples = samples.slice(oldest);
      return ratesOver(samples, sample, opts);
    },
  };
}

/** Rates from the oldest sample within `spanMs` of `now` (or the newest one at least `minSpanMs` old, if older) to `now`. */
export function ratesOver(samples: readonly CounterSample[], now: CounterSample, opts: { spanMs: number; minSpanMs: number }): Rates {
  const inSpan = samples.find((s) => s.t >= now.t - opts.spanMs && now.t - s.t >= opts.minSpanMs);
  const base = inSpan ?? [...samples].reverse().find((s) => now.t - s.t >= opts.minSpanMs);
  if (base === undefined) return { readingsPerSecond: null, windowsPerSecond: null, windowsPublishedPerSecond: null };
  const dt = (now.t - base.t) / 1000;
  return { readingsPerSecond: (now.readings - base.readings) / dt, windowsPerSecond: (now.scored - base.scored) / dt, windowsPublishedPerSecond: (now.windows - base.windows) / dt };
}
