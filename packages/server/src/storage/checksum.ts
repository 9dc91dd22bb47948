// CRC-32 from zlib (Node 20.15+): native speed, no dependency.
import { crc32 } from 'node:zlib'

if (typeof crc32 !== 'function') throw new Error('Aerolite needs Node 20.15 or newer (zlib.crc32)')

/** CRC-32 of buf[start, end), seeded with seed (e.g. a block's sequence number). */
export function checksum(buf: Buffer, start: number, end: number, seed: number): number {
  return crc32(buf.subarray(start, end), seed >>> 0)
}
