// `sensorwatch alerts tail`: the alerts topic as JSON lines.
import { alertsUsage, runTail } from './tail-command.ts';
import { alertsKind } from './tail.ts';

export const run = (argv: string[]): Promise<number> => runTail(alertsKind, argv, alertsUsage);
