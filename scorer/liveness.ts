// Sensor liveness: when each sensor's last window arrived (processing time,
// from the injected clock: "silent" means nothing arrives now, which event time
// cannot tell), and which sensors have been silent for scorer.silentAfterMs.
// Pure bookkeeping: the service feeds it arrivals and asks it on a timer; the
// metrics drop the series of silent sensors without an open alert, and the
// decision layer raises `sensor_fault` `silent` for the silent ones.

export interface SilentSensor {
  sensorId: string;
  /** When its last window arrived, ms since the epoch. */
  lastSeenAt: number;
  /** now - lastSeenAt. */
  silentForMs: number;
}

export interface Liveness {
  /** A window of this sensor arrived at `at` (ms). */
  seen(sensorId: string, at: number): void;
  /** Sensors whose last window is silentAfterMs or more before `now`, longest silent first. */
  silentSince(now: number): SilentSensor[];
  isSilent(sensorId: string, now: number): boolean;
  lastSeenAt(sensorId: string): number | undefined;
  /** Stops tracking a sensor (decommissioned); it is tracked again on its next window. */
  forget(sensorId: string): void;
  /** Sensors tracked (seen at least once, not forgotten). */
  size(): number;
}

export function createLiveness(options: { silentAfterMs: () => number }): Liveness {
  const last = new Map<string, number>();
  const silentAt = (at: number, now: number): boolean => now - at >= options.silentAfterMs();
  return {
    seen(sensorId, at) {
      // Windows of one poll may be handled out of arrival order: keep the latest.
      const prev = last.get(sensorId);
      if (prev === undefined || at > prev) last.set(sensorId, at);
    },
    silentSince(now) {
      const out: SilentSensor[] = [];
      for (const [sensorId, at] of last) if (silentAt(at, now)) out.push({ sensorId, lastSeenAt: at, silentForMs: now - at });
      return out.sort((a, b) => a.lastSeenAt - b.lastSeenAt || (a.sensorId < b.sensorId ? -1 : 1));
    },
    isSilent(sensorId, now) {
      const at = last.get(sensorId);
      return at !== undefined && silentAt(at, now);
    },
    lastSeenAt: (sensorId) => last.get(sensorId),
    forget: (sensorId) => void last.delete(sensorId),
    size: () => last.size,
  };
}
