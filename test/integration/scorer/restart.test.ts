// Crash and restart: a scorer process is SIGKILLed mid-stream and another one
// takes over; then, as if every commit had been lost, the group is rewound to
// the beginning and a third scorer replays everything. The alerts topic must
// hold exactly the alerts of a crash-free run: no window lost, the same alert
// ids, no alert opened twice, nothing re-published by the replay.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consumerLag } from '../../../common/kafka/index.ts';
import type { SignalWindow } from '../../../common/types.ts';
import { deleteGroups, deleteTopics, testBrokers, waitFor, withAdmin } from '../../support/kafka.ts';
import { valueForScore, window, zeroModel } from '../../unit/scorer/support.ts';
import { spawnScorer, whenReady, type ScorerProcess } from './processes.ts';
import { alertKeys, produceWindows, readAlerts, referenceAlerts, scorerSetup, type ScorerTestSetup } from './support.ts';

const pattern = [0.5, 2, 2, 2, 4, 4, 4, 0.2, 0.2, 0.3, 1.5, 0.4, 1.5, 1.5, 0.1, 0.1];

describe('scorer crash and restart', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  const procs: ScorerProcess[] = [];

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'scorer-crash', { partitions: 2 });
  });

  after(async () => {
    for (const r of procs) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await Promise.all(procs.map((r) => r.exited));
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  const caughtUp = (what: string) =>
    waitFor(
      async () => {
        const lag = await withAdmin(brokers, (admin) => consumerLag(admin, setup.groupId, [setup.config.topics.windows]));
        return lag.length > 0 && lag.every((p) => p.lag === 0 && p.committed >= 0);
      },
      { what, timeoutMs: 40_000, intervalMs: 200 },
    );
  const alertCount = () => withAdmin(brokers, async (admin) => (await admin.fetchTopicOffsets(setup.config.topics.alerts)).reduce((n, p) => n + Number(p.high), 0));

  it('loses no window and opens no alert twice across a SIGKILL, and a full replay publishes nothing new', async () => {
    const sensors = ['m1', 'm2', 'm3', 'm4'];
    const windows: SignalWindow[] = [];
    for (let round = 0; round < 3; round++) {
      for (const [k, value] of pattern.entries()) {
        for (const [i, sensorId] of sensors.entries()) {
          const seq = round * pattern.length + k;
          windows.push(window({ sensorId, seq, value: valueForScore(pattern[(k + i * 3) % pattern.length] ?? value) }));
        }
      }
    }
    const expected = await referenceAlerts(setup.config, zeroModel(), windows);
    assert.ok(expected.length >= 12, `the reference opens, updates and resolves several alerts (${expected.length})`);

    // First scorer: killed once it has published some alerts, with windows still coming.
    const first = spawnScorer(setup);
    procs.push(first);
    await whenReady(first);
    const chunks = 12;
    const size = Math.ceil(windows.length / chunks);
    let sent = 0;
    for (; sent < chunks / 2; sent++) await produceWindows(brokers, setup.config.topics.windows, windows.slice(sent * size, (sent + 1) * size));
    await waitFor(async () => (await alertCount()) >= 3, { what: 'the first alerts', timeoutMs: 30_000 });
    first.proc.kill('SIGKILL');
    await first.exited;
    for (; sent < chunks; sent++) await produceWindows(brokers, setup.config.topics.windows, windows.slice(sent * size, (sent + 1) * size));

    // Second scorer: picks up from the committed offsets and the state topic.
    const second = spawnScorer(setup);
    procs.push(second);
    await whenReady(second);
    await caughtUp('the restarted scorer to consume every window');
    await waitFor(async () => (await alertCount()) >= expected.length, { what: 'all expected alerts', timeoutMs: 20_000 });
    const got = await readAlerts(brokers, setup.config.topics.alerts, expected.length);
    assert.equal(await alertCount(), expected.length, 'no alert event published twice');
    assert.deepEqual(alertKeys(got), alertKeys(expected), 'the same alerts, with the same ids, as a run without a crash');
    const opens = got.filter((a) => a.state === 'open').map((a) => a.alertId);
    assert.equal(new Set(opens).size, opens.length, 'no alert opened twice');
    second.proc.kill('SIGTERM');
    assert.equal(await second.exited, 0, 'clean stop');

    // Third scorer after every commit is "lost": it replays all windows and must publish nothing.
    await withAdmin(brokers, (admin) => admin.resetOffsets({ groupId: setup.groupId, topic: setup.config.topics.windows, earliest: true }));
    const third = spawnScorer(setup);
    procs.push(third);
    await whenReady(third);
    await caughtUp('the replaying scorer to consume every window again');
    assert.equal(await alertCount(), expected.length, 'the replay published no alert');
    assert.match(third.stderr.join(''), /replayed windows skipped/);
    third.proc.kill('SIGTERM');
    assert.equal(await third.exited, 0);
  });
});
