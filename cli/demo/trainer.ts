// The demo's trainer: the real trainer service on its schedule, plus a first
// model as soon as the windows topic holds trainer.minWindows windows, so that a
// newcomer sees scoring within a minute instead of after the first scheduled
// round.
import type { Registry } from '../../common/service/metrics-registry.ts';
import type { Config } from '../../common/config/types.ts';
import type { Logger } from '../../common/log.ts';
import { startTrainer } from '../../trainer/service.ts';

export interface DemoTrainer {
  /** Roughly how long until the first model: the time to fill minWindows windows. */
  warmupSeconds: number;
  stop(): Promise<void>;
}

export function warmupSeconds(config: Config): number {
  const w = config.windowing;
  const windowsPerSecond = (config.simulator.sensors * config.simulator.rateHz) / w.hop;
  const firstWindow = (w.length * w.samplePeriodMs + w.allowedLatenessMs) / 1000;
  return Math.ceil(firstWindow + config.trainer.minWindows / windowsPerSecond);
}

async function windowsPublished(registry: Registry): Promise<number> {
  const metric = registry.getSingleMetric('sensorwatch_windows_published_total');
  if (metric === undefined) return 0;
  return (await metric.get()).values.reduce((s, v) => s + v.value, 0);
}

export async function startDemoTrainer(ctx: { config: Config; log: Logger; registry: Registry; brokers: string[]; onFatal: (err: unknown) => void }): Promise<DemoTrainer> {
  const trainer = await startTrainer({ config: ctx.config, log: ctx.log, registry: ctx.registry, brokers: ctx.brokers, scheduled: true, onFatal: ctx.onFatal });
  let stopped = false;
  const first = (async (): Promise<void> => {
    while (!stopped) {
      await new Promise((r) => setTimeout(r, 2000));
      if (stopped || (await windowsPublished(ctx.registry)) < ctx.config.trainer.minWindows) continue;
      const reports = await trainer.trainNow();
      if (reports.some((r) => r.outcome === 'promoted')) return;
      ctx.log.info('demo: first training round promoted nothing yet; trying again', { reports });
    }
  })().catch(ctx.onFatal);
  return {
    warmupSeconds: warmupSeconds(ctx.config),
    stop: async () => {
      stopped = true;
      await first;
      await trainer.stop();
    },
  };
}
