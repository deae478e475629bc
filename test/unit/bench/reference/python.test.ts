import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastLine, runProcess } from '../../../../bench/reference/python.ts';

describe('lastLine', () => {
  const cases: { text: string; want: string }[] = [
    { text: 'Traceback\n  File x\nModuleNotFoundError: No module named numpy\n\n', want: 'ModuleNotFoundError: No module named numpy' },
    { text: '', want: '' },
    { text: 'one', want: 'one' },
    { text: `${'x'.repeat(400)}\n`, want: 'x'.repeat(300) },
  ];
  for (const c of cases) it(JSON.stringify(c.text.slice(0, 30)), () => assert.equal(lastLine(c.text), c.want));
});

describe('runProcess', () => {
  it('returns the exit code and output', async () => {
    const r = await runProcess(process.execPath, ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'], { timeoutMs: 10_000 });
    assert.deepEqual(r, { code: 3, stdout: 'out', stderr: 'err', timedOut: false });
  });
  it('kills a process that runs past its time limit', async () => {
    const r = await runProcess(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.equal(r.code, null);
  });
  it('reports a missing executable', async () => {
    const r = await runProcess('/nonexistent/python3', [], { timeoutMs: 1000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ENOENT/);
  });
});
