// Every service as a process: SIGHUP never ends it (a closed terminal or one
// `kill -HUP` across the fleet); it re-reads its config file, applies what can
// change live and logs what needs a restart, then keeps running. SIGTERM then
// stops it cleanly, with a `stopped` line saying how long the stop took.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { deleteGroups, deleteTopics, testBrokers, uniqueName, waitFor } from '../../../support/kafka.ts';

const bin = fileURLToPath(new URL('../../../../bin/sensorwatch.mjs', import.meta.url));

interface Case {
  verb: 'ingest' | 'train' | 'scorer' | 'simulate';
  /** The service's name in its log lines. */
  service: string;
  args?: string[];
  started: RegExp;
  /** An edit to the config file and the line SIGHUP must log about it. */
  edit: Record<string, unknown>;
  logged: RegExp;
}

const cases: Case[] = [
  // ingest reads all of its config at start-up: SIGHUP says what waits for a restart
  { verb: 'ingest', service: 'ingest', started: /"msg":"ingest started"/, edit: { windowing: { length: 32 } }, logged: /"msg":"config change takes effect only when this service restarts; the ingest keeps its start-up value".*"key":"windowing.length"/ },
  // the trainer applies training settings from its next round on
  { verb: 'train', service: 'trainer', started: /"msg":"trainer started"/, edit: { trainer: { minWindows: 77 } }, logged: /"msg":"config reloaded".*"reason":"SIGHUP".*trainer\.minWindows: 50 → 77/ },
  { verb: 'scorer', service: 'scorer', started: /"msg":"scorer started"/, edit: { scorer: { topChannels: 1 } }, logged: /"msg":"config (reloaded|re-read: nothing to apply)".*"reason":"SIGHUP"/ },
  // the simulator (no metrics server) reads its config at start-up too
  { verb: 'simulate', service: 'simulator', args: ['--sensors', '1', '--rate', '2'], started: /"msg":"simulating"/, edit: { simulator: { sensors: 9 } }, logged: /"msg":"config change takes effect only when this service restarts; the simulator keeps its start-up value".*"key":"simulator.sensors"/ },
];

describe('services and signals: SIGHUP reloads and never kills, SIGTERM stops with a `stopped` line', () => {
  let brokers: string[];
  const dir = mkdtempSync(join(tmpdir(), 'sw-signals-'));
  const topics: string[] = [];
  const groups: string[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    brokers = await testBrokers();
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await deleteTopics(brokers, topics);
    await deleteGroups(brokers, groups);
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`${c.verb}: SIGHUP logs a line and the process keeps running; SIGTERM exits 0 after a 'stopped' line`, async () => {
      const name = (t: string): string => uniqueName(`sig-${c.verb}-${t}`);
      const base = {
        logLevel: 'info',
        kafka: { brokers, clientId: name('client') },
        topics: { readings: name('readings'), labels: name('labels'), windows: name('windows'), alerts: name('alerts'), deadLetter: name('dlq'), models: name('models'), modelArtifacts: name('artifacts'), verdicts: name('verdicts'), partitions: 1 },
        trainer: { minWindows: 50, modelDir: join(dir, c.verb, 'models'), backend: 'cpu' },
        scorer: { backend: 'cpu' },
      };
      topics.push(...Object.values(base.topics).filter((t): t is string => typeof t === 'string'));
      groups.push(`${base.kafka.clientId}-ingest`, `${base.kafka.clientId}.scorer`);
      topics.push(`${base.kafka.clientId}.scorer.state`);
      const file = join(dir, `${c.verb}.yaml`);
      writeFileSync(file, stringify(base));

      const child = spawn(process.execPath, [bin, c.verb, '--config', file, ...(c.args ?? ['--metrics-port', '0'])], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      let log = '';
      child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      await waitFor(() => c.started.test(log), { what: `${c.verb} to start (log: ${log.slice(-1500)})`, timeoutMs: 60_000 });

      const edited: Record<string, unknown> = { ...base };
      for (const [k, v] of Object.entries(c.edit)) edited[k] = { ...(base[k as keyof typeof base] as object), ...(v as object) };
      writeFileSync(file, stringify(edited));
      child.kill('SIGHUP');
      await waitFor(() => c.logged.test(log), { what: `${c.verb}: the SIGHUP line (log: ${log.slice(-1500)})`, timeoutMs: 20_000 });
      // still running (and serving) after the HUP
      const url = /"msg":"metrics served","url":"([^"]+)\/metrics"/.exec(log)?.[1];
      if (url !== undefined) assert.equal((await fetch(`${url}/livez`)).status, 200);
      else assert.equal(c.verb, 'simulate', 'every other service serves /metrics');
      assert.equal(child.exitCode, null, `${c.verb} exited on SIGHUP`);
      assert.equal(child.signalCode, null, `${c.verb} died of SIGHUP`);

      const sent = Date.now();
      child.kill('SIGTERM');
      const end = await exited;
      assert.deepEqual(end, { code: 0, signal: null }, log.slice(-2000));
      const stopped = /^.*"msg":"stopped".*$/m.exec(log)?.[0] ?? '';
      assert.match(stopped, /"level":"info"/);
      assert.match(stopped, new RegExp(`"service":"${c.service}"`));
      const stopMs = Number(/"stopMs":(\d+)/.exec(stopped)?.[1]);
      assert.ok(stopMs >= 0 && stopMs <= Date.now() - sent, `stopMs ${stopMs} in the 'stopped' line: ${stopped}`);
    });
  }
});
