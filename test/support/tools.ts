// Tests that need a program a fresh machine may lack (chromium, promtool,
// prometheus) ask here at run time. Missing, the test skips with one line that
// names the install command, and the skip is recorded (a JSON line in the file
// SENSORWATCH_SKIP_LOG names; scripts/test.mjs prints the list at the end).
// With SENSORWATCH_REQUIRE_TOOLS=1 (.ci/run) nothing skips: the test runs and
// fails on the missing tool with the same line.
//
//   it('renders', { skip: missing('chromium', import.meta.filename) }, async () => {
//     await run(toolPath('chromium'), [...]);
//   });
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import { findExecutable, repoRoot } from '../../common/kafka-local/jars.ts';

export const requireToolsVar = 'SENSORWATCH_REQUIRE_TOOLS';
export const skipLogVar = 'SENSORWATCH_SKIP_LOG';

/** Each tool a test may need, and the command that installs it. */
export const tools = {
  chromium: 'bash scripts/install-chromium.sh',
  promtool: 'bash scripts/install-prometheus.sh',
  prometheus: 'bash scripts/install-prometheus.sh',
} as const;
export type Tool = keyof typeof tools;

/** One line: what is missing and how to install it. */
export function notInstalled(tool: Tool): string {
  return `${tool} not installed: run ${tools[tool]} as root`;
}

/** True for the flag's "on" spellings (1, true, yes). */
export function toolsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env[requireToolsVar] ?? '');
}

/** The skip decision: false (run) when the tool is there or tools are required, else the reason. */
export function skipReason(tool: Tool, found: boolean, required: boolean): false | string {
  return found || required ? false : notInstalled(tool);
}

/** What a skip leaves in the skip log: `count` tests, suites or files of `file`. */
export interface SkipRecord {
  tool: string;
  reason: string;
  file: string;
  unit: 'test' | 'suite' | 'file';
  count: number;
}

/** Appends one record to the skip log, when scripts/test.mjs set one. */
export function recordSkip(record: SkipRecord, env: NodeJS.ProcessEnv = process.env): void {
  const log = env[skipLogVar];
  if (log) appendFileSync(log, `${JSON.stringify(record)}\n`);
}

const found = new Map<Tool, string | undefined>();
function lookup(tool: Tool): string | undefined {
  if (!found.has(tool)) found.set(tool, findExecutable(tool));
  return found.get(tool);
}

/**
 * For a test's (or suite's) `skip` option: false when `tool` is on PATH (or
 * SENSORWATCH_REQUIRE_TOOLS is set), else the reason, recorded for the summary.
 * `testFile` is the caller's `import.meta.filename`.
 */
export function missing(tool: Tool, testFile: string, unit: 'test' | 'suite' = 'test'): false | string {
  const reason = skipReason(tool, lookup(tool) !== undefined, toolsRequired());
  if (reason !== false) recordSkip({ tool, reason, file: relative(repoRoot, testFile), unit, count: 1 });
  return reason;
}

/** The tool's path; throws the one-line reason when it is missing (a test that runs without it fails). */
export function toolPath(tool: Tool): string {
  const path = lookup(tool);
  if (path === undefined) throw new Error(`${notInstalled(tool)}${toolsRequired() ? ` (${requireToolsVar} is set: a missing tool fails)` : ''}`);
  return path;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** The end-of-run list: one header line, then one line per reason with its counts and files. Empty when nothing skipped. */
export function skipSummary(records: SkipRecord[]): string[] {
  if (records.length === 0) return [];
  const totals = new Map<string, number>();
  const byReason = new Map<string, { tool: string; counts: Map<string, number>; files: Set<string> }>();
  for (const r of records) {
    totals.set(r.unit, (totals.get(r.unit) ?? 0) + r.count);
    const entry = byReason.get(r.reason) ?? { tool: r.tool, counts: new Map<string, number>(), files: new Set<string>() };
    entry.counts.set(r.unit, (entry.counts.get(r.unit) ?? 0) + r.count);
    entry.files.add(r.file);
    byReason.set(r.reason, entry);
  }
  const units = ['test', 'suite', 'file'];
  const counts = (m: Map<string, number>): string =>
    units.flatMap((unit) => (m.has(unit) ? [plural(m.get(unit) as number, unit)] : [])).join(', ');
  return [
    `skipped: ${counts(totals)}, a tool is missing (${requireToolsVar}=1 makes this a failure):`,
    ...[...byReason].map(([reason, e]) => `  ${e.tool}: ${counts(e.counts)}: ${reason} (${[...e.files].sort().join(', ')})`),
  ];
}
