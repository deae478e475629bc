import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dataDependent, dataDependentCase, provokedExpression } from './data-dependent.ts';
import { extractExpressions, type Expression } from './provisioning.ts';

describe('data-dependent expressions', () => {
  const expressions = extractExpressions();

  for (const c of dataDependent) {
    it(`'${c.contains}' matches an expression (no stale entries)`, () => {
      assert.ok(expressions.some((e) => dataDependentCase(e) === c), 'matches nothing');
    });
  }

  it('lowered thresholds replace the trailing literal only', () => {
    for (const e of expressions) {
      const c = dataDependentCase(e);
      if (c?.provoke.kind !== 'lowered-threshold') continue;
      const run = provokedExpression(e, c);
      assert.notEqual(run, e.expr);
      assert.equal(run.slice(0, -c.provoke.to.length), e.expr.slice(0, -c.provoke.from.length));
    }
  });

  const cases: { expr: string; source: Expression['source']; provoke: string | undefined }[] = [
    { expr: 'up{job="sensorwatch-scorer"} < 1', source: 'prometheus-alert', provoke: 'stop' },
    { expr: 'up{job="sensorwatch-scorer"}', source: 'grafana-alert', provoke: undefined },
    { expr: 'sensorwatch:windows_scored:rate1m', source: 'dashboard-panel', provoke: undefined },
    { expr: 'sum by (kind, severity) (sensorwatch_alerts_open)', source: 'prometheus-recording', provoke: 'anomaly' },
    { expr: 'sum by (kind, severity) (sensorwatch_alerts_open)', source: 'dashboard-panel', provoke: undefined },
  ];
  for (const { expr, source, provoke } of cases) {
    it(`${source} ${expr} -> ${provoke ?? 'must have data'}`, () => {
      assert.equal(dataDependentCase({ source, where: 'x', expr })?.provoke.kind, provoke);
    });
  }

  it('a lowered threshold that does not end the expression is refused', () => {
    const c = dataDependent.find((x) => x.provoke.kind === 'lowered-threshold');
    assert.ok(c);
    assert.throws(() => provokedExpression({ source: 'prometheus-alert', where: 'x', expr: `${c.contains} or vector(1)` }, c), /expected/);
  });
});
