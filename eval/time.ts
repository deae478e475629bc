// Timestamp parsing for historical files: ISO strings (a missing zone means
// UTC, as NAB's files are written), or epoch numbers (seconds below 1e11, else ms).
const epochSecondsBelow = 1e11;

/** ms since the epoch, or NaN when the text is not a time. */
export function parseTime(text: string): number {
  const t = text.trim();
  if (t === '') return Number.NaN;
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return Math.abs(n) < epochSecondsBelow ? n * 1000 : n;
  }
  let iso = t.replace(' ', 'T');
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(iso)) iso += 'Z';
  // Date.parse takes at most milliseconds: cut microseconds ('.000000').
  iso = iso.replace(/(\.\d{3})\d+/, '$1');
  return Date.parse(iso);
}
