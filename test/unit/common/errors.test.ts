import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { errorCodes, isErrorCode, SensorwatchError } from '../../../common/errors.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Production folders; test/ and scripts/ are not production code. */
const productionDirs = ['bench', 'cli', 'common', 'eval', 'ingest', 'scorer', 'trainer'];
/** Codes of Node and the OS that production code compares against; they are not ours. */
const systemCodes = new Set(['ENOENT', 'EPIPE', 'EPERM', 'EADDRINUSE', 'ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);
const lowerSnake = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Pure: the code literals a line sets (`code: 'x'`, `code: c ? 'x' : 'y'`) or compares against (`.code === 'x'`). */
function codesIn(line: string): string[] {
  const text = line.replace(/typeof [\w.]+/g, '');
  const found: string[] = [];
  for (const m of text.matchAll(/\bcode:\s*'([^']+)'/g)) found.push(m[1] ?? '');
  for (const m of text.matchAll(/\bcode:[^,'}]*\?\s*'([^']+)'\s*:\s*'([^']+)'/g)) found.push(m[1] ?? '', m[2] ?? '');
  for (const m of text.matchAll(/\bcode\s*[!=]==?\s*'([^']+)'/g)) found.push(m[1] ?? '');
  return found;
}

describe('error codes', () => {
  it('are lower_snake and each says whether a retry helps and what it means', () => {
    const entries = Object.entries(errorCodes);
    assert.ok(entries.length > 20);
    for (const [code, entry] of entries) {
      assert.match(code, lowerSnake, code);
      assert.equal(typeof entry.retriable, 'boolean', code);
      assert.ok(entry.what.length > 10, `${code}: 'what' says what went wrong`);
    }
  });

  it('the scan finds codes in the forms production code writes them', () => {
    assert.deepEqual(codesIn(`throw new SensorwatchError('x', { code: 'bad_avro', cause });`), ['bad_avro']);
    assert.deepEqual(codesIn(`code: portClash ? 'local_broker_port_in_use' : 'local_broker_start_failed',`), ['local_broker_port_in_use', 'local_broker_start_failed']);
    assert.deepEqual(codesIn(`if ((error as { code?: unknown }).code !== 'topic_not_found') throw error;`), ['topic_not_found']);
    assert.deepEqual(codesIn(`const code = typeof err.code === 'number' ? err.code : null;`), []);
  });

  it('every code production code uses is in the list (or is a Node system code it compares against)', () => {
    const unknown: string[] = [];
    let seen = 0;
    for (const dir of productionDirs) {
      for (const file of tsFiles(join(root, dir))) {
        readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          for (const code of codesIn(line)) {
            seen += 1;
            if (!isErrorCode(code) && !systemCodes.has(code)) unknown.push(`${relative(root, file)}:${i + 1}: '${code}'`);
          }
        });
      }
    }
    assert.ok(seen > 40, `the scan found only ${seen} codes: has the way codes are written changed?`);
    assert.deepEqual(unknown, []);
  });

  it('docs/operate.md lists every code with whether a retry helps, in the order of the list', () => {
    const text = readFileSync(join(root, 'docs/operate.md'), 'utf8');
    const section = text.slice(text.indexOf('## Error codes'), text.indexOf('\n## ', text.indexOf('## Error codes') + 1));
    const rows = [...section.matchAll(/^\| `([a-z_0-9]+)` \| (yes|no) \| (.+) \|$/gm)].map((m) => [m[1], m[2] === 'yes', m[3]]);
    assert.deepEqual(rows, Object.entries(errorCodes).map(([code, e]) => [code, e.retriable, e.what]));
  });

  it('retriable comes from the list unless the call site says otherwise', () => {
    assert.equal(new SensorwatchError('x', { code: 'publish_closed' }).retriable, true);
    assert.equal(new SensorwatchError('x', { code: 'config_invalid' }).retriable, false);
    assert.equal(new SensorwatchError('x', { code: 'publish_closed', retriable: false }).retriable, false);
    assert.equal(new SensorwatchError('x', { code: 'kafka_leader_not_available', retriable: true }).retriable, true);
  });
});
