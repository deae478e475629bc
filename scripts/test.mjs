#!/usr/bin/env node
// `npm test`: every test/**/*.test.ts through Node's own test runner.
// Integration tests share one real Kafka broker, started here once (unless
// SENSORWATCH_TEST_BROKERS points at one) and stopped at the end.
// Tests that need a tool this machine lacks (chromium, promtool, prometheus;
// java or mvn for the broker) skip with a one-line reason, listed at the end;
// SENSORWATCH_REQUIRE_TOOLS=1 (.ci/run) turns every such skip into a failure.
// Usage: node scripts/test.mjs [path-substring ...]   (filters the files)
// Without a filter: every file but the fault suite (test/integration/faults/,
// `npm run test:faults`, which .ci/run runs too).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

const filters = process.argv.slice(2);
let files = selectTests(findTests(join(root, 'test')), filters);
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const { register } = await import('tsx/esm/api');
register();
const tools = await import('../test/support/tools.ts');
const { brokerToolsMissing, kafkaJarsCached } = await import('../common/kafka-local/jars.ts');

const env = { ...process.env };
const skipLog = join(tmpdir(), `sensorwatch-test-skips-${process.pid}.jsonl`);
rmSync(skipLog, { force: true });
env[tools.skipLogVar] = skipLog;
const required = tools.toolsRequired(env);

function summary() {
  const records = existsSync(skipLog)
    ? readFileSync(skipLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
    : [];
  rmSync(skipLog, { force: true });
  for (const line of tools.skipSummary(records)) console.error(line);
}

// Without java (or without mvn while the jars are not cached) no broker can
// start: the integration tests are left out, with the reason.
const integration = files.filter((f) => f.startsWith('test/integration/'));
if (integration.length > 0 && !env.SENSORWATCH_TEST_BROKERS) {
  const lacking = brokerToolsMissing({ jarsCached: kafkaJarsCached(), env });
  if (lacking !== undefined) {
    if (required) {
      console.error(`${lacking.message} (${tools.requireToolsVar} is set: a missing tool fails)`);
      process.exit(1);
    }
    const n = integration.length;
    console.error(`${lacking.message}: skipping ${n} integration test file${n === 1 ? '' : 's'} (they need the Kafka broker)`);
    tools.recordSkip({ tool: lacking.tools.join(', '), reason: lacking.message, file: 'test/integration/', unit: 'file', count: integration.length }, env);
    files = files.filter((f) => !integration.includes(f));
  }
}

let broker;
if (files.some((f) => f.startsWith('test/integration/')) && !env.SENSORWATCH_TEST_BROKERS) {
  const { startLocalBroker } = await import('../common/kafka-local/local-broker.ts');
  try {
    broker = await startLocalBroker({ port: 0, log: (m) => console.error(`[test broker] ${m}`) });
  } catch (error) {
    console.error(`[test broker] could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  env.SENSORWATCH_TEST_BROKERS = broker.brokers.join(',');
  console.error(`[test broker] ready at ${env.SENSORWATCH_TEST_BROKERS}`);
}

let code = 0;
let counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
if (files.length > 0) ({ code, counts } = await runTestFiles(files, env));
if (broker) await broker.stop();
summary();
// One total over both lanes (each lane's runner prints its own), as a plain closing line.
console.log(`tests: ${counts.pass} passed, ${counts.fail + counts.cancelled} failed, ${counts.skipped} skipped`);
process.exit(code);

/** The files whose path contains one of the filters; with none, all but the fault suite (its own command). */
function selectTests(all, filters) {
  if (filters.length === 0) return all.filter((f) => !f.startsWith('test/integration/faults/'));
  return all.filter((f) => filters.some((s) => f.includes(s)));
}

/**
 * Node's test runner over `files` (one process per file), in two lanes side by
 * side: the integration files one at a time (they share one broker; some stop
 * their own, and their waits allow for load, not for each other), and beside
 * them the unit files, one at a time too (two at a time when they run alone).
 * Each file's start-up (tsx, TensorFlow.js) costs about a second, and an
 * integration test mostly waits on the broker: the unit lane fills that time.
 * SENSORWATCH_TEST_CONCURRENCY sets both lanes' concurrency.
 * The report stays in one piece per lane: the first lane streams, the other's
 * output is held and printed once the first has ended. Resolves to the exit
 * code (the first lane's that is not 0, else 0) and the runners' counts summed
 * over the lanes.
 */
async function runTestFiles(files, env) {
  const integration = files.filter((f) => f.startsWith('test/integration/'));
  const unit = files.filter((f) => !f.startsWith('test/integration/'));
  const lanes = [];
  if (unit.length > 0) lanes.push({ files: unit, concurrency: integration.length > 0 ? 1 : 2 });
  if (integration.length > 0) lanes.push({ files: integration, concurrency: 1 });
  let live = 0;
  const counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
  const flush = () => {
    while (live < lanes.length) {
      const lane = lanes[live];
      for (const [stream, chunk] of lane.held) stream.write(chunk);
      lane.held = [];
      if (!lane.done) return;
      live += 1;
    }
  };
  const codes = await Promise.all(
    lanes.map((lane, i) => {
      lane.held = [];
      lane.done = false;
      const concurrency = env.SENSORWATCH_TEST_CONCURRENCY ?? String(lane.concurrency);
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...lane.files], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      const pass = (stream) => (chunk) => {
        if (stream === process.stdout) text += chunk;
        return i === live ? stream.write(chunk) : lane.held.push([stream, chunk]);
      };
      child.stdout.on('data', pass(process.stdout));
      child.stderr.on('data', pass(process.stderr));
      return new Promise((resolve) =>
        child.on('close', (c, sig) => {
          lane.done = true;
          for (const m of text.matchAll(/^ℹ (pass|fail|cancelled|skipped) (\d+)$/gm)) counts[m[1]] += Number(m[2]);
          text = '';
          flush();
          resolve(c ?? (sig ? 1 : 0));
        }),
      );
    }),
  );
  return { code: codes.find((c) => c !== 0) ?? 0, counts };
}
