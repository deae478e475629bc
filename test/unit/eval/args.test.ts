import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evalUsage, parseEvalArgs } from '../../../eval/args.ts';

describe('parseEvalArgs', () => {
  it('nab defaults to NAB probation as the split', () => {
    const o = parseEvalArgs(['--format', 'nab', '--data', 'd', '--out', 'o']);
    assert.deepEqual(o.split, { kind: 'nab' });
    assert.equal(o.trainHop, 1);
    assert.deepEqual(o.overrides, {});
  });
  it('csv flags and config overrides', () => {
    const o = parseEvalArgs(['--data', 'd', '--out', 'o', '--sep', ';', '--label-col', 'y', '--ignore-cols', 'a, b', '--train-until', '2024-01-02', '--kind', 'conv', '--window', '32', '--epochs', '5', '--threshold-method', 'pot', '--pot-risk', '0.001']);
    assert.deepEqual(o.split, { kind: 'until', time: Date.UTC(2024, 0, 2) });
    assert.deepEqual(o.ignoreCols, ['a', 'b']);
    assert.equal(o.timeCol, 'auto');
    assert.deepEqual(o.overrides, { model: { kind: 'conv', training: { epochs: 5 } }, windowing: { length: 32, hop: 8 }, thresholds: { method: 'pot', potRisk: 0.001 } });
  });
  const bad: Array<[string[], RegExp]> = [
    [['--data', 'd'], /--out DIR is required/],
    [['--out', 'o'], /--data PATH is required/],
    [['--data', 'd', '--out', 'o', '--format', 'xls'], /--format must be csv or nab/],
    [['--data', 'd', '--out', 'o', '--kind', 'lstm'], /--kind must be dense, dae, sae or conv/],
    [['--data', 'd', '--out', 'o', '--train-fraction', '1.5'], /--train-fraction must be between 0 and 1/],
    [['--data', 'd', '--out', 'o', '--window', '0'], /--window must be a positive integer/],
    [['--data', 'd', '--out', 'o', '--bogus'], /Unknown option '--bogus'/],
    [['--data', 'd', '--out', 'o', '--threshold-method', 'iqr'], /--threshold-method must be likelihood, quantile, mean_std, pot, static or adaptive, got 'iqr'/],
    [['--data', 'd', '--out', 'o', '--spacing', 'events'], /--spacing must be time or rows, got 'events'/],
    [['--data', 'd', '--out', 'o', '--quantile', '1'], /--quantile must be between 0 and 1, got '1'/],
    [['--data', 'd', '--out', 'o', '--train-rows', '0'], /--train-rows must be a positive integer, got '0'/],
  ];
  for (const [argv, re] of bad) it(`refuses ${argv.join(' ')}`, () => assert.throws(() => parseEvalArgs(argv), re));
  it('csv input flags keep their documented meaning', () => {
    const o = parseEvalArgs(['--data', 'd', '--out', 'o', '--sep', '\t', '--time-col', 't', '--label-col', 'y', '--ignore-cols', 'a,,b ', '--train-rows', '40']);
    assert.deepEqual([o.sep, o.timeCol, o.labelCol, o.ignoreCols, o.split], ['\t', 't', 'y', ['a', 'b'], { kind: 'rows', rows: 40 }]);
    assert.deepEqual([o.format, o.spacing, o.overrides], ['csv', 'time', {}]);
  });
  it('a usage error carries the usage', () => assert.throws(() => parseEvalArgs(['--out', 'o', '--kind', 'x']), (err: Error) => err.message.includes(evalUsage) && (err as { code?: string }).code === 'usage'));
});
