// The file tables in the docs match the tree: docs/architecture.md's folder
// table names every top-level folder and everything in common/, and every file
// and folder it names exists; a service folder's README lists each of its
// files, and only files that are there.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, userDocs } from './markdown.ts';

interface Row {
  line: number;
  cells: string[];
}

/** Rows of the markdown table whose header's first cell is `firstHeader`. */
export function tableRows(text: string, firstHeader: RegExp): Row[] {
  const lines = text.split('\n');
  const out: Row[] = [];
  let inTable = false;
  lines.forEach((l, i) => {
    if (!l.startsWith('|')) {
      inTable = false;
      return;
    }
    const cells = l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    if (!inTable) {
      inTable = firstHeader.test(cells[0] ?? '');
      return;
    }
    if (/^-+$/.test(cells[0] ?? '')) return;
    out.push({ line: i + 1, cells });
  });
  return out;
}

const spans = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
/** A file or folder name, or a path of them (no globs, placeholders or arguments). */
const isPathLike = (s: string): boolean => /^[\w./-]+$/.test(s) && (s.endsWith('/') || /\.(?:ts|mjs|js|py|sh|json|ya?ml|xml|md|avsc)$/.test(s)) && !s.startsWith('.');

/** Does a file or folder of this name exist anywhere under dir? */
function existsUnder(dir: string, name: string): boolean {
  const base = name.replace(/\/$/, '');
  const walk = (d: string): boolean =>
    readdirSync(d, { withFileTypes: true }).some((e) => e.name === base || (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.') && walk(join(d, e.name))));
  return walk(dir);
}

const listDir = (dir: string): { files: string[]; folders: string[] } => {
  const entries = readdirSync(join(repoRoot, dir), { withFileTypes: true }).filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules');
  return { files: entries.filter((e) => e.isFile()).map((e) => e.name), folders: entries.filter((e) => e.isDirectory()).map((e) => `${e.name}/`) };
};

/** Problems with docs/architecture.md's folder table against the tree at root. */
export function architectureProblems(text: string): string[] {
  const rows = tableRows(text, /^folder/);
  const problems: string[] = [];
  const named = new Set<string>();
  for (const { line, cells } of rows) {
    const first = spans(cells[0] ?? '').filter((s) => !s.includes('<'));
    const base = dirname((first[0] ?? '').replace(/\/$/, '/x'));
    for (const [i, p] of first.entries()) {
      const path = i === 0 || p.includes('/') ? p : join(base, p);
      named.add(path);
      if (!existsSync(join(repoRoot, path))) problems.push(`docs/architecture.md:${line}: \`${p}\` does not exist`);
    }
    // The files the description names are in that folder (or, with a slash, from the root).
    const folder = first.length === 1 && (first[0] ?? '').endsWith('/') ? (first[0] ?? '') : null;
    if (folder === null || !existsSync(join(repoRoot, folder))) continue;
    for (const s of spans(cells[1] ?? '').filter(isPathLike)) {
      // `a/b.ts` from the root or the folder; a bare name (`x.ts`, `store/`) anywhere under the folder.
      const bare = !s.replace(/\/$/, '').includes('/');
      const found = existsSync(join(repoRoot, s)) || existsSync(join(repoRoot, folder, s)) || (bare && existsUnder(join(repoRoot, folder), s));
      if (!found) problems.push(`docs/architecture.md:${line}: \`${s}\` is not in ${folder}`);
    }
  }
  // common/ and test/ are named by their parts.
  const top = listDir('').folders.filter((f) => f !== 'common/' && f !== 'test/');
  const common = listDir('common');
  const required = [...top, 'test/unit/', 'test/integration/', ...common.folders.map((f) => `common/${f}`), ...common.files.map((f) => `common/${f}`)];
  for (const r of required) if (!named.has(r)) problems.push(`docs/architecture.md: the folder table does not name \`${r}\``);
  return problems;
}

/** Problems with the `| file | what |` table of <folder>/README.md against the folder. */
export function folderReadmeProblems(folder: string, text: string): string[] {
  const problems: string[] = [];
  const { files, folders } = listDir(folder);
  const named = new Set<string>();
  for (const { line, cells } of tableRows(text, /^file$/)) {
    for (const name of spans(cells[0] ?? '')) {
      named.add(name);
      const path = join(repoRoot, folder, name);
      if (!existsSync(path) || (name.endsWith('/') && !statSync(path).isDirectory())) problems.push(`${folder}/README.md:${line}: \`${name}\` is not in ${folder}/`);
    }
  }
  for (const f of [...files.filter((f) => f.endsWith('.ts')), ...folders]) if (!named.has(f)) problems.push(`${folder}/README.md: the file table does not list \`${f}\``);
  return problems;
}

describe('file tables in the docs match the tree', () => {
  const docs = userDocs();

  it('docs/architecture.md: every folder and file it names exists, and it names every folder', () => {
    const doc = docs.find((d) => d.path === 'docs/architecture.md');
    assert.ok(doc);
    const problems = architectureProblems(doc.text);
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  for (const folder of ['scorer', 'ingest']) {
    it(`${folder}/README.md: its file table lists exactly the files of ${folder}/`, () => {
      const doc = docs.find((d) => d.path === `${folder}/README.md`);
      assert.ok(doc);
      const problems = folderReadmeProblems(folder, doc.text);
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }

  it('the checks can fail: a moved file, a missing folder, a file left out', () => {
    const arch = '## Folders\n| folder | what |\n| --- | --- |\n| `scorer/` | `decide.ts` (gone) |\n| `nowhere/` | x |\n';
    const a = architectureProblems(arch);
    assert.ok(a.includes('docs/architecture.md:4: `decide.ts` is not in scorer/'), a.join('\n'));
    assert.ok(a.includes('docs/architecture.md:5: `nowhere/` does not exist'), a.join('\n'));
    assert.ok(a.includes('docs/architecture.md: the folder table does not name `common/decision/`'), a.join('\n'));
    const s = folderReadmeProblems('scorer', '| file | what |\n| --- | --- |\n| `overrides.ts`, `engine.ts` | x |\n');
    assert.ok(s.includes('scorer/README.md:3: `overrides.ts` is not in scorer/'), s.join('\n'));
    assert.ok(s.includes('scorer/README.md: the file table does not list `batcher.ts`'), s.join('\n'));
  });
});
