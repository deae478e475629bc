// Does a broker answer metadata requests? Used to wait for a starting broker
// and by `sensorwatch kafka status`. One short-lived admin client per probe.
import { Kafka, logLevel } from 'kafkajs';

export interface ProbeResult {
  ok: boolean;
  brokers?: number;
  controller?: number | null;
  error?: string;
}

export async function probeBrokers(brokers: string[], timeoutMs = 2000): Promise<ProbeResult> {
  const kafka = new Kafka({
    clientId: 'sensorwatch-probe',
    brokers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return { ok: true, brokers: cluster.brokers.length, controller: cluster.controller };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
