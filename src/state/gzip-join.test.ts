import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Combine, gzipPieces, Piece } from './gzip-join.js';

/** zlib's own CRC-32 of `buf`: the first four bytes of a gzip member's trailer. */
const zlibCrc = (buf: Buffer) => {
  const gz = gzipSync(buf, { level: 0 });
  return gz.readUInt32LE(gz.length - 8);
};

describe('crc32', () => {
  it('matches zlib on inputs of every length around the 8-byte stride', () => {
    for (let n = 0; n < 40; n++) {
      const b = randomBytes(n);
      expect(crc32(b)).toBe(zlibCrc(b));
    }
    const big = randomBytes(100_003);
    expect(crc32(big)).toBe(zlibCrc(big));
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926); // the standard check value
  });

  it('continues from a previous CRC', () => {
    const a = randomBytes(1000);
    const b = randomBytes(777);
    expect(crc32(b, crc32(a))).toBe(crc32(Buffer.concat([a, b])));
  });

  it('combines the CRCs of two parts into the CRC of their concatenation', () => {
    for (const [la, lb] of [
      [0, 0],
      [0, 5],
      [5, 0],
      [1, 1],
      [13, 4096],
      [70_000, 123_457],
    ]) {
      const a = randomBytes(la);
      const b = randomBytes(lb);
      expect(crc32Combine(crc32(a), crc32(b), lb)).toBe(crc32(Buffer.concat([a, b])));
    }
  });
});

describe('gzipPieces', () => {
  it('is one valid gzip member whose content is the pieces in order', async () => {
    const texts = [
      '{"a":',
      JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ i, s: `x${i}` }))),
      ',"b":[]',
      '}',
    ];
    const pieces = texts.map((t) => Piece.of(t));
    const gz = Buffer.concat(await gzipPieces(pieces));
    expect(gunzipSync(gz).toString('utf8')).toBe(texts.join(''));
    // Much smaller than the input: the pieces were really compressed.
    expect(gz.length).toBeLessThan(texts.join('').length / 3);
  });

  it('handles empty pieces and no pieces', async () => {
    expect(gunzipSync(Buffer.concat(await gzipPieces([]))).length).toBe(0);
    const out = await gzipPieces([Piece.of(''), Piece.of('x'), Piece.of('')]);
    expect(gunzipSync(Buffer.concat(out)).toString()).toBe('x');
  });

  it('reuses a piece’s compressed bytes when it appears in a later document', async () => {
    const shared = Piece.of(JSON.stringify(Array.from({ length: 50_000 }, (_, i) => i)));
    const first = await gzipPieces([Piece.of('['), shared, Piece.of(']')]);
    const second = await gzipPieces([Piece.of('{"x":'), shared, Piece.of('}')]);
    expect(second[2]).toBe(first[2]); // the very same Buffer, not compressed again
    expect(JSON.parse(gunzipSync(Buffer.concat(second)).toString()).x).toHaveLength(50_000);
  });

  it('gives a large piece’s bytes back once compressed, and keeps them once read again', async () => {
    const text = JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ id: `vm-${i}`, cpu: i / 7 })));
    const big = Piece.of(text);
    const small = Piece.of('{"small":true}');
    const crc = big.crc;
    big.compact(); // not compressed yet: nothing to fall back on, so it keeps its bytes
    expect(big.resident).toBe(true);
    const first = Buffer.concat(await gzipPieces([small, big]));
    big.compact();
    small.compact();
    expect(big.resident).toBe(false);
    expect(small.resident).toBe(true); // small pieces are not worth it
    // Everything still reads the same, and the gzip body is the same bytes.
    expect(Buffer.concat(await gzipPieces([small, big]))).toEqual(first);
    expect(big.crc).toBe(crc);
    expect(big.length).toBe(Buffer.byteLength(text));
    expect(big.bytes.toString('utf8')).toBe(text);
    // Read back once: the piece outlives its version, so it stays resident from now on.
    big.compact();
    expect(big.resident).toBe(true);
  });

  it('restores a compacted piece off the event loop, once for readers who ask together', async () => {
    const text = JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ id: `ct-${i}`, mem: i * 3 })));
    const big = Piece.of(text);
    await gzipPieces([big]);
    big.compact();
    expect(big.resident).toBe(false);
    const [a, b] = await Promise.all([big.restore(), big.restore()]);
    expect(a).toBe(b); // one inflate, shared
    expect(a.toString('utf8')).toBe(text);
    expect(big.resident).toBe(true);
    expect(big.bytes).toBe(a);
    // Read back: it outlives its version and stays resident.
    big.compact();
    expect(big.resident).toBe(true);
    expect(await big.restore()).toBe(a);
  });

  it('sends a compacted piece to its first reader inflated in chunks, without keeping it; a second reader restores it', async () => {
    const text = JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ id: `vm-${i}`, cpu: i / 7 })));
    const big = Piece.of(text);
    await gzipPieces([big]);
    big.compact();
    const first: Buffer[] = [];
    for await (const chunk of big.chunks()) first.push(chunk);
    expect(first.length).toBeGreaterThan(1); // several chunks, each written as it comes
    expect(Buffer.concat(first).toString('utf8')).toBe(text);
    expect(big.resident).toBe(false);
    const second: Buffer[] = [];
    for await (const chunk of big.chunks()) second.push(chunk);
    expect(second).toHaveLength(1);
    expect(second[0].toString('utf8')).toBe(text);
    expect(big.resident).toBe(true); // read back twice: it outlives its version
    // A resident piece is sent as it is.
    const third: Buffer[] = [];
    for await (const chunk of big.chunks()) third.push(chunk);
    expect(third[0]).toBe(big.bytes);
  });

  it('shrinks a large piece to its deflate data even after it was read back, compressing it first if needed', async () => {
    const text = JSON.stringify(Array.from({ length: 60_000 }, (_, i) => ({ id: `backup-${i}`, size: i * 1e6 })));
    const big = Piece.of(text);
    const small = Piece.of('{"small":true}');
    big.shrink(); // not compressed yet: compression starts, the bytes stay until it is done
    small.shrink();
    expect(big.resident).toBe(true);
    await big.deflated();
    await new Promise((r) => setImmediate(r));
    expect(big.resident).toBe(false);
    expect(small.resident).toBe(true); // small pieces are not worth it
    expect(big.heldBytes).toBeLessThan(big.length / 5);
    // Read back (the next broadcast), shrunk again: compact() would keep it, shrink() does not.
    expect(big.bytes.toString('utf8')).toBe(text);
    big.compact();
    expect(big.resident).toBe(true);
    big.shrink();
    expect(big.resident).toBe(false);
    expect(big.bytes.toString('utf8')).toBe(text);
    const gz = Buffer.concat(await gzipPieces([small, big]));
    expect(gunzipSync(gz).toString()).toBe(`{"small":true}${text}`);
  });
});
