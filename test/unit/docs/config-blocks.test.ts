// Every YAML config example in the docs passes `sensorwatch config check`: the
// same parse and validation (common/config/load.ts parseConfigText) run on each
// ```yaml block whose first line that is not a comment starts with a top-level
// config key. A block of another kind (a Kubernetes or compose snippet) is left
// alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../../common/config/defaults.ts';
import { ConfigError, parseConfigText } from '../../../common/config/load.ts';
import { codeBlocks, userDocs, type Doc } from './markdown.ts';

const topKeys = Object.keys(defaultConfig);

/** The ```yaml / ```yml blocks of a doc that are sensorwatch config, by the first key they set. */
export function configBlocks(doc: Doc): Array<{ where: string; body: string }> {
  return codeBlocks(doc.text)
    .filter((b) => b.lang === 'yaml' || b.lang === 'yml')
    .filter((b) => {
      const first = b.body.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      return first !== undefined && topKeys.some((k) => first.startsWith(`${k}:`));
    })
    .map((b) => ({ where: `${doc.path}:${b.line}`, body: b.body }));
}

/** The problems `config check` reports for a block (empty: it passes). */
export function checkBlock(body: string, where: string): string[] {
  try {
    parseConfigText(body, where, {});
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('YAML config blocks in the docs pass config check', () => {
  const docs = userDocs();
  const blocks = docs.flatMap(configBlocks);

  it('finds the config examples (operate.md has one at least)', () => {
    assert.ok(blocks.some((b) => b.where.startsWith('docs/operate.md:')), blocks.map((b) => b.where).join(', '));
  });

  for (const b of blocks) {
    it(`${b.where} is a valid config`, () => {
      const problems = checkBlock(b.body, b.where);
      assert.deepEqual(problems, [], `${b.where}: config check refuses this block:\n  - ${problems.join('\n  - ')}`);
    });
  }

  it('the check can fail: a refused block is reported with its file and line and the key', () => {
    const doc: Doc = { path: 'docs/example.md', text: 'text\n\n```yaml\n# a comment first\nscorer:\n  severities: [{ name: warning, minScore: 1.5 }]\n```\n\n```yaml\napiVersion: v1\n```\n' };
    const found = configBlocks(doc);
    assert.deepEqual(found.map((b) => b.where), ['docs/example.md:3'], 'the config block, not the Kubernetes one');
    const problems = checkBlock(found[0]?.body ?? '', 'docs/example.md:3');
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] ?? '', /^scorer\.severities\[0\]: must be \{name: .*minScore: <number in \(0, 1\]>\}/);
  });
});
