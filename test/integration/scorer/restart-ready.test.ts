// A restarted member is ready within seconds: `sensorwatch scorer` stopped with
// SIGTERM leaves its consumer group, so the next one with the same group joins
// at once instead of waiting out the old member's session (30 s by default).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serialiseArtifact } from '../../../common/model/artifact.ts';
import { createModelPublisher } from '../../../common/model/store/kafka.ts';
import { deleteGroups, deleteTopics, testBrokers, testKafka, waitFor } from '../../support/kafka.ts';
import { zeroModel } from '../../unit/scorer/support.ts';
import { scorerSetup, type ScorerTestSetup } from './support.ts';

const bin = fileURLToPath(new URL('../../../bin/sensorwatch.mjs', import.meta.url));

interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

describe('sensorwatch scorer restarted after SIGTERM', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  const procs: Proc[] = [];

  const start = (): Proc => {
    const child = spawn(process.execPath, [bin, 'scorer', '--config', setup.configFile, '--group', setup.groupId, '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let out = '';
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const p = { child, out: () => out, exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))) };
    procs.push(p);
    return p;
  };
  const whenReady = async (p: Proc, timeoutMs: number): Promise<void> => {
    const url = await waitFor(() => /"msg":"metrics served","url":"([^"]+)\/metrics"/.exec(p.out())?.[1], { what: 'the metrics URL', timeoutMs: 40_000 });
    await waitFor(async () => (await fetch(`${url}/healthz`)).status === 200, { what: `/healthz ready within ${timeoutMs} ms`, timeoutMs, intervalMs: 100 });
  };

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'scorer-restart-ready');
    setup.writeConfig({ logLevel: 'info' });
    const publisher = await createModelPublisher(testKafka(brokers, 'test-models'), setup.config.topics);
    const model = zeroModel({ version: 1 });
    await publisher.publish(await serialiseArtifact(model), model.meta);
    model.dispose();
    await publisher.close();
  });

  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  it('the next scorer in the group is ready well within the 30 s session timeout', async () => {
    const first = start();
    await whenReady(first, 40_000);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.out().slice(-2000));

    const second = start();
    const startedAt = Date.now();
    // Generous for a loaded machine (process start, model load), far below 30 s.
    await whenReady(second, 15_000);
    const tookMs = Date.now() - startedAt;
    assert.ok(tookMs < 15_000, `ready after ${tookMs} ms`);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });
});
