// `sensorwatch scorer` as a process: not ready without a model, ready once the
// trainer's topic has one, SIGHUP applies an edited config, SIGTERM stops it
// cleanly.
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

describe('sensorwatch scorer (process)', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  let proc: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let stderr = '';

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'scorer-cli');
  });

  after(async () => {
    if (proc?.exitCode === null) proc.kill('SIGKILL');
    await exited;
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  it('serves /healthz (not ready until a model exists), reloads on SIGHUP, stops on SIGTERM', async () => {
    setup.writeConfig({ logLevel: 'info' });
    proc = spawn(process.execPath, [bin, 'scorer', '--config', setup.configFile, '--group', setup.groupId, '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const child = proc;
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await waitFor(() => /"msg":"metrics served","url":"([^"]+)\/metrics"/.exec(stderr)?.[1], { what: 'the metrics URL in the log', timeoutMs: 40_000 });
    const health = async () => {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as { status: string; models?: unknown[] } };
    };
    assert.deepEqual((await health()).status, 503, 'no model yet: not ready');

    const publisher = await createModelPublisher(testKafka(brokers, 'test-models'), setup.config.topics);
    const model = zeroModel({ version: 1 });
    await publisher.publish(await serialiseArtifact(model), model.meta);
    model.dispose();
    await publisher.close();
    const ready = await waitFor(async () => {
      const h = await health();
      return h.status === 200 ? h.body : null;
    }, { what: '/healthz to turn ready', timeoutMs: 30_000 });
    assert.deepEqual((ready.models as { version: number }[]).map((m) => m.version), [1]);

    setup.writeConfig({ logLevel: 'info', scorer: { topChannels: 1 } });
    proc.kill('SIGHUP');
    await waitFor(() => /config reloaded.*scorer\.topChannels: 3 → 1/.test(stderr), { what: 'the reload to be logged old → new', timeoutMs: 15_000 });
    // The file watch may have applied the edit first; the SIGHUP re-read is logged either way.
    await waitFor(() => /"msg":"config (reloaded|re-read: nothing to apply)".*"reason":"SIGHUP"/.test(stderr), { what: 'the SIGHUP re-read to be logged', timeoutMs: 15_000 });

    proc.kill('SIGTERM');
    assert.equal(await exited, 0, stderr.slice(-2000));
  });
});
