// The demo's trainer: the real trainer service, which trains the first model
// as soon as the windows topic holds trainer.minWindows windows (as it does
// when run by hand), so that a newcomer sees scoring within a minute instead
// of after the first scheduled round; and an estimate of when that will be.
import type { Registry } from '../../common/service/metrics-registry.ts';
import type { Config } from '../../common/config/types.ts';
import type { Logger } from '../../common/log.ts';
import { startTrainer } from '../../trainer/service.ts';

export interface DemoTrainer {
  /** Roughly how long until minWindows windows exist at the simulator's rate (training not included): the simulator's quiet start is this plus a margin. */
  warmupSeconds: number;
  /** When the first training round began, and when its model was promoted (ms since the epoch; null: not yet). */
  progress(): { trainingSince: number | null; trainedAt: number | null };
  stop(): Promise<void>;
}

export function warmupSeconds(config: Config): number {
  const w = config.windowing;
  const windowsPerSecond = (config.simulator.sensors * config.simulator.rateHz) / w.hop;
  const firstWindow = (w.length * w.samplePeriodMs + w.allowedLatenessMs) / 1000;
  return Math.ceil(firstWindow + config.trainer.minWindows / windowsPerSecond);
}

/** The sum of a counter's series in the registry (0 while it is not registered). */
async function total(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  return (await metric.get()).values.reduce((s, v) => s + v.value, 0);
}

export async function startDemoTrainer(ctx: { config: Config; log: Logger; registry: Registry; brokers: string[]; onFatal: (err: unknown) => void; minWindows?: number }): Promise<DemoTrainer> {
  // With sensor types: the windows all types need before their first models (their minWindows added up).
  const minWindows = ctx.minWindows ?? ctx.config.trainer.minWindows;
  // The trainer trains the first model itself as soon as minWindows windows exist (trainer/first-model.ts).
  const trainer = await startTrainer({ config: ctx.config, log: ctx.log, registry: ctx.registry, brokers: ctx.brokers, scheduled: true, onFatal: ctx.onFatal });
  let trainingSince: number | null = null;
  let trainedAt: number | null = null;
  // Progress for the summary, read off the metrics: training begins once
  // minWindows windows are published, and ends at the first promotion.
  const watch = setInterval(() => {
    void (async () => {
      const now = Date.now();
      if (trainingSince === null && (await total(ctx.registry, 'sensorwatch_windows_published_total')) >= minWindows) trainingSince = now;
      if (trainedAt === null && (await total(ctx.registry, 'sensorwatch_models_promoted_total')) > 0) {
        trainingSince ??= now;
        trainedAt = now;
        clearInterval(watch);
      }
    })().catch(ctx.onFatal);
  }, 1000);
  watch.unref();
  return {
    warmupSeconds: warmupSeconds(ctx.config),
    progress: () => ({ trainingSince, trainedAt }),
    stop: async () => {
      clearInterval(watch);
      await trainer.stop();
    },
  };
}
