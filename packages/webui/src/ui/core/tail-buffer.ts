/**
 * The tail of one sandbox file as the sandbox page shows it: where the next `/files/read`
 * starts, and the last `maxChars` characters read so far.
 */

/** How much of a file the first read fetches: its end, not all of a huge log. */
export const FIRST_READ_BYTES = 64 * 1024;

export interface ReadAnswer {
  data: string;
  offset: number;
}

export class TailBuffer {
  /** Byte offset of the next read; undefined until the file's size is known. */
  offset: number | undefined;
  text = '';

  constructor(private readonly maxChars = 256 * 1024) {}

  /** Where to read from, given the file size an `offset=-1` read answered. */
  start(size: number): number {
    this.offset = Math.max(0, size - FIRST_READ_BYTES);
    return this.offset;
  }

  /**
   * Takes a read's answer and answers whether the text grew. An answer for another offset (a
   * read that raced a newer one) is ignored.
   */
  append(answer: ReadAnswer): boolean {
    if (answer.offset !== this.offset || answer.data === '') return false;
    this.offset = answer.offset + new TextEncoder().encode(answer.data).length;
    this.text = (this.text + answer.data).slice(-this.maxChars);
    return true;
  }
}
