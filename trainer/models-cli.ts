// `sensorwatch models list|show|rollback`: the versioned models on the
// model-artifacts topic (or, with --local, in the local cache directory).
import { parseFlagsAndWords } from '../common/config/flags.ts';
import type { Config } from '../common/config/types.ts';
import { SensorwatchError } from '../common/errors.ts';
import { createKafka } from '../common/kafka/index.ts';
import type { Logger } from '../common/log.ts';
import { readArtifactMeta, type ModelMeta } from '../common/model/artifact.ts';
import { createModelCache } from '../common/model/store/cache.ts';
import { createModelCatalog, type ModelCatalog } from '../common/model/store/catalog.ts';
import { createModelPublisher, readArtifactLog } from '../common/model/store/kafka.ts';
import { defaultChunkBytes } from '../common/model/store/records.ts';
import { loadCliConfig, reportCliError, resolveBrokers } from '../common/service/edge.ts';

const usage = `usage: sensorwatch models list [--json] [--local]
       sensorwatch models show KEY [VERSION] [--local]
       sensorwatch models rollback KEY [VERSION]
options: --config FILE, --brokers LIST

  list       every model key and version, with kind, backend, validation loss and
             threshold; '*' marks the version in force
  show       the full metadata of a version (default: the one in force) as JSON
  rollback   puts VERSION (default: the newest older than the one in force) back in
             force: scorers switch to it; the next training gets a new version number
  --local    read trainer.modelDir instead of the Kafka topic
`;

export interface ModelRow {
  modelKey: string;
  version: number;
  current: boolean;
  meta: ModelMeta | null;
  error?: string;
}

/** Pure: the rows of `models list` from a catalog. A version whose artifact fails its checks is listed with the error. */
export function catalogRows(catalog: ModelCatalog): ModelRow[] {
  const rows: ModelRow[] = [];
  for (const modelKey of catalog.keys()) {
    const inForce = catalog.candidates(modelKey)[0];
    for (const version of catalog.versions(modelKey)) {
      const entry = catalog.artifact(modelKey, version);
      if (entry === undefined) continue;
      try {
        rows.push({ modelKey, version, current: version === inForce, meta: readArtifactMeta(entry.bytes, `${modelKey}/${version}`) });
      } catch (err) {
        rows.push({ modelKey, version, current: version === inForce, meta: null, error: (err as Error).message });
      }
    }
  }
  return rows;
}

