// `sensorwatch bench` (npm run bench): scoring, training, Kafka-path and
// memory figures, each next to a reference measured in the same run.
// Output: markdown tables on stdout; `--json FILE` writes the full report.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logLevels, type LogLevel } from '../common/config/enums.ts';
import { FlagError, parseFlags } from '../common/config/flags.ts';
import { createLogger, type Logger } from '../common/log.ts';
import { describeMachine, probeBackends } from './machine.ts';
import { planFor, type BenchPlan } from './plan.ts';
import { renderProfileSummary, summariseCpuProfile, type CpuProfile } from './profile.ts';
import { findPython, type PythonEnv } from './reference/python.ts';
import {
  backendNames,
  emptyKafka,
  emptyMemory,
  emptyScoring,
  emptyTraining,
  missingKeys,
  renderReport,
  type BackendName,
  type BenchReport,
} from './report.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const parts = ['scoring', 'training', 'kafka', 'memory'] as const;
type Part = (typeof parts)[number];

const usage = `usage: sensorwatch bench [--quick] [--json FILE] [--only PART,...] [--backends NAME,...]
                       [--brokers HOST:PORT,...] [--loads N,...] [--processes 1,2] [--latency-only] [--repeats N]
                       [--install | --no-install] [--log-level ${logLevels.join('|')}]
       sensorwatch bench --summarise-profile FILE.cpuprofile [--top N]

  --quick        smoke run (about a minute): tiny counts, no Python installs
  --json FILE    also write the full report as JSON
  --only         run only these parts: ${parts.join(', ')} (the others report null with a reason)
  --backends     tfjs backends to measure (default: every available one of ${backendNames.join(', ')})
  --brokers      use these Kafka brokers instead of starting a local one
  --loads        offered loads for the latency runs, readings/s (default 5000,20000,50000; quick: 20000);
                 none: no latency runs (e.g. to profile ingest alone)
  --processes    layouts of the latency runs (default 1,2): 1 = ingest and scorer in one process (as the demo),
                 2 = ingest in a process of its own (as deployed); each run goes through them back to back
  --latency-only skip the ingest vs ConsumerPerformance rounds (the cheapest latency figure:
                 --only kafka --latency-only --loads 20000 --repeats 1)
  --repeats N    rounds of ingest vs Kafka's tool and runs per load (default 3; quick: 1); medians are reported
  --install      allow pip installs (numpy, CPU TensorFlow) into .cache/bench-venv even with --quick
  --no-install   never install; references that need a missing package report null
  --summarise-profile  print where a node --cpu-prof profile spends its self time, then exit

Profile with: node --cpu-prof --cpu-prof-dir=.cache/prof bin/sensorwatch.mjs bench --only kafka
`;

interface Args {
  plan: BenchPlan;
  json: string | null;
  only: Set<Part>;
  backends: BackendName[] | null;
  brokers: string[];
  log: Logger;
}

