// When the trainer runs next (pure): an interval ('30s', '10m', '1h', '1d') or a cron
// expression ('0 * * * *'), from trainer.schedule; config check runs this same parser.
import { CronExpressionParser } from 'cron-parser';
import { SensorwatchError } from '../errors.ts';

export interface Schedule {
  /** What the config said, for logs. */
  readonly text: string;
  /** The first run time strictly after `afterMs` (ms since the epoch). */
  next(afterMs: number): number;
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseSchedule(text: string): Schedule {
  const interval = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (interval !== null) {
    const ms = Number(interval[1]) * (units[interval[2] ?? ''] ?? Number.NaN);
    if (!(ms >= 1000)) {
      throw new SensorwatchError(`trainer.schedule '${text}' is shorter than 1s; use e.g. '10m'`, { code: 'config_invalid' });
    }
    return { text, next: (after) => after + ms };
  }
  try {
    const fields = text.trim().split(/\s+/).length;
    if (fields < 5 || fields > 6) throw new Error(`a cron expression has 5 or 6 fields, this has ${text.trim() === '' ? 0 : fields}`);
    const probe = CronExpressionParser.parse(text, { currentDate: new Date(0) });
    probe.next();
  } catch (err) {
    throw new SensorwatchError(
      `trainer.schedule '${text}' is neither an interval ('30s', '10m', '1h', '1d') nor a cron expression ('0 * * * *'): ${(err as Error).message}`,
      { code: 'config_invalid', cause: err },
    );
  }
  return {
    text,
    next: (after) => CronExpressionParser.parse(text, { currentDate: new Date(after), tz: 'UTC' }).next().getTime(),
  };
}
