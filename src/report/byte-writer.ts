/**
 * Bytes appended to one buffer that doubles when full. Numbers and ASCII go in without making a
 * string each, so a report with an error list of any length is written with little garbage.
 */
export class ByteWriter {
  #bytes: Buffer;
  #length = 0;

  constructor(capacity: number) {
    this.#bytes = Buffer.allocUnsafe(Math.max(capacity, 1024));
  }

  #room(bytes: number): void {
    if (this.#length + bytes <= this.#bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#length + bytes, this.#bytes.length * 2));
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }

  /** Any text, as UTF-8. */
  text(text: string): void {
    this.#room(Buffer.byteLength(text));
    this.#length += this.#bytes.write(text, this.#length, 'utf8');
  }

  /** Text known to be ASCII (one byte a character). */
  ascii(text: string): void {
    this.#room(text.length);
    this.#length += this.#bytes.write(text, this.#length, 'latin1');
  }

  /** A non-negative integer below 2^53, in decimal. */
  integer(n: number): void {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    this.#room(digits);
    for (let i = digits - 1, x = n; i >= 0; i--, x = Math.floor(x / 10)) this.#bytes[this.#length + i] = 0x30 + (x % 10);
    this.#length += digits;
  }

  /** What was written so far (a view, not a copy). */
  get bytes(): Buffer {
    return this.#bytes.subarray(0, this.#length);
  }
}
