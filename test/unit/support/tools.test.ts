// test/support/tools.ts: the skip decision, the flag, and the end-of-run list.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { notInstalled, recordSkip, skipLogVar, skipReason, skipSummary, toolsRequired, type SkipRecord } from '../../support/tools.ts';

describe('test tools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-tools-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the reason is one line naming the install script', () => {
    assert.equal(notInstalled('chromium'), 'chromium not installed: run bash scripts/install-chromium.sh as root');
    assert.match(notInstalled('promtool'), /^promtool not installed: run bash scripts\/install-prometheus\.sh as root$/);
    assert.match(notInstalled('prometheus'), /scripts\/install-prometheus\.sh/);
  });

  const decisions: { found: boolean; required: boolean; expect: false | string }[] = [
    { found: true, required: false, expect: false },
    { found: true, required: true, expect: false },
    { found: false, required: false, expect: 'promtool not installed: run bash scripts/install-prometheus.sh as root' },
    // Required: the test runs, and fails on the missing tool.
    { found: false, required: true, expect: false },
  ];
  for (const d of decisions) {
    it(`skip decision, found ${d.found}, required ${d.required}`, () => assert.equal(skipReason('promtool', d.found, d.required), d.expect));
  }

  it('the flag reads 1, true and yes as on, anything else as off', () => {
    for (const v of ['1', 'true', 'TRUE', 'yes']) assert.equal(toolsRequired({ SENSORWATCH_REQUIRE_TOOLS: v }), true, v);
    for (const v of [undefined, '', '0', 'false', 'no']) assert.equal(toolsRequired({ SENSORWATCH_REQUIRE_TOOLS: v }), false, String(v));
  });

  it('records go to the skip log as JSON lines, and nowhere without one', () => {
    const log = join(dir, 'skips.jsonl');
    const r: SkipRecord = { tool: 'chromium', reason: notInstalled('chromium'), file: 'test/unit/eval/plot-browser.test.ts', unit: 'test', count: 1 };
    recordSkip(r, { [skipLogVar]: log });
    recordSkip(r, { [skipLogVar]: log });
    recordSkip(r, {});
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SkipRecord), [r, r]);
  });

  it('the summary groups by reason with counts and files', () => {
    const chromium = notInstalled('chromium');
    const prometheus = notInstalled('prometheus');
    const java = 'java not installed: the local Kafka broker needs Java 17+; install with: apt-get install openjdk-17-jre-headless maven';
    const records: SkipRecord[] = [
      { tool: 'chromium', reason: chromium, file: 'test/unit/eval/plot-browser.test.ts', unit: 'test', count: 1 },
      { tool: 'chromium', reason: chromium, file: 'test/unit/eval/plot-browser.test.ts', unit: 'test', count: 1 },
      { tool: 'prometheus', reason: prometheus, file: 'test/integration/deploy/prometheus.test.ts', unit: 'suite', count: 1 },
      { tool: 'java', reason: java, file: 'test/integration/', unit: 'file', count: 31 },
    ];
    assert.deepEqual(skipSummary(records), [
      'skipped: 2 tests, 1 suite, 31 files, a tool is missing (SENSORWATCH_REQUIRE_TOOLS=1 makes this a failure):',
      `  chromium: 2 tests: ${chromium} (test/unit/eval/plot-browser.test.ts)`,
      `  prometheus: 1 suite: ${prometheus} (test/integration/deploy/prometheus.test.ts)`,
      `  java: 31 files: ${java} (test/integration/)`,
    ]);
    assert.deepEqual(skipSummary([]), []);
  });
});
