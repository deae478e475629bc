import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEdit, diffConfig, watchConfig } from '../../../scorer/reload.ts';
import { defaultConfig } from '../../../common/config/defaults.ts';
import { loadConfig } from '../../../common/config/load.ts';
import { createLogger } from '../../../common/log.ts';
import type { Config } from '../../../common/config/types.ts';

describe('diffConfig', () => {
  const cases: { name: string; a: unknown; b: unknown; want: string[] }[] = [
    { name: 'equal', a: { x: 1, y: { z: [1, 2] } }, b: { x: 1, y: { z: [1, 2] } }, want: [] },
    { name: 'leaf change', a: { x: 1, y: { z: 2 } }, b: { x: 1, y: { z: 3 } }, want: ['y.z: 2 → 3'] },
    { name: 'arrays compared whole', a: { s: [1, 2] }, b: { s: [1, 3] }, want: ['s: [1,2] → [1,3]'] },
    { name: 'added and removed keys', a: { p: { a: 1 } }, b: { p: { b: 2 } }, want: ['p.a: 1 → undefined', 'p.b: undefined → 2'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(diffConfig(c.a, c.b).map((d) => `${d.path}: ${JSON.stringify(d.from)} → ${JSON.stringify(d.to)}`), c.want));
});

describe('applyEdit', () => {
  it('applies scorer and threshold edits, keeps restart-only keys', () => {
    const edited: Config = {
      ...defaultConfig,
      kafka: { ...defaultConfig.kafka, brokers: ['elsewhere:9092'] },
      scorer: { ...defaultConfig.scorer, hysteresis: { ...defaultConfig.scorer.hysteresis, resolveAfter: 9 }, backend: 'wasm' },
      thresholds: { ...defaultConfig.thresholds, perSensor: { s1: { value: 4 } } },
    };
    const { next, applied, ignored } = applyEdit(defaultConfig, edited);
    assert.deepEqual(applied.map((c) => c.path), ['scorer.hysteresis.resolveAfter', 'thresholds.perSensor.s1']);
    assert.deepEqual(ignored.map((c) => c.path), ['kafka.brokers', 'scorer.backend']);
    assert.equal(next.scorer.hysteresis.resolveAfter, 9);
    assert.deepEqual(next.kafka, defaultConfig.kafka);
    assert.equal(next.scorer.backend, defaultConfig.scorer.backend);
  });

  it('returns the running config itself when nothing applicable changed', () => {
    const edited: Config = { ...defaultConfig, metrics: { host: '0.0.0.0', port: 1 } };
    assert.equal(applyEdit(defaultConfig, edited).next, defaultConfig);
  });
});

describe('watchConfig', () => {
  const poll = async (cond: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('picks up a valid edit (in place and by rename), rejects an invalid one, and logs old → new', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-reload-'));
    const file = join(dir, 'sensorwatch.yaml');
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ level: 'debug', write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    writeFileSync(file, 'scorer:\n  hysteresis:\n    resolveAfter: 4\n');
    const load = (f: string) => loadConfig({ file: f, env: {} });
    const watcher = watchConfig({ file, initial: load(file), load, log });
    try {
      writeFileSync(file, 'scorer:\n  hysteresis:\n    resolveAfter: 7\n');
      await poll(() => watcher.current().scorer.hysteresis.resolveAfter === 7, 'the in-place edit');
      const reloaded = lines.find((l) => l.msg === 'config reloaded');
      assert.deepEqual(reloaded?.changes, ['scorer.hysteresis.resolveAfter: 4 → 7']);

      writeFileSync(file, 'scorer:\n  hysteresis:\n    resolveAfter: -1\n');
      await poll(() => lines.some((l) => l.msg === 'config edit rejected; keeping the running config'), 'the rejection');
      const rejected = lines.find((l) => l.msg === 'config edit rejected; keeping the running config');
      assert.match(JSON.stringify(rejected?.problems), /scorer\.hysteresis\.resolveAfter/);
      assert.equal(watcher.current().scorer.hysteresis.resolveAfter, 7);

      writeFileSync(join(dir, 'next.yaml'), 'scorer:\n  hysteresis:\n    resolveAfter: 2\n');
      renameSync(join(dir, 'next.yaml'), file);
      await poll(() => watcher.current().scorer.hysteresis.resolveAfter === 2, 'the edit saved by rename');
    } finally {
      watcher.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reload() (what SIGHUP calls) re-reads the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-reload-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'scorer:\n  topChannels: 3\n');
    let text = 'scorer:\n  topChannels: 3\n';
    const load = (_f: string) => {
      writeFileSync(file, text);
      return loadConfig({ file, env: {} });
    };
    const watcher = watchConfig({ file, initial: load(file), load, log: createLogger({ write: () => undefined }) });
    try {
      assert.equal(watcher.reload('test'), false);
      text = 'scorer:\n  topChannels: 5\n';
      assert.equal(watcher.reload('SIGHUP'), true);
      assert.equal(watcher.current().scorer.topChannels, 5);
    } finally {
      watcher.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a windowing edit is not applied by the scorer and says whose restart it waits for', () => {
    const running = loadConfig({ env: {} });
    const edited = loadConfig({ env: {}, overrides: { windowing: { length: 128 } } });
    const { next, applied, ignored } = applyEdit(running, edited);
    assert.deepEqual([applied.length, ignored.map((c) => c.path)], [0, ['windowing.length']]);
    assert.equal(next.windowing.length, running.windowing.length);
  });

  it('a reload that changes the SASL password never logs it (file watch and SIGHUP)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-reload-'));
    const file = join(dir, 'sensorwatch.yaml');
    const raw: string[] = [];
    const log = createLogger({ level: 'debug', write: (l) => void raw.push(l) });
    const yaml = (password: string, resolveAfter: number) =>
      `kafka:\n  sasl:\n    mechanism: plain\n    username: sw\n    password: ${password}\nscorer:\n  hysteresis:\n    resolveAfter: ${resolveAfter}\n`;
    writeFileSync(file, yaml('old-S3cret-pw', 4));
    const load = (f: string) => loadConfig({ file: f, env: {} });
    const watcher = watchConfig({ file, initial: load(file), load, log });
    try {
      writeFileSync(file, yaml('new-S3cret-pw', 5));
      await poll(() => watcher.current().scorer.hysteresis.resolveAfter === 5, 'the edit');
      writeFileSync(file, yaml('newer-S3cret-pw', 5));
      watcher.reload('SIGHUP');
      const text = raw.join('');
      assert.match(text, /config change takes effect only when this service restarts/);
      assert.match(text, /kafka\.sasl\.password/, 'the key that changed is named');
      assert.doesNotMatch(text, /S3cret/, 'no password, old or new, in any line');
      assert.equal(watcher.current().kafka.sasl.password, 'old-S3cret-pw', 'the running value is kept');
    } finally {
      watcher.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
