// The metrics registry each service registers its metrics on and the metrics
// server reads. prom-client is imported only here, in the metrics files
// (*/metrics.ts) and by the metrics server (http.ts): eslint.config.js keeps
// it so, and a change of metrics library starts from these files.
export { Registry } from 'prom-client';