export function formatRows(rows: readonly ModelRow[]): string {
  const header = ['', 'MODEL', 'VERSION', 'KIND', 'BACKEND', 'CREATED', 'WINDOWS', 'VAL LOSS', 'THRESHOLD'];
  const body = rows.map((r) => [
    r.current ? '*' : '',
    r.modelKey,
    String(r.version),
    r.meta?.kind ?? 'INVALID',
    r.meta?.backend ?? '',
    r.meta === null ? (r.error ?? '') : new Date(r.meta.createdAt).toISOString().replace('.000Z', 'Z'),
    r.meta === null ? '' : String(r.meta.dataRange.windows),
    r.meta === null ? '' : r.meta.metrics.valLoss.toPrecision(4),
    r.meta === null ? '' : `${r.meta.thresholds.model.value.toPrecision(4)} (${r.meta.thresholds.model.method})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  return [header, ...body].map((cols) => cols.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

/** Pure: the version `rollback KEY` goes to without an explicit VERSION. */
export function previousVersion(catalog: ModelCatalog, modelKey: string): number | undefined {
  const inForce = catalog.candidates(modelKey)[0];
  if (inForce === undefined) return undefined;
  return catalog.versions(modelKey).filter((v) => v < inForce).at(-1);
}

async function kafkaCatalog(config: Config, brokers: string[], log: Logger): Promise<ModelCatalog> {
  const kafka = createKafka({ ...config.kafka, brokers }, log, { clientSuffix: 'models-cli' });
  const catalog = createModelCatalog({ keepVersions: Number.MAX_SAFE_INTEGER });
  const admin = kafka.admin();
  await admin.connect();
  const exists = (await admin.listTopics()).includes(config.topics.modelArtifacts);
  await admin.disconnect();
  if (!exists) return catalog;
  const reader = await readArtifactLog({ kafka, topic: config.topics.modelArtifacts, log, onRecord: (r) => void catalog.apply(r), groupPrefix: 'sensorwatch.models-cli' });
  await reader.caughtUp;
  await reader.stop();
  return catalog;
}

async function localCatalog(dir: string): Promise<ModelCatalog> {
  const cache = createModelCache(dir);
  const catalog = createModelCatalog({ keepVersions: Number.MAX_SAFE_INTEGER });
  for (const modelKey of await cache.keys()) {
    for (const version of await cache.versions(modelKey)) {
      const bytes = await cache.read(modelKey, version);
      if (bytes !== null) catalog.apply({ type: 'chunk', chunk: { modelKey, version, index: 0, total: 1, checksum: '', size: bytes.length, bytes } });
    }
    const current = await cache.current(modelKey);
    if (current !== null) catalog.apply({ type: 'current', pointer: { modelKey, version: current, reason: 'cache', at: 0 } });
  }
  return catalog;
}

/** The metadata for `show`: everything but the long arrays of held-out errors (their counts instead). */
export function showable(meta: ModelMeta): Record<string, unknown> {
  const { calibration, ...rest } = meta;
  return {
    ...rest,
    calibration: {
      errors: calibration.errors.length,
      perSensorErrors: Object.fromEntries(Object.entries(calibration.perSensorErrors).map(([k, v]) => [k, v.length])),
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlagsAndWords(argv, { json: { type: 'boolean' }, local: { type: 'boolean' }, config: { type: 'string' }, brokers: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  } catch (err) {
    process.stderr.write(`sensorwatch models: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values: flags, words: positionals } = parsed;
  const [verb, key, versionText] = positionals;
  if (flags.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const version = versionText === undefined ? undefined : Number(versionText);
  const bad =
    verb === undefined || !['list', 'show', 'rollback'].includes(verb)
      ? `expected list, show or rollback, got '${verb ?? ''}'`
      : verb !== 'list' && key === undefined
        ? `${verb} needs a model KEY`
        : version !== undefined && !(Number.isInteger(version) && version > 0)
          ? `VERSION must be a positive integer, got '${versionText}'`
          : verb === 'rollback' && flags.local === true
            ? 'rollback publishes to Kafka; it cannot be --local'
            : null;
  if (bad !== null) {
    process.stderr.write(`sensorwatch models: ${bad}\n\n${usage}`);
    return 2;
  }
  try {
    const { config, log } = loadCliConfig(flags.config);
    const brokers = flags.local === true ? [] : resolveBrokers(config, flags.brokers);
    const catalog = flags.local === true ? await localCatalog(config.trainer.modelDir) : await kafkaCatalog(config, brokers, log);
    if (verb === 'list') {
      const rows = catalogRows(catalog);
      if (flags.json === true) process.stdout.write(`${JSON.stringify(rows.map((r) => ({ ...r, meta: r.meta === null ? null : showable(r.meta) })))}\n`);
      else process.stdout.write(rows.length === 0 ? 'no models yet\n' : `${formatRows(rows)}\n`);
      return 0;
    }
    const modelKey = key as string;
    if (verb === 'show') {
      const v = version ?? catalog.candidates(modelKey)[0];
      const entry = v === undefined ? undefined : catalog.artifact(modelKey, v);
      if (entry === undefined) throw notFound(modelKey, v, catalog);
      process.stdout.write(`${JSON.stringify(showable(readArtifactMeta(entry.bytes, `${modelKey}/${v}`)), null, 2)}\n`);
      return 0;
    }
    const from = catalog.candidates(modelKey)[0];
    const to = version ?? previousVersion(catalog, modelKey);
    const entry = to === undefined ? undefined : catalog.artifact(modelKey, to);
    if (entry === undefined || to === undefined) throw notFound(modelKey, to, catalog);
    // Refuse to point scorers at an artifact that would fail their checks.
    const meta = readArtifactMeta(entry.bytes, `${modelKey}/${to}`);
    const kafka = createKafka({ ...config.kafka, brokers }, log, { clientSuffix: 'models-cli' });
    const publisher = await createModelPublisher(kafka, { modelArtifacts: config.topics.modelArtifacts, models: config.topics.models });
    try {
      await publisher.point(meta, Math.max(1, Math.ceil(entry.bytes.length / defaultChunkBytes)), entry.bytes.length, 'rollback');
    } finally {
      await publisher.close();
    }
    const cache = createModelCache(config.trainer.modelDir);
    if ((await cache.versions(modelKey)).includes(to)) await cache.setCurrent(modelKey, to);
    process.stdout.write(`model ${modelKey}: version ${to} is in force (was ${from ?? 'none'})\n`);
    return 0;
  } catch (err) {
    return reportCliError('models', err);
  }
}

function notFound(modelKey: string, version: number | undefined, catalog: ModelCatalog): SensorwatchError {
  const have = catalog.versions(modelKey);
  return new SensorwatchError(
    version === undefined
      ? `model '${modelKey}' has no version to use (versions: ${have.join(', ') || 'none'}; keys: ${catalog.keys().join(', ') || 'none'})`
      : `model '${modelKey}' has no version ${version} (versions: ${have.join(', ') || 'none'})`,
    { code: 'model_not_found', details: { modelKey, version } },
  );
}
