/**
 * One gzip body out of pieces compressed separately, so a piece that did not change between two
 * state versions (the 28,000 storage backups of a large estate, say) is compressed once, not once
 * per version.
 *
 * How: each piece is compressed as raw deflate ending with a sync flush (byte-aligned, no final
 * block), which lets compressed pieces be laid end to end as one deflate stream; the stream is
 * closed with an empty final block. gzip's trailer needs the CRC-32 and length of the whole
 * uncompressed body: the CRC-32 of each piece is computed once and the CRC of the concatenation is
 * derived from them (CRC-32 is linear, so crc(A‖B) follows from crc(A), crc(B) and |B| — the
 * "combine" below). Facts from RFC 1951 (deflate blocks) and RFC 1952 (gzip member layout).
 */
import type { TransformOptions } from 'node:stream';
import { promisify } from 'node:util';
import {
  constants,
  createInflateRaw,
  deflateRaw,
  deflateRawSync,
  inflateRaw,
  inflateRawSync,
  type ZlibOptions,
  crc32 as zlibCrc32,
} from 'node:zlib';

const POLY = 0xedb88320; // CRC-32 (IEEE 802.3), bit-reflected

/**
 * CRC-32 of `buf` (continuing from `crc`, the CRC of what came before): zlib's own, about 4× faster
 * than a slicing-by-8 table in JavaScript on the megabytes of a large estate's lists.
 */
export function crc32(buf: Uint8Array, crc = 0): number {
  return zlibCrc32(buf, crc);
}

/** a·b modulo the CRC polynomial, both in the reflected representation (bit 31 is x⁰). */
function mulModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) mod P. */
const X2N = (() => {
  const t = new Array<number>(32);
  let p = 0x40000000; // x¹
  t[0] = p;
  for (let k = 1; k < 32; k++) {
    p = mulModP(p, p);
    t[k] = p;
  }
  return t;
})();

/** x^(len·8) mod P: appending `len` zero bytes multiplies a CRC by this. */
function xPowBytes(len: number): number {
  let p = 0x80000000; // x⁰
  let k = 3; // 2³ bits per byte
  // `len` can exceed 2³¹ in theory; walk it with division, not bit operators.
  for (let n = len; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) p = mulModP(X2N[k & 31], p);
  }
  return p;
}

/** CRC-32 of A‖B from crc(A), crc(B) and |B|. */
export function crc32Combine(crcA: number, crcB: number, lenB: number): number {
  return (mulModP(xPowBytes(lenB), crcA) ^ crcB) >>> 0;
}

const deflateRawAsync = promisify(deflateRaw);
const inflateRawAsync = promisify(inflateRaw);
/** Pieces smaller than this are compressed on the spot; larger ones in zlib's thread pool. */
const SYNC_BELOW = 64 * 1024;
const OPTIONS = { level: 1, finishFlush: constants.Z_SYNC_FLUSH } as const;

/** Output chunks of a piece inflated as it is sent (Piece.chunks). */
const STREAM_CHUNK = 256 * 1024;

/** Pieces from this size up give their bytes back once compressed (Piece.compact). */
const COMPACT_FROM = 256 * 1024;

/**
 * A piece of a document: its UTF-8 bytes, with its CRC-32 and its deflate data computed when first
 * asked for and kept, so a piece shared by many versions costs them once.
 *
 * Once compressed, a large piece can hold its deflate data alone (`compact`): the guests' lists of
 * a large estate are megabytes that change every version, and after the version's gzip body is
 * built only a reader of the uncompressed document still needs them. Such a reader gets them back
 * by inflating, and the piece then keeps them: a piece read again after being compacted is one that
 * outlives its version (an unchanged list), which readers of every version need.
 */
