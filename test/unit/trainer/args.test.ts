// `sensorwatch train` flags: what each becomes, what is refused, and that the
// config overrides go through loadConfig's checks (cross-field rules included).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FlagError } from '../../../common/config/flags.ts';
import { parseConfigText } from '../../../common/config/load.ts';
import { parseTrainArgs, trainUsage } from '../../../trainer/args.ts';

describe('parseTrainArgs', () => {
  it('no flags: the scheduled service, no overrides', () => {
    const o = parseTrainArgs([]);
    assert.deepEqual(o, { help: false, once: false, synthetic: false, json: false, quiet: false, seconds: 300, metricsPort: undefined, config: undefined, brokers: undefined, overrides: {} });
  });
  it('--kind, --epochs and --backend become config overrides', () => {
    const o = parseTrainArgs(['--once', '--synthetic', '--kind', 'conv', '--epochs', '5', '--backend', 'wasm', '--seconds', '90', '--metrics-port', '0', '--json', '--quiet']);
    assert.deepEqual(o.overrides, { model: { kind: 'conv', training: { epochs: 5 } }, trainer: { backend: 'wasm' } });
    assert.deepEqual([o.once, o.synthetic, o.json, o.quiet, o.seconds, o.metricsPort], [true, true, true, true, 90, 0]);
  });
  it('--help wins over the other flags', () => assert.equal(parseTrainArgs(['--kind', 'lstm', '--help']).help, true));
  const bad: Array<[string[], RegExp]> = [
    [['--kind', 'lstm'], /^--kind must be dense, dae, sae or conv, got 'lstm'$/],
    [['--backend', 'gpu'], /^--backend must be auto, tensorflow, wasm or cpu, got 'gpu'$/],
    [['--epochs', '0'], /^--epochs must be a positive integer, got '0'$/],
    [['--seconds', '1.5'], /^--seconds must be a positive integer, got '1.5'$/],
    [['--metrics-port', '70000'], /^--metrics-port must be a port number 0-65535, got '70000'$/],
    [['--synthetic'], /^--synthetic needs --once/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /Unexpected argument 'extra'/],
  ];
  for (const [argv, re] of bad) {
    it(`refuses ${argv.join(' ')}`, () => assert.throws(() => parseTrainArgs(argv), (err: unknown) => err instanceof FlagError && re.test(err.message)));
  }
  it('the usage lists every model kind and backend', () => {
    assert.match(trainUsage, /--kind dense\|dae\|sae\|conv/);
    assert.match(trainUsage, /--backend auto\|tensorflow\|wasm\|cpu/);
  });
  it('an override that breaks a cross-field rule is refused by the config checks', () => {
    // windowing.length 62 is fine for dae, but the conv model halves the time axis per filter layer (2 layers: divisible by 4).
    const yaml = 'windowing:\n  length: 62\n  hop: 16\n';
    assert.doesNotThrow(() => parseConfigText(yaml, 'f.yaml'));
    const { overrides } = parseTrainArgs(['--once', '--kind', 'conv']);
    assert.throws(() => parseConfigText(yaml, 'f.yaml', {}, overrides), /windowing\.length \(62\) must be divisible by 4 for the conv model/);
  });
});
