// Checks on a timer that the brokers answer a cluster metadata request and
// feeds broker-health.ts; logs the transitions (not ready / ready again) once each,
// when first seen (by a check or by a call of ready()).
// The check is probeBrokers (common/kafka/probe.ts): its own short-lived client,
// no retries, nothing logged, so a stopped service leaves no client behind.
// probeBrokers cannot do TLS or SASL yet: with kafka.ssl or a SASL mechanism
// the watch is off and readiness is the service's own.
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config/types.ts';
import { probeBrokers } from '../kafka/probe.ts';
import type { Logger } from '../log.ts';
import { createBrokerHealth, type BrokerHealthReport } from './broker-health.ts';

export interface BrokerWatch {
  ready(): boolean;
  report(): BrokerHealthReport;
  stop(): Promise<void>;
}

/** A third of the not-ready time, between 500 ms and 5 s. */
export function checkEveryMs(notReadyAfterMs: number): number {
  return Math.min(5000, Math.max(500, Math.floor(notReadyAfterMs / 3)));
}

export function watchBrokers(options: { config: Config; brokers: string[]; log: Logger; clock?: Clock }): BrokerWatch | undefined {
  const { kafka } = options.config;
  const notReadyAfterMs = kafka.unreachableNotReadyMs;
  if (notReadyAfterMs === 0) return undefined;
  if (kafka.ssl || kafka.sasl.mechanism !== 'none') {
    options.log.info('broker reachability is not part of /healthz with TLS or SASL (the check has no TLS/SASL client yet)');
    return undefined;
  }
  const clock = options.clock ?? systemClock;
  const now = (): number => clock.now();
  const health = createBrokerHealth({ notReadyAfterMs, startedAt: now() });
  const everyMs = checkEveryMs(notReadyAfterMs);
  // A loaded broker may be slow to answer; slow is not gone.
  const timeoutMs = Math.min(notReadyAfterMs, 5000);
  let inFlight: Promise<void> | null = null;
  let wasReady = true;

  // Readiness also changes with the clock alone (unreachable for long enough): the
  // transition is logged wherever it is first seen, a check or /healthz, so the
  // log never lags what /healthz answers.
  const observe = (): boolean => {
    const ready = health.ready(now());
    if (ready === wasReady) return ready;
    wasReady = ready;
    const report = health.report(now());
    if (ready) options.log.info('brokers reachable again: ready', { brokers: options.brokers });
    else options.log.warn(`brokers unreachable for ${report.unreachableForMs} ms (kafka.unreachableNotReadyMs ${notReadyAfterMs}): not ready`, { brokers: options.brokers, error: report.lastError });
    return ready;
  };
  const check = async (): Promise<void> => {
    const probe = await probeBrokers(options.brokers, timeoutMs);
    if (probe.ok) health.ok(now());
    else health.failed(now(), probe.error ?? 'no answer');
    observe();
  };
  const interval = setInterval(() => {
    inFlight ??= check().finally(() => (inFlight = null));
  }, everyMs);
  interval.unref();
  return {
    ready: observe,
    report: () => health.report(now()),
    async stop() {
      clearInterval(interval);
      await inFlight;
    },
  };
}