export class Piece {
  readonly length: number;
  #bytes: Buffer | undefined;
  #crc?: number;
  #deflated?: Promise<Buffer>;
  /** The deflate data, once `#deflated` has resolved. */
  #deflatedDone?: Buffer;
  #restored = false;
  /** Whether a reader was sent this piece inflated on the fly since it was compacted (`chunks`). */
  #streamed = false;
  /** An inflate in zlib's thread pool under way (`restore`), shared by the readers waiting for it. */
  #restoring?: Promise<Buffer>;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
    this.length = bytes.length;
  }

  static of(text: string): Piece {
    return new Piece(Buffer.from(text, 'utf8'));
  }

  /** The UTF-8 bytes (inflated again if the piece was compacted). */
  get bytes(): Buffer {
    if (this.#bytes) return this.#bytes;
    // compact() drops the bytes only once the deflate data is there.
    const restored = inflateRawSync(this.#deflatedDone as Buffer, this.#inflateOptions());
    this.#restored = true;
    this.#bytes = restored;
    return restored;
  }

  /**
   * The UTF-8 bytes, inflated in zlib's thread pool if the piece was compacted: a reader of the
   * uncompressed document does not hold the event loop while megabytes are inflated, and the
   * pieces of one document are inflated side by side.
   */
  restore(): Promise<Buffer> {
    if (this.#bytes) return Promise.resolve(this.#bytes);
    this.#restoring ??= inflateRawAsync(this.#deflatedDone as Buffer, this.#inflateOptions()).then(
      (restored) => {
        this.#restoring = undefined;
        this.#restored = true;
        this.#bytes ??= restored;
        return this.#bytes;
      },
      (err: unknown) => {
        this.#restoring = undefined;
        throw err;
      },
    );
    return this.#restoring;
  }

  /**
   * The UTF-8 bytes for one reader, in order, the work started now (so the pieces of a document
   * are inflated side by side while the first is being sent). The first reader of a compacted
   * piece gets it inflated in chunks, each let go once written, and the piece stays compacted:
   * restoring a document's megabytes at once is enough new external memory for V8 to start
   * marking the whole heap, on the event loop, during that reply (docs/BENCHMARKS.md, "The first
   * uncompressed read after a quiet spell"). A piece read back a second time is restored and
   * kept, as `restore` does: it is one that outlives its version.
   */
  chunks(): AsyncIterable<Buffer> {
    if (this.#bytes || this.#streamed) {
      const restoring = this.restore();
      return (async function* () {
        yield await restoring;
      })();
    }
    this.#streamed = true;
    // Room for the whole piece: it inflates ahead of the reader instead of pausing for it (zlib's
    // streams take the stream options too; its types list only zlib's).
    const options: ZlibOptions & TransformOptions = {
      finishFlush: constants.Z_SYNC_FLUSH,
      chunkSize: STREAM_CHUNK,
      highWaterMark: this.length,
    };
    const inflate = createInflateRaw(options);
    inflate.end(this.#deflatedDone);
    return inflate;
  }

  /**
   * One output buffer of the known length: with zlib's default 16-KiB chunks, inflating a list of
   * megabytes is hundreds of chunks joined afterwards (and as many round trips to the event loop
   * when done in the thread pool).
   */
  #inflateOptions() {
    return { finishFlush: constants.Z_SYNC_FLUSH, chunkSize: Math.max(this.length, 64) };
  }

  /** Whether the uncompressed bytes are held (tests and diagnostics). */
  get resident(): boolean {
    return this.#bytes !== undefined;
  }

  get crc(): number {
    this.#crc ??= crc32(this.bytes);
    return this.#crc;
  }

  /** Raw deflate of the bytes, ending byte-aligned with a sync flush (so pieces can be chained). */
  deflated(): Promise<Buffer> {
    if (!this.#deflated) {
      const bytes = this.bytes;
      this.#crc ??= crc32(bytes);
      const run =
        bytes.length < SYNC_BELOW ? Promise.resolve(deflateRawSync(bytes, OPTIONS)) : deflateRawAsync(bytes, OPTIONS);
      this.#deflated = run.then((d) => {
        this.#deflatedDone = d;
        return d;
      });
    }
    return this.#deflated;
  }

  /**
   * Drops the uncompressed bytes of a large piece whose deflate data is ready, unless the piece was
   * already read back after an earlier compact (see the class comment).
   */
  compact(): void {
    if (this.#deflatedDone && !this.#restored && this.length >= COMPACT_FROM) this.#bytes = undefined;
  }

  /**
   * Keeps a large piece as deflate data alone even if it is read back every version: for a
   * document nobody is expected to read before the next broadcast, where inflating a cold list
   * (backups) costs less than keeping its megabytes resident. Compresses it first if that has not
   * happened yet; the bytes go once the deflate data is there.
   */
  shrink(): void {
    if (this.length < COMPACT_FROM) return;
    if (this.#deflatedDone) this.#bytes = undefined;
    else
      this.deflated().then(
        () => {
          this.#bytes = undefined;
        },
        () => {}, // compression failed: the piece keeps its bytes
      );
  }

  /** Bytes this piece holds: uncompressed, deflated, or both (diagnostics, benchmarks). */
  get heldBytes(): number {
    return (this.#bytes?.length ?? 0) + (this.#deflatedDone?.length ?? 0);
  }
}

// gzip member header: magic, CM=8 (deflate), no flags, no mtime, XFL 0, OS 255 (unknown).
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final block with fixed Huffman codes: BFINAL=1, BTYPE=01, end-of-block (code 256). */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** The gzip body of the concatenated pieces, as buffers to be written in order. */
export async function gzipPieces(pieces: readonly Piece[]): Promise<Buffer[]> {
  const deflated = await Promise.all(pieces.map((p) => p.deflated()));
  let crc = 0;
  let length = 0;
  for (const p of pieces) {
    crc = crc32Combine(crc, p.crc, p.length);
    length += p.length;
  }
  const trailer = Buffer.alloc(10);
  FINAL_BLOCK.copy(trailer, 0);
  trailer.writeUInt32LE(crc, 2);
  trailer.writeUInt32LE(length % 2 ** 32, 6); // ISIZE is the length modulo 2³²
  return [HEADER, ...deflated, trailer];
}
