import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { renderConfigTable } from '../../../../common/config/table.ts';

it('README.md holds the config table as rendered from the schema and defaults', () => {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const table = renderConfigTable();
  assert.ok(readme.includes(table), 'README.md config table is out of date: regenerate it with `node bin/sensorwatch.mjs config table`');
});
