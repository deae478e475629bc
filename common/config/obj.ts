// The one test for "a mapping" (a plain object, not null, not a list) that the
// config code applies to parsed YAML, env overrides and flag overrides.
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets `a.b.c` in `target`, creating the sections on the way. */
export function setPath(target: Obj, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isObj(node[part])) node[part] = {};
    node = node[part] as Obj;
  }
  node[parts[parts.length - 1] as string] = value;
}
