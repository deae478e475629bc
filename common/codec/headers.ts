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

/** Header value as a string (first value of a repeated header). */
export function headerText(headers: RecordHeaders | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const key in headers) {
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    let v = headers[key];
    if (Array.isArray(v)) v = v[0];
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : v.toString('utf8');
  }
  return undefined;
}

export type FormatDecision = { format: ReadingFormat } | { format: null; message: string };

const BRACE = 0x7b;

/**
 * The content-type rule (schemas/README.md): a `content-type` header of
 * application/avro or application/json wins (parameters such as
 * `; charset=utf-8` are ignored); any other content-type is refused; without
 * one, the first non-whitespace byte decides: `{` is JSON, anything else Avro.
 */
export function detectFormat(value: Buffer, headers: RecordHeaders | undefined): FormatDecision {
  const header = headerText(headers, 'content-type');
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
