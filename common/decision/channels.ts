// Which channels an alert names: per channel, its term of the error the score
// came from, and the largest of them. Pure.
import type { ChannelContribution } from '../types.ts';
import type { LikelihoodConfig } from '../config/types.ts';
import type { JudgedError } from './score.ts';

/** Per-channel terms of the two errors a score may judge (common/model/score.ts), in `names` order, and how many an alert names. */
export interface ChannelTerms {
  names: readonly string[];
  /** Shares of the whole-window error (they sum to it). */
  window: readonly number[];
  /** Terms of the per-step error (they sum to it). */
  step: readonly number[];
  top: number;
}

/**
 * Per channel, its term of the error the score came from: the whole-window error's shares
 * (they sum to it), or the per-step terms (standardised; with the channel max, each channel's
 * own term, so the largest is the judged error).
 */
export function channelTerms(terms: Pick<ChannelTerms, 'window' | 'step'>, judged: JudgedError, combine: LikelihoodConfig['combine']): number[] {
  if (judged === 'window') return [...terms.window];
  return combine === 'max' ? terms.step.map((v) => v * terms.step.length) : [...terms.step];
}

/** The n largest contributions, largest first. */
export function topChannels(channels: readonly string[], contributions: readonly number[], n: number): ChannelContribution[] {
  return channels
    .map((channel, i) => ({ channel, contribution: contributions[i] ?? 0 }))
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, Math.max(0, n));
}
