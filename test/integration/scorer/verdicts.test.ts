// Operators' verdicts end to end on the real broker: three sensors with an
// open alert each get a verdict from `sensorwatch alerts mark` (the command,
// as a process) while no scorer runs; a restarted scorer applies them before
// each sensor's next window (false-positive and new-normal resolve with their
// reason, confirmed stays open), a second restart applies none of them again,
// and the trainer's next training set takes the first two sensors' alerted
// windows in and keeps the confirmed one's out past scorer.newNormalAfter. A
// fourth sensor without a verdict is the control.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { loadConfig } from '../../../common/config/load.ts';
import { createLogger } from '../../../common/log.ts';
import type { AnomalyAlert } from '../../../common/types.ts';
import { startScorer, type Scorer } from '../../../scorer/service.ts';
import { collectTrainingData } from '../../../trainer/service.ts';
import { deleteGroups, deleteTopics, testBrokers, testKafka, waitFor, withAdmin } from '../../support/kafka.ts';
import { valueForScore, window, zeroModel } from '../../unit/scorer/support.ts';
import { fixtureFeed, produceWindows, readAlerts, scorerSetup, type ScorerTestSetup } from './support.ts';

const log = createLogger({ level: 'warn' });
const bin = fileURLToPath(new URL('../../../bin/sensorwatch.mjs', import.meta.url));
const sensors = { fp: 'v-fp', nn: 'v-nn', conf: 'v-conf', control: 'v-none' };
const all = Object.values(sensors);
const at = (scores: number[], from: number) => all.flatMap((sensorId) => scores.map((s, i) => window({ sensorId, seq: from + i, value: valueForScore(s) })));

