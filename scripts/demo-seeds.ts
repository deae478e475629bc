// The demo's detection path offline, over many simulator seeds: per sensor type,
// the demo's fleet (cli/demo/fleet.ts) is simulated for --duration seconds with
// the demo's quiet start, windowed by the ingest windower, its first model
// trained by retrain() on the type's first trainer.minWindows windows, then every
// window of the type scored and judged by the scorer's own functions in event-time
// order (the scorer holds a type's windows until its first model arrives, then
// judges them all, the first ones included), and the alerts matched to the
// injected anomalies as the demo's summary matches them. A real run differs in
// which windows the first model gets (they depend on when the trainer's round
// starts: --extra-windows N trains on N more than minWindows), so one seed's line
// is not a real run's figure; the sums over seeds show what a fleet setting does,
// not what one lucky or unlucky seed does.
//
//   node --import tsx scripts/demo-seeds.ts [--seeds 1-20] [--types pump,valve] [--duration 150]
//     [--extra-windows 0] [--patch '{"valve":{"model":{"training":{"epochs":300}}}}']
//
// --patch merges settings over the demo's types (by type name, objects key by key,
// anything else replaced) to try a variant without editing cli/demo/fleet.ts.
//
// Prints a line per seed and the sums per type (precision of alert excursions,
// recall of anomalies), the anomaly kinds missed, and how many seeds have every
// type at or above 90 % / 90 %. The native backend is used when installed.
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/config/load.ts';
import { mergeSection, typeConfig, typeOf } from '../common/config/sensor-types.ts';
import { demoFleetOverrides, demoTypes, typeWarmupSeconds } from '../cli/demo/fleet.ts';
import { matchAlerts, misses, type OpenedAlert } from '../cli/demo/match.ts';
import { fleetFromConfig, simulateFleet } from '../ingest/simulate/fleet.ts';
import { windowsFromReadings, windowOptions } from '../common/window/index.ts';
import { retrain } from '../common/training/retrain.ts';
import { initBackend } from '../common/model/backend.ts';
import { scoreWindows } from '../common/model/score.ts';
import { judgeWindow } from '../common/decision/judge.ts';
import { initialSensorState, type SensorState } from '../common/decision/decide.ts';

/** "1-5,9" → [1, 2, 3, 4, 5, 9]. */
function seedList(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a) || (b !== undefined && !Number.isInteger(b))) throw new Error(`--seeds: '${part}' is not a seed or a range a-b`);
    return b === undefined ? [a as number] : Array.from({ length: (b as number) - (a as number) + 1 }, (_, i) => (a as number) + i);
  });
}

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '7' }, types: { type: 'string' }, duration: { type: 'string', default: '150' }, patch: { type: 'string', default: '{}' }, 'extra-windows': { type: 'string', default: '0' } } });
const extraWindows = Number(values['extra-windows']);
if (!Number.isInteger(extraWindows) || extraWindows < 0) throw new Error(`--extra-windows: '${values['extra-windows']}' is not a whole number of windows`);
const seeds = seedList(values.seeds);
const duration = Number(values.duration);
const patch = JSON.parse(values.patch) as Record<string, Record<string, unknown>>;
const config = loadConfig({ overrides: { sensorTypes: demoFleetOverrides.sensorTypes.map((t) => mergeSection(t, patch[t.name] ?? {})) } });
const types = demoTypes(config);
const only = values.types === undefined ? types.map((t) => t.name) : values.types.split(',');
// As the demo: no anomalies until every type has its first model's windows, and 20 s more.
const quietSeconds = Math.max(...types.map(typeWarmupSeconds)) + 20;
const backend = await initBackend('tensorflow').then(
  () => 'tensorflow',
  async () => (await initBackend('cpu'), 'cpu'),
);

const sums = new Map<string, { truePositives: number; alerts: number; detected: number; anomalies: number }>();
const missedKinds = new Map<string, number>();
let seedsAllMet = 0;
for (const seed of seeds) {
  const { readings, labels } = simulateFleet({ types: fleetFromConfig(config), startTime: 0, seed, anomalyEverySeconds: config.simulator.anomalyEverySeconds, quietSeconds }, duration);
  const line: string[] = [`seed ${seed}`];
  let allMet = true;
  for (const name of only) {
    const tc = typeConfig(config, name);
    const ofType = (id: string): boolean => typeOf(config, id) === name;
    const { windows } = windowsFromReadings(
      readings.filter((r) => ofType(r.sensorId)),
      windowOptions(tc.windowing, name),
    );
    windows.sort((a, b) => a.end - b.end);
    const first = windows.slice(0, tc.trainer.minWindows + extraWindows);
    const outcome = await retrain({ modelKey: name, windows: first, config: tc, current: null, version: 1, backend });
    if (outcome.outcome !== 'promoted') throw new Error(`${name}, seed ${seed}: the first model was not promoted (${outcome.outcome})`);
    const model = outcome.trained.model;
    const trainedTo = first[first.length - 1]?.end ?? 0;
    const scores = scoreWindows(model, windows, { stepSamples: tc.windowing.hop });
    const states = new Map<string, SensorState>();
    const opened: OpenedAlert[] = [];
    windows.forEach((w, i) => {
      const errors = scores[i];
      if (errors === undefined) return;
      const judged = judgeWindow(states.get(w.sensorId) ?? initialSensorState(w.sensorId), {
        window: w,
        errors,
        model: { key: model.meta.modelKey, version: model.meta.version, calibration: model.meta, channels: model.meta.channels },
        config: tc,
      });
      states.set(w.sensorId, judged.state);
      for (const e of judged.events) if (e.state === 'open') opened.push(e);
    });
    model.dispose();
    const typeLabels = labels.filter((l) => ofType(l.sensorId));
    // The type's anomalies count from its first model (the demo: from when the scorer has it), with a window's slack.
    const scope = { scoringSince: trainedTo, now: duration * 1000, slackMs: tc.windowing.length * tc.windowing.samplePeriodMs };
    const d = matchAlerts(opened, typeLabels, scope);
    for (const l of misses(opened, typeLabels, scope).missed) missedKinds.set(`${name} ${l.kind}`, (missedKinds.get(`${name} ${l.kind}`) ?? 0) + 1);
    const s = sums.get(name) ?? { truePositives: 0, alerts: 0, detected: 0, anomalies: 0 };
    sums.set(name, { truePositives: s.truePositives + d.truePositives, alerts: s.alerts + d.alerts, detected: s.detected + d.detected, anomalies: s.anomalies + d.anomalies });
    allMet &&= (d.precision ?? 1) >= 0.9 && (d.recall ?? 1) >= 0.9;
    line.push(`${name} P ${d.truePositives}/${d.alerts} R ${d.detected}/${d.anomalies}`);
  }
  if (allMet) seedsAllMet++;
  process.stdout.write(`${line.join('  ')}\n`);
}
const pct = (a: number, b: number): string => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)} %`);
for (const [name, s] of sums) process.stdout.write(`${name}: precision ${s.truePositives}/${s.alerts} ${pct(s.truePositives, s.alerts)}, recall ${s.detected}/${s.anomalies} ${pct(s.detected, s.anomalies)}\n`);
process.stdout.write(`missed: ${[...missedKinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}\n`);
process.stdout.write(`every type >= 90 % / 90 %: ${seedsAllMet} of ${seeds.length} seeds\n`);
