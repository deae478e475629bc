// Fault suite: scorers in one group while members crash and leave. Three
// scorer processes share a three-partition windows topic; while the windows
// stream in, members are SIGKILLed three times (each replaced by a new one)
// and one is stopped cleanly. The alerts topic must hold exactly the alerts of
// a run without faults: every window decided once in effect, the same ids, no
// alert opened twice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consumerLag } from '../../../common/kafka/index.ts';
import type { SignalWindow } from '../../../common/types.ts';
import { deleteGroups, deleteTopics, testBrokers, waitFor, withAdmin } from '../../support/kafka.ts';
import { valueForScore, window, zeroModel } from '../../unit/scorer/support.ts';
import { spawnScorer, whenReady, type ScorerProcess } from '../scorer/processes.ts';
import { alertKeys, produceWindows, readAlerts, referenceAlerts, scorerSetup, type ScorerTestSetup } from '../scorer/support.ts';

const pattern = [0.5, 2, 2, 2, 4, 4, 4, 0.2, 0.2, 0.3, 1.5, 0.4, 1.5, 1.5, 0.1, 0.1];

describe('fault suite: a scorer group through crashes and a departure', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  const procs: ScorerProcess[] = [];

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'fault-group', { partitions: 3 });
  });

  after(async () => {
    for (const r of procs) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await Promise.all(procs.map((r) => r.exited));
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  const alertCount = () => withAdmin(brokers, async (admin) => (await admin.fetchTopicOffsets(setup.config.topics.alerts)).reduce((n, p) => n + Number(p.high), 0));
  const start = async (): Promise<ScorerProcess> => {
    const p = spawnScorer(setup);
    procs.push(p);
    await whenReady(p);
    return p;
  };
  const kill = async (p: ScorerProcess): Promise<void> => {
    p.proc.kill('SIGKILL');
    await p.exited;
  };

  it('three SIGKILLs and a clean stop among three members: exactly the alerts of a run without faults', async () => {
    const sensors = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    const windows: SignalWindow[] = [];
    for (let round = 0; round < 2; round++) {
      for (const [k, value] of pattern.entries()) {
        for (const [i, sensorId] of sensors.entries()) windows.push(window({ sensorId, seq: round * pattern.length + k, value: valueForScore(pattern[(k + i * 5) % pattern.length] ?? value) }));
      }
    }
    const expected = await referenceAlerts(setup.config, zeroModel(), windows);
    assert.ok(expected.length >= 20, `the reference opens, updates and resolves alerts on every sensor (${expected.length})`);

    const members = [await start(), await start(), await start()];
    await waitFor(
      async () => {
        const [group] = (await withAdmin(brokers, (admin) => admin.describeGroups([setup.groupId]))).groups;
        return group?.state === 'Stable' && group.members.length === 3;
      },
      { what: 'a stable group of three', timeoutMs: 40_000, intervalMs: 200 },
    );
    const quarters = 4;
    const size = Math.ceil(windows.length / quarters);
    const send = (q: number) => produceWindows(brokers, setup.config.topics.windows, windows.slice(q * size, (q + 1) * size));

    await send(0);
    await waitFor(async () => (await alertCount()) >= 3, { what: 'the first alerts', timeoutMs: 30_000 });
    await kill(members[0] as ScorerProcess); // crash 1
    await send(1);
    const stopped = members[1] as ScorerProcess;
    stopped.proc.kill('SIGTERM'); // a clean departure
    assert.equal(await stopped.exited, 0, 'clean stop');
    const second = await start();
    await send(2);
    await kill(second); // crash 2
    const third = await start();
    await kill(third); // crash 3, right after it joined
    await send(3);
    await start();

    await waitFor(
      async () => {
        const lag = await withAdmin(brokers, (admin) => consumerLag(admin, setup.groupId, [setup.config.topics.windows]));
        return lag.length === 3 && lag.every((p) => p.lag === 0 && p.committed >= 0);
      },
      { what: 'every window to be consumed', timeoutMs: 60_000, intervalMs: 250 },
    );
    await waitFor(async () => (await alertCount()) >= expected.length, { what: 'all expected alerts', timeoutMs: 20_000 });
    const got = await readAlerts(brokers, setup.config.topics.alerts, expected.length);
    assert.equal(await alertCount(), expected.length, 'no alert event published twice');
    assert.deepEqual(alertKeys(got), alertKeys(expected), 'the same alerts, with the same ids, as a run without faults');
    const opens = got.filter((a) => a.state === 'open').map((a) => a.alertId);
    assert.equal(new Set(opens).size, opens.length, 'no alert opened twice');
  });
});
