// The verbs `sensorwatch` knows, read from the dispatcher's table in
// cli/main.ts (not exported; reading the text keeps the CLI's own code as the
// single list), with the module each one loads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './provisioning.ts';

export function cliVerbs(source = readFileSync(join(repoRoot, 'cli/main.ts'), 'utf8')): Map<string, string> {
  const verbs = new Map<string, string>();
  for (const m of source.matchAll(/^\s+([a-z][a-z-]*): \{ summary: '[^']*', load: \(\) => import\('([^']+)'\) \},?$/gm)) {
    if (m[1] !== undefined && m[2] !== undefined) verbs.set(m[1], join(repoRoot, 'cli', m[2]));
  }
  if (verbs.size === 0) throw new Error('cli/main.ts: no command table found');
  return verbs;
}
