/**
 * A cursor over protobuf wire format within [start, end) of a buffer, for what the reader decodes
 * by hand (tensors, the detector's peek): every read is checked against `end`, and a failure
 * calls `fail` with what went wrong and where, so the caller names the file and the message.
 */
export interface Tag {
  readonly id: number;
  readonly wire: number;
  readonly at: number;
}

export class WireReader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    private readonly fail: (problem: string) => never,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  tag(): Tag {
    const at = this.pos;
    const { low, high } = this.varint();
    const id = high * 2 ** 29 + Math.floor((low >>> 0) / 8);
    if (id === 0 || id > 2 ** 29 - 1) this.fail(`field number ${id} at byte ${at}`);
    return { id, wire: low & 7, at };
  }

  /** A varint's two 32-bit halves (a varint is at most 10 bytes, 64 bits). */
  varint(): { low: number; high: number } {
    const at = this.pos;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(`truncated varint at byte ${at}`);
      const byte = this.bytes[this.pos++];
      const bits = byte & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= (bits & 0x0f) << 28;
        high |= bits >> 4;
      } else high |= bits << (7 * i - 32);
      if (!(byte & 0x80)) return { low: low >>> 0, high: high >>> 0 };
    }
    return this.fail(`a varint longer than 10 bytes at byte ${at}`);
  }

  /** A signed int64 varint as a number; NaN beyond ±2^53. */
  int64(): number {
    const { low, high } = this.varint();
    const value = (high | 0) * 2 ** 32 + low;
    return Number.isSafeInteger(value) ? value : NaN;
  }

  /** A length-delimited field's length, checked to fit before `end`. */
  length(): number {
    const at = this.pos;
    const { low, high } = this.varint();
    if (high !== 0 || low > this.end - this.pos) this.fail(`a field at byte ${at} declares ${high * 2 ** 32 + low} bytes, past the end of its message at byte ${this.end}`);
    return low;
  }

  /** The next `n` bytes as a view. */
  take(n: number): Uint8Array {
    if (n > this.end - this.pos) this.fail(`truncated at byte ${this.pos}: ${n} bytes declared, ${this.end - this.pos} left`);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  /** Skips a field's value of wire type `wire`; groups (3, 4), which ONNX never uses, are refused. */
  skip(tag: Tag): void {
    if (tag.wire === 0) this.varint();
    else if (tag.wire === 1) this.take(8);
    else if (tag.wire === 2) this.take(this.length());
    else if (tag.wire === 5) this.take(4);
    else this.fail(`wire type ${tag.wire} (field ${tag.id}) at byte ${tag.at}, which ONNX does not use`);
  }
}
