// Is the broker reachable, as readiness sees it (pure; the clock is passed in).
// A service whose broker has been gone for `notReadyAfterMs` is not ready:
// /healthz says so, and a load balancer or orchestrator stops counting on it,
// although the process is alive (/livez) and will carry on once the broker is back.

export interface BrokerHealthReport {
  reachable: boolean;
  /** 0 while reachable. */
  unreachableForMs: number;
  lastError?: string;
}

export interface BrokerHealth {
  /** A check reached the broker at `at` (ms). */
  ok(at: number): void;
  /** A check failed at `at`. */
  failed(at: number, error: string): void;
  /** False once no check has reached the broker for notReadyAfterMs (0: always true). */
  ready(now: number): boolean;
  report(now: number): BrokerHealthReport;
}

export function createBrokerHealth(options: { notReadyAfterMs: number; startedAt: number }): BrokerHealth {
  // Reachable at start-up: the service connected before it was started.
  let lastOkAt = options.startedAt;
  let failing = false;
  let lastError: string | undefined;
  const unreachableFor = (now: number): number => (failing ? Math.max(0, now - lastOkAt) : 0);
  return {
    ok(at) {
      lastOkAt = Math.max(lastOkAt, at);
      failing = false;
      lastError = undefined;
    },
    failed(_at, error) {
      failing = true;
      lastError = error;
    },
    ready: (now) => options.notReadyAfterMs === 0 || unreachableFor(now) < options.notReadyAfterMs,
    report: (now) => ({ reachable: !failing, unreachableForMs: unreachableFor(now), ...(lastError === undefined ? {} : { lastError }) }),
  };
}
