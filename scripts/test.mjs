#!/usr/bin/env node
// `npm test`: every test/**/*.test.ts through Node's own test runner.
// Integration tests share one real Kafka broker, started here once (unless
// SENSORWATCH_TEST_BROKERS points at one) and stopped at the end.
// Usage: node scripts/test.mjs [path-substring ...]   (filters the files)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
const files = findTests(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

let broker;
const env = { ...process.env };
const needsBroker = files.some((f) => f.startsWith('test/integration/'));
if (needsBroker && !env.SENSORWATCH_TEST_BROKERS) {
  const { register } = await import('tsx/esm/api');
  register();
  const { startLocalBroker } = await import('../common/kafka-local/local-broker.ts');
  broker = await startLocalBroker({ port: 0, log: (m) => console.error(`[test broker] ${m}`) });
  env.SENSORWATCH_TEST_BROKERS = broker.brokers.join(',');
  console.error(`[test broker] ready at ${env.SENSORWATCH_TEST_BROKERS}`);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${env.SENSORWATCH_TEST_CONCURRENCY ?? '1'}`, ...files],
  { cwd: root, env, stdio: 'inherit' },
);
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
if (broker) await broker.stop();
process.exit(code);
