// Kafka record headers as the codec sees them (the shape Kafka clients use,
// declared here so that only common/kafka names the client), and the rule that
// tells JSON readings from Avro ones.
export type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type RecordHeaders = Record<string, HeaderValue>;

export const readingFormats = ['avro', 'json'] as const;
export type ReadingFormat = (typeof readingFormats)[number];

export const contentTypes: Record<ReadingFormat, string> = {
  avro: 'application/avro',
  json: 'application/json',
};

/** The first value of header `name` (matched case-insensitively; the first such key wins), as the client gave it. */
function headerRaw(headers: RecordHeaders | undefined, name: string): Buffer | string | undefined {
  if (headers === undefined) return undefined;
  for (const key in headers) {
    // the usual key is already lower case: no lower-cased copy of it per record
    if (key !== name && (key.length !== name.length || key.toLowerCase() !== name)) continue;
    const v = headers[key];
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Header value as a string (first value of a repeated header). */
export function headerText(headers: RecordHeaders | undefined, name: string): string | undefined {
  const v = headerRaw(headers, name);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** Whether `v` holds exactly the ASCII text `ascii`, byte for byte (no string made from a Buffer). */
function bytesAre(v: Buffer | string, ascii: string): boolean {
  if (typeof v === 'string') return v === ascii;
  if (v.length !== ascii.length) return false;
  for (let i = 0; i < v.length; i++) if (v[i] !== ascii.charCodeAt(i)) return false;
  return true;
}

export type FormatDecision = { format: ReadingFormat } | { format: null; message: string };

const BRACE = 0x7b;
const AVRO: FormatDecision = { format: 'avro' };

/**
 * The content-type rule (schemas/README.md): a `content-type` header of
 * application/avro or application/json wins (parameters such as
 * `; charset=utf-8` are ignored); any other content-type is refused; without
 * one, the first non-whitespace byte decides: `{` is JSON, anything else Avro.
 */
export function detectFormat(value: Buffer, headers: RecordHeaders | undefined): FormatDecision {
  const raw = headerRaw(headers, 'content-type');
  // What every producer here writes, checked on the bytes (the hot path: one per reading).
  if (raw !== undefined && bytesAre(raw, contentTypes.avro)) return AVRO;
  const header = raw === undefined ? undefined : typeof raw === 'string' ? raw : raw.toString('utf8');
  if (header !== undefined) {
    const semi = header.indexOf(';');
    const mime = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
    if (mime === contentTypes.avro || mime === 'avro/binary' || mime === 'application/vnd.apache.avro') return { format: 'avro' };
    if (mime === contentTypes.json) return { format: 'json' };
    return { format: null, message: `unsupported content-type header '${header}': use application/avro or application/json` };
  }
  for (let i = 0; i < value.length; i++) {
    const b = value[i];
    // space, tab, LF, CR: JSON whitespace
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return { format: b === BRACE ? 'json' : 'avro' };
  }
  return { format: 'avro' };
}
