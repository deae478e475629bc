// Input corruption for the denoising autoencoder: applied afresh to every
// batch (the target stays clean). Pure: draws from the injected seeded Rng.
import type { CorruptionKind } from '../config/types.ts';
import type { Rng } from '../rng.ts';

export interface Corruption {
  kind: CorruptionKind;
  /** gaussian: σ in normalised units; masking / salt_and_pepper: fraction of inputs hit. */
  level: number;
}

/** Per-channel bounds of the normalised training data: salt is the max, pepper the min. */
export interface ChannelRange {
  min: number[];
  max: number[];
}

/**
 * A corrupted copy of row-major `x` (… × channels). The channel of x[i] is
 * i % channels, as in normaliseWindow's layout.
 */
export function corrupt(x: Float32Array, noise: Corruption, rng: Rng, range: ChannelRange): Float32Array {
  const out = new Float32Array(x);
  const C = range.min.length;
  switch (noise.kind) {
    case 'gaussian':
      for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) + noise.level * rng.normal();
      break;
    case 'masking':
      for (let i = 0; i < out.length; i++) if (rng.next() < noise.level) out[i] = 0;
      break;
    case 'salt_and_pepper':
      for (let i = 0; i < out.length; i++) {
        if (rng.next() < noise.level) {
          const c = i % C;
          out[i] = rng.next() < 0.5 ? (range.min[c] ?? 0) : (range.max[c] ?? 0);
        }
      }
      break;
  }
  return out;
}

/** Per-channel min and max of row-major data with `channels` columns. */
export function channelRange(x: Float32Array, channels: number): ChannelRange {
  const min = new Array<number>(channels).fill(Number.POSITIVE_INFINITY);
  const max = new Array<number>(channels).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    const v = x[i] ?? 0;
    if (v < (min[c] ?? 0)) min[c] = v;
    if (v > (max[c] ?? 0)) max[c] = v;
  }
  return {
    min: min.map((v) => (Number.isFinite(v) ? v : 0)),
    max: max.map((v) => (Number.isFinite(v) ? v : 0)),
  };
}
