// The README's config table, rendered from schema.ts and the defaults, so the
// docs cannot drift from the code (test/unit/common/config/table.test.ts
// checks that README.md holds exactly this table).
import { defaultConfig } from './defaults.ts';
import { keyDocs } from './schema.ts';

function valueAt(path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], defaultConfig);
}

const show = (v: unknown): string => {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return `\`${(text === '' ? '""' : text).replace(/\|/g, '\\|')}\``;
};

export function renderConfigTable(): string {
  const rows = Object.entries(keyDocs).map(([path, doc]) => {
    const unit = doc.unit === undefined ? '' : ` (${doc.unit})`;
    return `| \`${path}\` | ${show(valueAt(path))}${unit} | ${doc.env === undefined ? '' : `\`${doc.env}\``} | ${doc.doc.replace(/\|/g, '\\|')} |`;
  });
  return ['| key | default | env | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
