// `sensorwatch dead-letters tail`: the dead-letter topic as JSON lines.
import { deadLettersUsage, runTail } from './tail-command.ts';
import { deadLettersKind } from './tail.ts';

export const run = (argv: string[]): Promise<number> => runTail(deadLettersKind, argv, deadLettersUsage);
