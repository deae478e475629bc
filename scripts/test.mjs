#!/usr/bin/env node
// `npm test`: every test/**/*.test.ts through Node's own test runner.
// Integration tests share one real Kafka broker, started here once (unless
// SENSORWATCH_TEST_BROKERS points at one) and stopped at the end.
// Tests that need a tool this machine lacks (chromium, promtool, prometheus;
// java or mvn for the broker) skip with a one-line reason, listed at the end;
// SENSORWATCH_REQUIRE_TOOLS=1 (.ci/run) turns every such skip into a failure.
// Usage: node scripts/test.mjs [path-substring ...]   (filters the files)
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
let files = findTests(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
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
if (files.length > 0) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${env.SENSORWATCH_TEST_CONCURRENCY ?? '1'}`, ...files],
    { cwd: root, env, stdio: 'inherit' },
  );
  code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
}
if (broker) await broker.stop();
summary();
process.exit(code);
