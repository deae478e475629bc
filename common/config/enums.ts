// Every closed list of values the configuration (and the command line) accepts,
// written once. The types derive from these lists (types.ts), the schema's enum
// rules use them (schema.ts), and the CLIs validate and print their flags from them.

export const modelKinds = ['dense', 'dae', 'sae', 'conv'] as const;
export type ModelKind = (typeof modelKinds)[number];

export const activations = ['relu', 'tanh', 'sigmoid'] as const;
export type Activation = (typeof activations)[number];

export const normalisationKinds = ['zscore', 'robust', 'window'] as const;
export type NormalisationKind = (typeof normalisationKinds)[number];

export const corruptionKinds = ['gaussian', 'masking', 'salt_and_pepper'] as const;
export type CorruptionKind = (typeof corruptionKinds)[number];

export const sparsityPenalties = ['kl', 'l1'] as const;
export type SparsityPenalty = (typeof sparsityPenalties)[number];

export const thresholdMethods = ['likelihood', 'quantile', 'mean_std', 'pot', 'static', 'adaptive'] as const;
export type ThresholdMethod = (typeof thresholdMethods)[number];

/** The methods a per-sensor threshold may use: those with a threshold on the raw error and no state of their own. */
export const perSensorThresholdMethods = ['quantile', 'mean_std', 'pot', 'static'] as const satisfies readonly ThresholdMethod[];

/** TensorFlow.js backends, in the order `auto` tries them. */
export const backendNames = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];
export const backendChoices = ['auto', ...backendNames] as const;
export type BackendChoice = (typeof backendChoices)[number];

export const gapPolicies = ['fill', 'reset'] as const;
export type GapPolicy = (typeof gapPolicies)[number];

export const saslMechanisms = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

/** thresholds.likelihood.error: which error is judged. */
export const likelihoodErrors = ['step', 'window', 'both'] as const;
export type LikelihoodError = (typeof likelihoodErrors)[number];

/** thresholds.likelihood.combine: how channels combine into the per-step error. */
export const likelihoodCombines = ['mean', 'max'] as const;
export type LikelihoodCombine = (typeof likelihoodCombines)[number];

/** thresholds.likelihood.distribution: the shape of the error's estimate. */
export const likelihoodDistributions = ['normal', 'lognormal', 'cube_root'] as const;
export type LikelihoodDistribution = (typeof likelihoodDistributions)[number];

/** The topic roles (keys of `topics` that name a topic); each needs its own topic name. */
export const topicRoles = ['readings', 'windows', 'alerts', 'models', 'modelArtifacts', 'deadLetter', 'labels', 'verdicts'] as const;
export type TopicRole = (typeof topicRoles)[number];

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

/** `a, b or c`: a list as a sentence names it (flag messages). */
export function orList(values: readonly string[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}