/** Flags → the run's arguments, the profile to summarise, '' for --help, or a message saying which flag is wrong. */
export function parseBenchArgs(argv: string[]): Args | { profile: string; top: number } | string {
  let values;
  try {
    values = parseFlags(argv, {
      quick: { type: 'boolean' },
      json: { type: 'string' },
      only: { type: 'string' },
      backends: { type: 'string' },
      brokers: { type: 'string' },
      loads: { type: 'string' },
      processes: { type: 'string' },
      'latency-only': { type: 'boolean' },
      repeats: { type: 'string' },
      install: { type: 'boolean' },
      'no-install': { type: 'boolean' },
      'log-level': { type: 'string' },
      'summarise-profile': { type: 'string' },
      top: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
  } catch (error) {
    if (error instanceof FlagError) return error.message;
    throw error;
  }
  if (values.help === true) return '';
  if (values['summarise-profile'] !== undefined) {
    const text = values.top ?? '15';
    const top = Number(text);
    if (!Number.isInteger(top) || top < 1) return `--top must be a positive integer, got '${text}'`;
    return { profile: values['summarise-profile'], top };
  }
  const plan = planFor(values.quick === true ? 'quick' : 'full');
  if (values.install === true && values['no-install'] === true) return '--install and --no-install contradict each other: pass one';
  if (values.install === true) Object.assign(plan, { installNumpy: true, installTensorflow: true });
  if (values['no-install'] === true) Object.assign(plan, { installNumpy: false, installTensorflow: false });
  const only = new Set<Part>();
  for (const p of (values.only ?? parts.join(',')).split(',').filter((s) => s !== '')) {
    if (!(parts as readonly string[]).includes(p)) return `--only: unknown part '${p}' (parts: ${parts.join(', ')})`;
    only.add(p as Part);
  }
  if (values.loads === 'none') plan.kafka.loads = [];
  else if (values.loads !== undefined) {
    const loads = values.loads.split(',').filter((x) => x !== '').map(Number);
    const bad = loads.find((n) => !Number.isInteger(n) || n < 100);
    if (loads.length === 0 || bad !== undefined) return `--loads: expected readings/s as integers of at least 100, comma-separated, got '${values.loads}'`;
    plan.kafka.loads = loads;
  }
  if (values.processes !== undefined) {
    const layouts = [...new Set(values.processes.split(',').filter((x) => x !== ''))];
    if (layouts.length === 0 || layouts.some((x) => x !== '1' && x !== '2')) return `--processes: expected 1, 2 or 1,2 (ingest and scorer in one process, in two), got '${values.processes}'`;
    plan.kafka.processes = layouts.map((x) => (x === '1' ? 1 : 2));
  }
  plan.kafka.latencyOnly = values['latency-only'] === true;
  if (values.repeats !== undefined) {
    const repeats = Number(values.repeats);
    if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) return `--repeats: expected an integer from 1 to 20, got '${values.repeats}'`;
    plan.kafka.repeats = repeats;
  }
  let backends: BackendName[] | null = null;
  if (values.backends !== undefined) {
    backends = [];
    for (const b of values.backends.split(',').filter((s) => s !== '')) {
      if (!(backendNames as readonly string[]).includes(b)) return `--backends: unknown backend '${b}' (backends: ${backendNames.join(', ')})`;
      backends.push(b as BackendName);
    }
  }
  const level = values['log-level'] ?? 'warn';
  if (!isLogLevel(level)) return `--log-level: '${level}' is not one of ${logLevels.join(', ')}`;
  return {
    plan,
    json: values.json ?? null,
    only,
    backends,
    brokers: (values.brokers ?? '').split(',').filter((s) => s !== ''),
    log: createLogger({ level }),
  };
}

const isLogLevel = (s: string): s is LogLevel => (logLevels as readonly string[]).includes(s);

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (typeof args === 'string') {
    if (args === '') {
      process.stdout.write(usage);
      return 0;
    }
    process.stderr.write(`sensorwatch bench: ${args}\n\n${usage}`);
    return 2;
  }
  if ('profile' in args) {
    try {
      const profile = JSON.parse(readFileSync(args.profile, 'utf8')) as CpuProfile;
      process.stdout.write(renderProfileSummary(summariseCpuProfile(profile, args.top)));
      return 0;
    } catch (error) {
      process.stderr.write(`sensorwatch bench: cannot summarise ${args.profile}: ${reasonOf(error)}\n`);
      return 1;
    }
  }
  const { plan, log } = args;
  const started = Date.now();
  const skipped = (part: Part): string => `not run: --only ${[...args.only].join(',')} leaves out ${part}`;

  const probed = await probeBackends();
  const available = backendNames.filter((b) => probed[b].available && (args.backends === null || args.backends.includes(b)));
  const wantPython = args.only.has('scoring') || args.only.has('training');
  let python: PythonEnv | null = null;
  let pythonReason: string | null = 'not needed by the parts run';
  if (wantPython) {
    const found = await findPython({
      root,
      installNumpy: plan.installNumpy,
      wantTensorflow: args.only.has('training'),
      installTensorflow: plan.installTensorflow,
      installTimeoutMs: plan.installTimeoutMs,
      log,
    });
    python = found.env;
    pythonReason = found.reason;
  }

  const report: BenchReport = {
    version: 1,
    mode: plan.mode,
    startedAt: new Date(started).toISOString(),
    durationSec: 0,
    command: ['sensorwatch', 'bench', ...argv].join(' '),
    machine: describeMachine(probed, python),
    scoring: emptyScoring(skipped('scoring')),
    training: emptyTraining(skipped('training')),
    kafka: emptyKafka(skipped('kafka')),
    memory: emptyMemory(skipped('memory')),
  };

  // The Kafka path first, in a fresh process: the scoring and training parts
  // leave backends, kernels and a larger heap behind that would weigh on the
  // ingest and scorer running in this process.
  if (args.only.has('kafka')) {
    try {
      const { benchKafka } = await import('./parts/kafka.ts');
      const backend = available.includes('wasm') ? 'wasm' : (available[0] ?? 'cpu');
      report.kafka = await benchKafka({ ...plan.kafka, brokers: args.brokers, backend, log });
    } catch (error) {
      log.error('bench: kafka failed', { error });
      report.kafka = emptyKafka(`kafka path failed: ${reasonOf(error)}`);
    }
  }
  if (args.only.has('scoring')) {
    try {
      const { benchScoring } = await import('./parts/scoring.ts');
      report.scoring = await benchScoring({ backends: available, ...plan.scoring, python, pythonReason, log });
    } catch (error) {
      log.error('bench: scoring failed', { error });
      report.scoring = emptyScoring(`scoring failed: ${reasonOf(error)}`);
    }
  }
  if (args.only.has('training')) {
    try {
      const { benchTraining } = await import('./parts/training.ts');
      report.training = await benchTraining({ backends: available, ...plan.training, python, pythonReason, log });
    } catch (error) {
      log.error('bench: training failed', { error });
      report.training = emptyTraining(`training failed: ${reasonOf(error)}`);
    }
  }
  if (args.only.has('memory')) {
    const backend = available.includes('wasm') ? 'wasm' : available[0];
    if (backend === undefined) {
      report.memory = emptyMemory('no tfjs backend could be initialised');
    } else {
      try {
        const { benchMemory } = await import('./parts/memory.ts');
        report.memory = await benchMemory({ backend, ...plan.memory, log });
      } catch (error) {
        log.error('bench: memory failed', { error });
        report.memory = emptyMemory(`memory failed: ${reasonOf(error)}`);
      }
    }
  }

  report.durationSec = (Date.now() - started) / 1000;
  process.stdout.write(`${renderReport(report)}\n`);
  if (args.json !== null) {
    const file = resolve(args.json);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  }
  const missing = missingKeys(report);
  if (missing.length > 0) {
    // A bug in this file, not a slow machine: every key must always be written.
    process.stderr.write(`sensorwatch bench: report lacks keys ${missing.join(', ')}\n`);
    return 1;
  }
  return 0;
}
