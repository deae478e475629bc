// Training windows from the simulator, without Kafka (`train --once --synthetic`):
// the same generator the demo feeds into ingest, windowed by the same code as
// ingest, with anomaly injection off so the model learns normal behaviour.
import type { Config } from '../common/config/types.ts';
import { windowOptions, windowsFromReadings } from '../common/window/index.ts';
import type { SignalWindow } from '../common/types.ts';
import { simulate } from '../ingest/simulate/generator.ts';

export function syntheticTrainingWindows(config: Config, seconds: number, startTime = Date.UTC(2026, 0, 1)): SignalWindow[] {
  const { readings } = simulate(
    {
      sensors: config.simulator.sensors,
      channels: config.windowing.channels,
      rateHz: config.simulator.rateHz,
      startTime,
      seed: config.simulator.seed,
      anomalyEverySeconds: 0,
    },
    seconds,
  );
  return windowsFromReadings(readings, windowOptions(config.windowing)).windows;
}
