// `sensorwatch bench` flags: the shared parser, the checks on each flag, and
// the messages that say which flag is wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBenchArgs } from '../../../bench/cli.ts';

describe('parseBenchArgs', () => {
  it('defaults: every part, full plan', () => {
    const a = parseBenchArgs([]);
    assert.ok(typeof a === 'object' && 'plan' in a);
    assert.deepEqual([...a.only], ['scoring', 'training', 'kafka', 'memory']);
    assert.deepEqual([a.plan.mode, a.json, a.backends, a.brokers], ['full', null, null, []]);
  });
  it('--help', () => assert.equal(parseBenchArgs(['-h']), ''));
  it('--summarise-profile with the default --top', () => assert.deepEqual(parseBenchArgs(['--summarise-profile', 'p.cpuprofile']), { profile: 'p.cpuprofile', top: 15 }));
  it('--quick --only --backends --loads --repeats', () => {
    const a = parseBenchArgs(['--quick', '--only', 'kafka', '--backends', 'wasm,cpu', '--loads', '1000,2000', '--repeats', '2', '--brokers', 'h:1', '--log-level', 'debug']);
    assert.ok(typeof a === 'object' && 'plan' in a);
    assert.deepEqual([a.plan.mode, [...a.only], a.backends, a.plan.kafka.loads, a.plan.kafka.repeats, a.brokers], ['quick', ['kafka'], ['wasm', 'cpu'], [1000, 2000], 2, ['h:1']]);
  });
  const bad: Array<[string[], RegExp]> = [
    [['--log-level', 'loud'], /^--log-level: 'loud' is not one of debug, info, warn, error$/],
    [['--only', 'gpu'], /^--only: unknown part 'gpu'/],
    [['--backends', 'webgl'], /^--backends: unknown backend 'webgl' \(backends: tensorflow, wasm, cpu\)$/],
    [['--repeats', '0'], /^--repeats: expected an integer from 1 to 20/],
    [['--install', '--no-install'], /contradict/],
    [['--summarise-profile', 'p', '--top', '0'], /^--top must be a positive integer, got '0'$/],
    [['--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [argv, re] of bad) it(`refuses ${argv.join(' ')}`, () => assert.match(String(parseBenchArgs(argv)), re));
});
