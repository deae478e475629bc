// The models in force, one per model key, and the ones waiting to replace them.
// New models are only staged when they arrive; the engine swaps them in at the
// start of a batch (never during one) and the replaced model's tensors are
// disposed right there, when nothing can be using them any more.
import type { LoadedModel } from '../common/model/artifact.ts';
import { defaultModelKey, modelKeyFor } from '../common/model/keys.ts';

export interface ModelSwap {
  next: LoadedModel;
  previous: LoadedModel | null;
}

export interface ModelShelf {
  /** Stage a model; it goes live at the next applyStaged(). Superseded staged models are disposed. */
  offer(model: LoadedModel): void;
  /** Swap every staged model in; returns what changed (old ones already disposed). */
  applyStaged(): ModelSwap[];
  /** The live model for a sensor: its group's key (model.groups), else 'default'. */
  forSensor(sensorId: string, groups: Readonly<Record<string, readonly string[]>>): LoadedModel | undefined;
  /** The live model of a key, else of the fallback key (a group's type while the group has none). */
  forKey(modelKey: string, fallbackKey: string): LoadedModel | undefined;
  /** Resolves once anything is staged or live; given keys: once one of them is. */
  whenAny(keys?: readonly string[]): Promise<void>;
  live(): LoadedModel[];
  /** Live models, and staged ones (which go live at the next batch) flagged as such. */
  summary(): { modelKey: string; version: number; staged: boolean }[];
  /** True once any model is live or staged. */
  hasModel(): boolean;
  /** Disposes everything (service stop). */
  dispose(): void;
}

export { defaultModelKey, modelKeyFor } from '../common/model/keys.ts';

const same = (a: LoadedModel, b: LoadedModel): boolean => a.meta.version === b.meta.version && a.meta.checksum === b.meta.checksum;

export function createModelShelf(): ModelShelf {
  const live = new Map<string, LoadedModel>();
  const staged = new Map<string, LoadedModel>();
  let waiters: { keys: readonly string[] | undefined; wake: () => void }[] = [];
  const has = (keys: readonly string[] | undefined): boolean =>
    keys === undefined ? live.size > 0 || staged.size > 0 : keys.some((k) => live.has(k) || staged.has(k));

  return {
    offer(model) {
      const key = model.meta.modelKey;
      const current = staged.get(key) ?? live.get(key);
      if (current !== undefined && same(current, model)) {
        model.dispose();
        return;
      }
      staged.get(key)?.dispose();
      staged.set(key, model);
      const ready = waiters.filter((w) => has(w.keys));
      waiters = waiters.filter((w) => !has(w.keys));
      for (const w of ready) w.wake();
    },
    applyStaged() {
      const swaps: ModelSwap[] = [];
      for (const [key, next] of staged) {
        const previous = live.get(key) ?? null;
        live.set(key, next);
        previous?.dispose();
        swaps.push({ next, previous });
      }
      staged.clear();
      return swaps;
    },
    forSensor(sensorId, groups) {
      return live.get(modelKeyFor(sensorId, groups)) ?? live.get(defaultModelKey);
    },
    forKey(modelKey, fallbackKey) {
      return live.get(modelKey) ?? live.get(fallbackKey);
    },
    whenAny(keys) {
      if (has(keys)) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ keys, wake: resolve }));
    },
    live: () => [...live.values()],
    hasModel: () => live.size > 0 || staged.size > 0,
    summary: () => [
      ...[...live.values()].map((m) => ({ modelKey: m.meta.modelKey, version: m.meta.version, staged: false })),
      ...[...staged.values()].map((m) => ({ modelKey: m.meta.modelKey, version: m.meta.version, staged: true })),
    ],
    dispose() {
      for (const m of [...live.values(), ...staged.values()]) m.dispose();
      live.clear();
      staged.clear();
    },
  };
}