function mark(configFile: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [bin, 'alerts', 'mark', ...args, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('operator verdicts on a real broker, across scorer restarts', () => {
  let brokers: string[];
  let setup: ScorerTestSetup;
  let scorer: Scorer | undefined;
  let registry = new Registry();
  const start = async (): Promise<Scorer> => {
    registry = new Registry();
    scorer = await startScorer({ config: setup.config, log, registry, models: fixtureFeed([zeroModel()]), groupId: setup.groupId });
    await waitFor(() => scorer?.ready(), { what: 'the scorer to be ready', timeoutMs: 30_000 });
    return scorer;
  };
  const alertCount = () => withAdmin(brokers, async (admin) => (await admin.fetchTopicOffsets(setup.config.topics.alerts)).reduce((n, p) => n + Number(p.high), 0));
  const alertsNow = async (): Promise<AnomalyAlert[]> => readAlerts(brokers, setup.config.topics.alerts, await alertCount());

  before(async () => {
    brokers = await testBrokers();
    setup = scorerSetup(brokers, 'verdicts', { partitions: 2 });
    setup.writeConfig({});
  });

  after(async () => {
    await scorer?.stop();
    await deleteTopics(brokers, setup.topics);
    await deleteGroups(brokers, [setup.groupId]);
  });

  it('each verdict changes the open alert and the next training set as documented, once', async () => {
    // 1. Every sensor opens an alert at seq 2 (two windows above in a row) that is still open at seq 4.
    let running = await start();
    await produceWindows(brokers, setup.config.topics.windows, at([0.5, 2, 2, 2, 2], 0));
    await waitFor(async () => (await alertCount()) >= all.length, { what: 'an alert per sensor', timeoutMs: 30_000 });
    const opened = new Map((await alertsNow()).filter((a) => a.state === 'open').map((a) => [a.sensorId, a]));
    assert.deepEqual([...opened.keys()].sort(), [...all].sort());
    await running.stop();
    scorer = undefined;

    // 2. The verdicts, while no scorer runs: the command finds each alert's sensor on the alerts topic.
    const given = [
      [sensors.fp, 'false-positive'],
      [sensors.nn, 'new-normal'],
      [sensors.conf, 'confirmed'],
    ] as const;
    for (const [sensorId, verdict] of given) {
      const out = await mark(setup.configFile, [opened.get(sensorId)?.alertId ?? '', '--as', verdict, '--note', `it test ${verdict}`]);
      assert.equal(out.code, 0, out.stderr);
      const printed = JSON.parse(out.stdout) as { sensorId: string; verdict: string; alertIds: string[]; from: number; to: number | null };
      assert.deepEqual([printed.sensorId, printed.verdict, printed.alertIds, printed.from, printed.to], [sensorId, verdict.replace('-', '_'), [opened.get(sensorId)?.alertId], opened.get(sensorId)?.windowStart, null]);
    }
    const unknown = await mark(setup.configFile, ['no-such-alert', '--as', 'confirmed']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /alert no-such-alert is not on the alerts topic.*\[alert_not_found\]/);

    // 3. A restarted scorer applies them before each sensor's next window (still above the open level).
    running = await start();
    const before3 = await alertCount();
    await produceWindows(brokers, setup.config.topics.windows, at([2], 5));
    await waitFor(async () => (await alertCount()) >= before3 + 2, { what: 'the two verdict resolves', timeoutMs: 30_000 });
    const resolves = (await alertsNow()).filter((a) => a.state === 'resolve');
    assert.deepEqual(
      resolves.map((a) => [a.sensorId, a.alertId, a.reason]).sort(),
      [
        [sensors.fp, opened.get(sensors.fp)?.alertId, 'verdict_false_positive'],
        [sensors.nn, opened.get(sensors.nn)?.alertId, 'verdict_new_normal'],
      ].sort(),
    );
    await waitFor(async () => (await registry.metrics()).includes('sensorwatch_windows_scored_total{model="default",type="default"} 4'), { what: 'every sensor to judge seq 5' });
    const metrics = await registry.metrics();
    assert.match(metrics, new RegExp(`sensorwatch_alert_open\\{sensor="${sensors.conf}",kind="anomaly",severity="\\w+",type="default"\\} 1`), 'confirmed: the alert stays open');
    assert.ok(!metrics.includes(`sensorwatch_alert_open{sensor="${sensors.fp}"`), 'false-positive: no alert open');
    for (const [sensorId, verdict] of [[sensors.fp, 'false_positive'], [sensors.nn, 'new_normal'], [sensors.conf, 'confirmed']]) {
      assert.ok(metrics.includes(`sensorwatch_alert_verdicts_total{verdict="${verdict}",sensor="${sensorId}"} 1`), `counted ${verdict}`);
    }
    await running.stop();
    scorer = undefined;

    // 4. Another restart: nothing is applied twice; the confirmed alert resolves on its own when the signal calms.
    running = await start();
    await produceWindows(brokers, setup.config.topics.windows, at([0.1, 0.1], 6));
    await waitFor(async () => (await alertsNow()).some((a) => a.sensorId === sensors.conf && a.state === 'resolve'), { what: 'the confirmed alert to resolve', timeoutMs: 30_000 });
    await waitFor(async () => (await alertsNow()).some((a) => a.sensorId === sensors.control && a.state === 'resolve'), { what: 'the control alert to resolve', timeoutMs: 30_000 });
    const events = await alertsNow();
    assert.deepEqual(
      events.map((a) => `${a.sensorId} ${a.state} ${a.reason ?? ''}`).sort(),
      [
        `${sensors.fp} open `,
        `${sensors.fp} resolve verdict_false_positive`,
        `${sensors.nn} open `,
        `${sensors.nn} resolve verdict_new_normal`,
        `${sensors.conf} open `,
        `${sensors.conf} resolve `,
        `${sensors.control} open `,
        `${sensors.control} resolve `,
      ].sort(),
      'each alert id: one open, one resolve; no verdict applied twice',
    );
    assert.ok(!(await registry.metrics()).includes('sensorwatch_alert_verdicts_total{'), 'the restarted scorer applied no verdict again');
    await running.stop();
    scorer = undefined;

    // 5. The next training set (what the trainer's round reads and selects).
    // The trainer keeps an alert's windows out for scorer.newNormalAfter after it opens: 2 s of event time here (windows are 1 s apart).
    const trainerConfig = loadConfig({ file: setup.configFile, env: {}, overrides: { scorer: { newNormalAfter: '2s' } } });
    assert.equal(trainerConfig.scorer.newNormalAfter, '2s');
    const data = await collectTrainingData(testKafka(brokers, 'it-verdicts-trainer'), trainerConfig, Date.now(), log);
    const seqs = (sensorId: string): number[] => (data.byKey.get('default') ?? []).filter((w) => w.sensorId === sensorId).map((w) => w.seq).sort((a, b) => a - b);
    assert.deepEqual(seqs(sensors.control), [0, 1, 5, 6], 'no verdict: the alerted windows are out, until newNormalAfter after the opening, and the resolving one');
    assert.deepEqual(seqs(sensors.fp), [0, 1, 2, 3, 4, 5, 6, 7], 'false-positive: the alerted windows are in');
    assert.deepEqual(seqs(sensors.nn), [0, 1, 2, 3, 4, 5, 6, 7], 'new-normal: the alerted windows are in');
    assert.deepEqual(seqs(sensors.conf), [0, 1], 'confirmed: the whole alert is out for good, past newNormalAfter');
  });
});
