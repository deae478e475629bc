// What the docs tests read: every user doc (README.md, docs/*.md, <folder>/README.md),
// its fenced code blocks and its inline `code` spans, each with the line it is on,
// so a failure names the file and the line.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Doc {
  /** Path from the repository root, e.g. `docs/operate.md`. */
  path: string;
  text: string;
}

/** README.md, docs/*.md and every README.md in the folders below (node_modules and dot folders left out). */
export function userDocs(root = repoRoot): Doc[] {
  const paths = ['README.md'];
  for (const name of readdirSync(join(root, 'docs')).sort()) if (name.endsWith('.md')) paths.push(`docs/${name}`);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const sub = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (existsSync(join(root, sub, 'README.md'))) paths.push(`${sub}/README.md`);
      walk(sub);
    }
  };
  walk('');
  return paths.map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

export interface CodeBlock {
  /** The info string after the opening fence (`yaml`, `sh`, ''). */
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  body: string;
}

export function codeBlocks(text: string): CodeBlock[] {
  const out: CodeBlock[] = [];
  let open: { lang: string; line: number; lines: string[]; fence: string } | null = null;
  text.split('\n').forEach((l, i) => {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(l);
    if (open === null) {
      if (fence !== null) open = { lang: (fence[3] ?? '').toLowerCase(), line: i + 1, lines: [], fence: fence[2] ?? '```' };
      return;
    }
    if (fence !== null && (fence[2] ?? '').startsWith(open.fence) && (fence[3] ?? '') === '') {
      out.push({ lang: open.lang, line: open.line, body: open.lines.join('\n') });
      open = null;
      return;
    }
    open.lines.push(l);
  });
  return out;
}

/** The text with fenced blocks blanked out (line numbers kept), for prose-only scans. */
export function proseOnly(text: string): string {
  const lines = text.split('\n');
  for (const b of codeBlocks(text)) for (let i = b.line - 1; i < b.line + b.body.split('\n').length; i++) lines[i] = '';
  return lines.join('\n');
}

export interface Span {
  /** The text between the backticks. */
  code: string;
  line: number;
}

/** Inline `code` spans outside fenced blocks (single backticks; a span does not cross a line). */
export function codeSpans(text: string): Span[] {
  const out: Span[] = [];
  proseOnly(text).split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/`([^`\n]+)`/g)) out.push({ code: m[1] ?? '', line: i + 1 });
  });
  return out;
}

/** Every match of `pattern` (a global regex) in the text, with its line; fenced blocks included. */
export function matchesWithLines(text: string, pattern: RegExp): Array<{ match: string; line: number }> {
  const out: Array<{ match: string; line: number }> = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(pattern)) out.push({ match: m[0], line: i + 1 });
  });
  return out;
}
