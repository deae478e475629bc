// The demo's trainer: the real trainer service, which trains the first model
// as soon as the windows topic holds trainer.minWindows windows (as it does
// when run by hand), so that a newcomer sees scoring within a minute instead
// of after the first scheduled round; and an estimate of when that will be.
import type { Registry } from 'prom-client';
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

export async function startDemoTrainer(ctx: { config: Config; log: Logger; registry: Registry; brokers: string[]; onFatal: (err: unknown) => void }): Promise<DemoTrainer> {
  // The trainer trains the first model itself as soon as minWindows windows exist (trainer/first-model.ts).
  const trainer = await startTrainer({ config: ctx.config, log: ctx.log, registry: ctx.registry, brokers: ctx.brokers, scheduled: true, onFatal: ctx.onFatal });
  return { warmupSeconds: warmupSeconds(ctx.config), stop: () => trainer.stop() };
}
