import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderConfigTable } from '../../../../common/config/table.ts';

it('README.md holds the config table as rendered from the schema and defaults', () => {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const table = renderConfigTable();
  assert.ok(readme.includes(table), 'README.md config table is out of date: regenerate it with `node bin/sensorwatch.mjs config table`');
});

it('schemas/README.md gives the windowing defaults the config has', async () => {
  const { defaultConfig } = await import('../../../../common/config/defaults.ts');
  const doc = readFileSync(new URL('../../../../schemas/README.md', import.meta.url), 'utf8');
  const w = defaultConfig.windowing as unknown as Record<string, unknown>;
  const rows = [...doc.matchAll(/^\| `windowing\.(\w+)` \| ([^|]+) \|/gm)];
  assert.ok(rows.length >= 5, 'the windowing table is there');
  for (const [, key = '', cell = ''] of rows) {
    const value = w[key];
    if (typeof value === 'number' || typeof value === 'string') assert.equal(cell.trim().replaceAll('`', ''), String(value), `windowing.${key}`);
  }
});
