import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSchedule } from '../../../../common/config/schedule.ts';

const t0 = Date.UTC(2026, 0, 1, 10, 7, 30);

describe('parseSchedule', () => {
  const rows = [
    { text: '30s', next: t0 + 30_000 },
    { text: '10m', next: t0 + 600_000 },
    { text: '1.5h', next: t0 + 5_400_000 },
    { text: '1d', next: t0 + 86_400_000 },
    { text: '0 * * * *', next: Date.UTC(2026, 0, 1, 11, 0, 0) },
    { text: '*/15 * * * *', next: Date.UTC(2026, 0, 1, 10, 15, 0) },
    { text: '0 3 * * *', next: Date.UTC(2026, 0, 2, 3, 0, 0) },
  ];
  for (const r of rows) {
    it(`'${r.text}' next after 10:07:30 → ${new Date(r.next).toISOString()}`, () => {
      assert.equal(parseSchedule(r.text).next(t0), r.next);
    });
  }

  for (const bad of ['', 'soon', '10x', '500ms', '61 * * * *']) {
    it(`refuses '${bad}' with a message that shows both forms`, () => {
      assert.throws(() => parseSchedule(bad), (e: Error & { code?: string }) => e.code === 'config_invalid' && e.message.includes(`'${bad}'`));
    });
  }
});
