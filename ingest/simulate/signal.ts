// The normal behaviour of one simulated sensor: a few latent periodic sources
// at different frequencies, mixed into correlated channels, on a slowly moving
// operating point, plus white noise. All in event time (seconds since start).
// A recovery (anomalies.ts) leaves a channel at a slightly different operating
// point for good: `shifts`, added to its value.
import type { Rng } from '../../common/rng.ts';

export interface SensorModel {
  /** Latent source frequencies, Hz (slow, medium, fast). */
  freqs: number[];
  phases: number[];
  /** mixing[c][k]: weight of latent source k in channel c (shared sources make channels correlated). */
  mixing: number[][];
  offsets: number[];
  noise: number[];
  /** Slow operating-point change: period (s), amplitude (fraction of the signal) and phase. */
  opPeriod: number;
  opAmplitude: number;
  opPhase: number;
  /** Typical spread of each channel, used to size injected anomalies. */
  scale: number[];
  /** Where a recovery left each channel (anomalies.ts settleAnomaly): added to its value from then on; 0 until one does. */
  shifts: number[];
}

const TWO_PI = 2 * Math.PI;

export function newSensorModel(rng: Rng, channels: number, rateHz: number): SensorModel {
  // keep every component well below the Nyquist frequency of the sample rate
  const nyquist = rateHz / 2;
  const band = (lo: number, hi: number): number => Math.min(lo + rng.next() * (hi - lo), 0.4 * nyquist);
  const freqs = [band(0.02, 0.08), band(0.2, 0.6), band(1, 3)];
  const phases = freqs.map(() => rng.next() * TWO_PI);
  const mixing = Array.from({ length: channels }, () => freqs.map((_, k) => (rng.next() * 2 - 1) * (k === 0 ? 2 : k === 1 ? 1 : 0.5)));
  const offsets = Array.from({ length: channels }, () => (rng.next() * 2 - 1) * 10);
  const noise = Array.from({ length: channels }, () => 0.05 + rng.next() * 0.1);
  const opAmplitude = 0.1 + rng.next() * 0.2;
  // standard deviation of each channel over a long run: periodic part, the
  // operating point's swing of the offset, and noise
  const scale = mixing.map((w, c) => {
    const periodic = w.reduce((s, x) => s + (x * x) / 2, 0) * (1 + (opAmplitude * opAmplitude) / 2);
    const swing = ((offsets[c] ?? 0) * opAmplitude) ** 2 / 2;
    return Math.sqrt(periodic + swing + (noise[c] ?? 0) ** 2) || 1;
  });
  return { freqs, phases, mixing, offsets, noise, opPeriod: 300 + rng.next() * 900, opAmplitude, opPhase: rng.next() * TWO_PI, scale, shifts: offsets.map(() => 0) };
}

/**
 * Channel values at time `t` (s) without noise. `freqScale[c]` multiplies the
 * frequencies seen by channel c (1 = normal; the frequency_change anomaly).
 */
export function cleanValue(m: SensorModel, c: number, t: number, freqScale: number): number {
  const op = 1 + m.opAmplitude * Math.sin((TWO_PI * t) / m.opPeriod + m.opPhase);
  const w = m.mixing[c] as number[];
  let v = 0;
  for (let k = 0; k < m.freqs.length; k++) {
    v += (w[k] as number) * Math.sin(TWO_PI * (m.freqs[k] as number) * freqScale * t + (m.phases[k] as number));
  }
  return (m.offsets[c] as number) * op + v * op + (m.shifts[c] ?? 0);
}
