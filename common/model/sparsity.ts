// Sparsity penalties on the code layer of the sparse autoencoder.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config/types.ts';

/** Keeps log() finite when a unit is saturated. */
const eps = 1e-6;

/**
 * β · Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j = mean activation of code unit j over the batch;
 * KL(ρ ‖ ρ̂) = ρ·ln(ρ/ρ̂) + (1−ρ)·ln((1−ρ)/(1−ρ̂)). Expects sigmoid units in (0, 1).
 */
export function klPenalty(code: tf.Tensor2D, rho: number, beta: number): tf.Scalar {
  return tf.tidy(() => {
    const rhoHat = code.mean(0).clipByValue(eps, 1 - eps);
    const kl = tf
      .scalar(rho)
      .mul(tf.scalar(rho).div(rhoHat).log())
      .add(tf.scalar(1 - rho).mul(tf.scalar(1 - rho).div(tf.scalar(1).sub(rhoHat)).log()));
    return kl.sum().mul(beta) as tf.Scalar;
  });
}

/** λ · mean |h| over the batch and the code units. */
export function l1Penalty(code: tf.Tensor2D, lambda: number): tf.Scalar {
  return tf.tidy(() => code.abs().mean().mul(lambda) as tf.Scalar);
}

export function sparsityPenalty(code: tf.Tensor2D, cfg: ModelConfig['sparsity']): tf.Scalar {
  return cfg.penalty === 'kl' ? klPenalty(code, cfg.rho, cfg.beta) : l1Penalty(code, cfg.lambda);
}
