// The simulator's pure parts: a sensor's normal signal (signal.ts) and what each
// injected anomaly does to it (anomalies.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../../../common/rng.ts';
import { anomalyKinds, applyAnomaly, freqScaleAt, planAnomaly, type ActiveAnomaly } from '../../../../ingest/simulate/anomalies.ts';
import { cleanValue, newSensorModel } from '../../../../ingest/simulate/signal.ts';

const rateHz = 20;
const model = newSensorModel(createRng(7), 8, rateHz);

describe('simulated signal', () => {
  it('is deterministic for a seed, and differs between seeds', () => {
    assert.deepEqual(newSensorModel(createRng(7), 8, rateHz), model);
    assert.notDeepEqual(newSensorModel(createRng(8), 8, rateHz).offsets, model.offsets);
  });

  it('keeps every latent frequency below the Nyquist frequency, also at a low rate', () => {
    for (const rate of [1, 2, 20]) {
      const m = newSensorModel(createRng(3), 3, rate);
      for (const f of m.freqs) assert.ok(f > 0 && f <= 0.4 * (rate / 2) + 1e-12, `${f} Hz at ${rate} Hz`);
    }
  });

  it("each channel's spread over a long run is near its stated scale", () => {
    for (let c = 0; c < 8; c++) {
      const n = 40_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const v = cleanValue(model, c, (i / n) * 4 * model.opPeriod, 1);
        s += v;
        s2 += v * v;
      }
      const sd = Math.sqrt(s2 / n - (s / n) ** 2);
      const scale = model.scale[c] as number;
      assert.ok(sd > 0.5 * scale && sd < 1.5 * scale, `channel ${c}: spread ${sd.toFixed(3)}, scale ${scale.toFixed(3)}`);
    }
  });
});

describe('injected anomalies', () => {
  const rng = createRng(11);
  const plans = anomalyKinds.map((kind) => planAnomaly(rng, kind, 100, rateHz, 8));

  it('plans each kind with channels in range, a start and an end after it', () => {
    for (const a of plans) {
      assert.equal(a.startIndex, 100);
      assert.ok(a.endIndex >= a.startIndex, a.kind);
      assert.ok(a.channels.length >= 1 && a.channels.every((c) => Number.isInteger(c) && c >= 0 && c < 8), `${a.kind}: ${a.channels.join(',')}`);
      assert.deepEqual(a.channels, [...a.channels].sort((x, y) => x - y));
    }
    const spike = plans.find((a) => a.kind === 'spike') as ActiveAnomaly;
    assert.ok(spike.endIndex - spike.startIndex + 1 <= 3, 'a spike lasts 1–3 samples');
    assert.ok(Math.abs(spike.magnitude) >= 6, 'a spike is at least 6 scales');
  });

  it('leaves values alone before its start and on channels it does not cover', () => {
    for (const a of plans) {
      const other = [0, 1, 2, 3, 4, 5, 6, 7].find((c) => !a.channels.includes(c));
      assert.equal(applyAnomaly(a, model, a.channels[0] as number, 99, 1.5, 0.3), 1.5, `${a.kind} before its start`);
      if (other !== undefined) assert.equal(applyAnomaly(a, model, other, 120, 1.5, 0.3), 1.5, `${a.kind} on channel ${other}`);
      assert.equal(applyAnomaly(null, model, 0, 120, 1.5, 0.3), 1.5);
    }
  });

  it('does what its kind says on a covered channel', () => {
    const c = (a: ActiveAnomaly): number => a.channels[0] as number;
    const of = (kind: string): ActiveAnomaly => plans.find((a) => a.kind === kind) as ActiveAnomaly;
    const shift = of('level_shift');
    assert.equal(applyAnomaly(shift, model, c(shift), 105, 2, 0), 2 + shift.magnitude * (model.scale[c(shift)] as number));
    const drift = of('drift');
    const first = applyAnomaly(drift, model, c(drift), drift.startIndex, 0, 0);
    const last = applyAnomaly(drift, model, c(drift), drift.endIndex, 0, 0);
    assert.ok(Math.abs(last) > Math.abs(first), 'a drift grows');
    assert.ok(Math.abs(last - drift.magnitude * (model.scale[c(drift)] as number)) < 1e-9, 'and reaches its magnitude at its end');
    const flat = { ...of('flatline'), held: new Map<number, number>() };
    assert.equal(applyAnomaly(flat, model, c(flat), 100, 4.2, 0), 4.2);
    assert.equal(applyAnomaly(flat, model, c(flat), 101, 9.9, 0), 4.2, 'a flatline holds the first value');
    const burst = of('noise_burst');
    assert.ok(applyAnomaly(burst, model, c(burst), 105, 0, 1) > 0, 'a noise burst amplifies the noise');
    const freq = of('frequency_change');
    assert.equal(freqScaleAt(freq, c(freq), 105), 3);
    assert.equal(freqScaleAt(freq, c(freq), 99), 1);
    assert.equal(applyAnomaly(freq, model, c(freq), 105, 2, 0), 2, 'the frequency change acts through freqScaleAt');
  });
});
