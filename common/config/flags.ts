// One flag parser for every command: node's parseArgs (strict, no positionals)
// plus the checks a flag needs before it becomes a config override. Flags that
// set a config key go into `overrides` (see configOverrides) and through
// loadConfig, so they get the same rules and cross-field checks as the file.
import { parseArgs } from 'node:util';
import { orList } from './enums.ts';
import { setPath, type Obj } from './obj.ts';

/** A flag the user got wrong: the message says which and why (the CLI adds its usage). */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export type FlagOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;
export type FlagValues<T extends FlagOptions> = { [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : string };

/** Parses argv against `options`; an unknown flag, a missing value or a stray argument throws a FlagError. */
export function parseFlags<T extends FlagOptions>(argv: readonly string[], options: T): FlagValues<T> {
  return parseFlagsAndWords(argv, options, { words: false }).values;
}

/** As parseFlags, for commands that also take words (`models show KEY`, `alerts tail`): they come back in order. */
export function parseFlagsAndWords<T extends FlagOptions>(argv: readonly string[], options: T, { words = true } = {}): { values: FlagValues<T>; words: string[] } {
  try {
    const parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: words });
    return { values: { ...parsed.values } as FlagValues<T>, words: parsed.positionals };
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
}

/** `--name` must be one of `values`: `--kind must be dense, dae, sae or conv, got 'lstm'`. */
export function enumFlag<V extends string>(name: string, text: string | undefined, values: readonly V[]): V | undefined {
  if (text === undefined) return undefined;
  if (!(values as readonly string[]).includes(text)) throw new FlagError(`--${name} must be ${orList(values)}, got '${text}'`);
  return text as V;
}

/** A number `check` accepts, else `--name must be <want>, got '<text>'`. */
export function numberFlag(name: string, text: string | undefined, check: (n: number) => boolean, want: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new FlagError(`--${name} must be ${want}, got '${text}'`);
  return n;
}

export const positiveInt = (n: number): boolean => Number.isInteger(n) && n >= 1;

/** A comma-separated list; blanks around and between the commas are dropped. */
export function listFlag(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

/** Dotted config keys → the nested overrides object loadConfig takes; undefined values (flags not given) are left out. */
export function configOverrides(values: Readonly<Record<string, unknown>>): Obj {
  const out: Obj = {};
  for (const [path, value] of Object.entries(values)) {
    if (value !== undefined) setPath(out, path, value);
  }
  return out;
}
