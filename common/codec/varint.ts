// Reading Avro's zigzag varints (int and long) off a buffer, shared by the
// hand-written window reader and the bounds check that runs before avsc.
export class VarintCursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /**
   * The next zigzag varint, or null when it runs past the end of the buffer or
   * is longer than 10 bytes (the most a long takes). Beyond ±2^53 the value is
   * approximate: callers that need it exact bound it themselves.
   */
  long(): number | null {
    let z = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= this.buf.length || i >= 10) return null;
      const b = this.buf[this.pos++] as number;
      z += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}
