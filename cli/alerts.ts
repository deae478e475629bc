// `sensorwatch alerts tail`: the alerts topic as JSON lines; `sensorwatch alerts mark`: an operator's verdict (alerts-mark.ts).
import { runMark } from './alerts-mark.ts';
import { alertsUsage, runTail } from './tail-command.ts';
import { alertsKind } from './tail.ts';

export const run = (argv: string[]): Promise<number> => (argv[0] === 'mark' ? runMark(argv.slice(1)) : runTail(alertsKind, argv, alertsUsage));
