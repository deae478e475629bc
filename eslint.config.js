// Lint: typescript-eslint's recommended rules over the TypeScript sources, and
// the boundaries of the two adapters (house style 3): kafkajs is imported only
// inside common/kafka/, prom-client only by the metrics files, so that
// swapping either library touches one folder or a known list of files.
import tseslint from 'typescript-eslint';

const kafkajsOutsideAdapter = {
  name: 'kafkajs',
  message: 'kafkajs stays inside common/kafka/: use the adapter there (common/kafka/index.ts and its types.ts).',
};
const promClientOutsideMetrics = {
  name: 'prom-client',
  message: 'prom-client stays in the metrics files (*/metrics.ts, common/service/http.ts, common/service/metrics-registry.ts): take a Registry from common/service/metrics-registry.ts.',
};

/** The files that may import prom-client: each service's metrics, the metrics server and the shared registry. */
const metricsFiles = [
  'ingest/metrics.ts',
  'scorer/metrics.ts',
  'trainer/metrics.ts',
  'common/service/http.ts',
  'common/service/metrics-registry.ts',
  // The bench measures latency quantiles with the same Histogram the services export.
  'bench/parts/latency.ts',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', '.data/**', 'deploy/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [kafkajsOutsideAdapter, promClientOutsideMetrics] }],
    },
  },
  {
    files: ['common/kafka/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [promClientOutsideMetrics] }] },
  },
  {
    // Tests read metrics off the services' registries.
    files: [...metricsFiles, 'test/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [kafkajsOutsideAdapter] }] },
  },
);
