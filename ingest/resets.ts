// Readings that never become windows must be loud: a window in progress that
// is dropped at a gap is counted per sensor and warned about, rate-limited,
// with the sensor and the cause ("readings 1000 ms apart, windowing.samplePeriodMs
// is 100", the sensor type's own setting in a fleet). The metric's sensor label
// is bounded: the first `maxSensors` sensors get their own series, later ones
// share sensor="_other".
import type { Logger } from '../common/log.ts';
import type { GapReset } from '../common/window/windower.ts';

export interface ResetMetrics {
  windowResets(sensor: string, count: number): void;
}

export interface ResetReporterOptions {
  log: Logger;
  metrics: ResetMetrics;
  /** Sensors with a series of their own; default 100. */
  maxSensors?: number;
  /** At most one warning per sensor this often, ms (wall clock); default 60000. */
  warnEveryMs?: number;
}

export interface ResetReporter {
  report(resets: readonly GapReset[], now: number): void;
}

/** Pure: why a run was dropped, in the operator's terms (the sensor type's settings, where it has one). */
export function describeReset(r: GapReset): string {
  const { samplePeriodMs, maxGapSamples } = r;
  const samples = Math.round(r.gapMs / samplePeriodMs) - 1;
  const of = r.sensorType === undefined || r.sensorType === 'default' ? '' : ` of sensor type ${r.sensorType}`;
  let text =
    `sensor ${r.sensorId}: ${r.dropped} sample(s) in progress dropped, no window: readings ${r.gapMs} ms apart at ${new Date(r.at).toISOString()}, ` +
    `windowing.samplePeriodMs${of} is ${samplePeriodMs} (a gap of ${samples} sample(s); at most ${maxGapSamples} are filled, windowing.maxGapSamples)`;
  if (r.gapMs > 0 && r.gapMs % 1000 === 0 && samplePeriodMs < 1000) text += '; readings a whole number of seconds apart: is the sensor sending at the configured rate?';
  return text;
}

export function createResetReporter(options: ResetReporterOptions): ResetReporter {
  const maxSensors = options.maxSensors ?? 100;
  const warnEveryMs = options.warnEveryMs ?? 60_000;
  const labelled = new Set<string>();
  const warned = new Map<string, number>();
  return {
    report(resets, now) {
      for (const r of resets) {
        if (!labelled.has(r.sensorId) && labelled.size < maxSensors) labelled.add(r.sensorId);
        options.metrics.windowResets(labelled.has(r.sensorId) ? r.sensorId : '_other', 1);
        const last = warned.get(r.sensorId);
        if (last !== undefined && now - last < warnEveryMs) continue;
        if (warned.size > 10_000) warned.clear();
        warned.set(r.sensorId, now);
        options.log.warn(describeReset(r), { sensorId: r.sensorId, ...(r.sensorType === undefined ? {} : { sensorType: r.sensorType }), gapMs: r.gapMs, dropped: r.dropped, at: r.at });
      }
    },
  };
}
