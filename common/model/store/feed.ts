// The scorer's model feed: the newest valid version of each model key at start
// (the one its pointer names), then every new one as it is published. A
// corrupt or incompatible artifact is refused with its error logged and the
// previous version keeps serving. Loaded artifacts are written to the local
// cache, which also gives a warm start before Kafka has caught up.
import type { KafkaClient } from '../../kafka/index.ts';
import type { Logger } from '../../log.ts';
import { parseArtifact, readArtifactMeta, type LoadedModel } from '../artifact.ts';
import { createModelCache, type ModelCache } from './cache.ts';
import { createModelCatalog, type ModelCatalog } from './catalog.ts';
import { ensureModelTopics, readArtifactLog, type ArtifactLogReader, type StoreTopics } from './kafka.ts';

export interface ModelRefusal {
  modelKey: string;
  version: number;
  /** model_corrupt | model_incompatible | model_invalid (common/model/artifact.ts) | … */
  code: string;
  message: string;
}

export interface ModelFeedOptions {
  kafka: KafkaClient;
  topics: StoreTopics;
  log: Logger;
  /** Local cache directory (trainer.modelDir): warm start and a copy of every loaded artifact. */
  cacheDir?: string;
  onRefused?: (refusal: ModelRefusal) => void;
}

/** Structurally the scorer's ModelFeed port. */
export interface ModelFeed {
  start(offer: (model: LoadedModel) => void): Promise<void>;
  stop(): Promise<void>;
}

export function createModelFeed(options: ModelFeedOptions): ModelFeed {
  const { kafka, topics, log } = options;
  const cache = options.cacheDir === undefined ? undefined : createModelCache(options.cacheDir);
  const catalog = createModelCatalog();
  const serving = new Map<string, { version: number; checksum: string }>();
  const refused = new Map<string, Set<number>>();
  let reader: ArtifactLogReader | undefined;
  let chain: Promise<void> = Promise.resolve();
  let live = false;
  let offer: (model: LoadedModel) => void = () => undefined;

  const refuse = (modelKey: string, version: number, err: unknown): void => {
    const code = (err as { code?: string }).code ?? 'model_load_failed';
    const message = (err as Error).message;
    (refused.get(modelKey) ?? refused.set(modelKey, new Set()).get(modelKey))?.add(version);
    const current = serving.get(modelKey);
    log.error('model refused; the previous version keeps serving', { modelKey, version, code, error: message, serving: current?.version ?? null });
    options.onRefused?.({ modelKey, version, code, message });
  };

  const evaluate = async (modelKey: string): Promise<void> => {
    for (const version of catalog.candidates(modelKey, refused.get(modelKey))) {
      const entry = catalog.artifact(modelKey, version);
      const current = serving.get(modelKey);
      if (entry === undefined) continue;
      if (current?.version === version && current.checksum === entry.checksum) return;
      try {
        const model = await parseArtifact(entry.bytes, `${topics.modelArtifacts} ${modelKey}/${version}`);
        serving.set(modelKey, { version, checksum: model.meta.checksum });
        log.info('model loaded', { modelKey, version, kind: model.meta.kind, backend: model.meta.backend, checksum: model.meta.checksum });
        // Cached before it is offered: whoever sees the model served finds it on disk too.
        if (cache !== undefined) await writeToCache(cache, modelKey, version, entry.bytes, log);
        offer(model);
        return;
      } catch (err) {
        refuse(modelKey, version, err);
        // With nothing serving yet, fall back to the next best version; otherwise keep the one in force.
        if (serving.has(modelKey)) return;
      }
    }
  };
  const schedule = (modelKey: string): void => {
    chain = chain.then(() => evaluate(modelKey)).catch((err: unknown) => log.error('model feed failed to evaluate a key', { modelKey, error: err }));
  };

  return {
    async start(offerModel) {
      offer = offerModel;
      if (cache !== undefined) await warmStart(cache, catalog, log);
      for (const key of catalog.keys()) schedule(key);
      await chain;
      await ensureModelTopics(kafka, topics);
      reader = await readArtifactLog({
        kafka,
        topic: topics.modelArtifacts,
        log,
        follow: true,
        onRecord: (record) => {
          const key = catalog.apply(record);
          if (key !== null && live) schedule(key);
        },
      });
      await reader.caughtUp;
      live = true;
      for (const key of catalog.keys()) schedule(key);
      await chain;
    },
    async stop() {
      await reader?.stop();
      await chain;
    },
  };
}

/** Seeds the catalog with cached artifacts and pointers, as if read from the topic. */
async function warmStart(cache: ModelCache, catalog: ModelCatalog, log: Logger): Promise<void> {
  for (const modelKey of await cache.keys()) {
    const versions = await cache.versions(modelKey);
    const current = await cache.current(modelKey);
    for (const version of versions.slice(-3)) {
      const bytes = await cache.read(modelKey, version);
      if (bytes === null) continue;
      let checksum: string;
      try {
        checksum = readArtifactMeta(bytes, `cached ${modelKey}/${version}`).checksum;
      } catch (err) {
        log.warn('ignoring a bad cached artifact', { dir: cache.dir, modelKey, version, error: err });
        continue;
      }
      catalog.apply({ type: 'chunk', chunk: { modelKey, version, index: 0, total: 1, checksum, size: bytes.length, bytes } });
    }
    if (current !== null) catalog.apply({ type: 'current', pointer: { modelKey, version: current, reason: 'cache', at: 0 } });
    log.debug('model cache read', { modelKey, versions, current });
  }
}

async function writeToCache(cache: ModelCache, modelKey: string, version: number, bytes: Buffer, log: Logger): Promise<void> {
  try {
    await cache.write(modelKey, version, bytes);
    await cache.setCurrent(modelKey, version);
  } catch (err) {
    log.warn('could not write the model cache', { dir: cache.dir, modelKey, version, error: err });
  }
}
