// Every request names its namespace, set and bins in bytes, and a node sees few distinct names:
// matching the bytes against the names decoded last costs less than a UTF-8 decode (a call into
// C++) and a new string per request. Names that miss (more distinct names in turn than slots) cost
// the comparisons on top of the decode: a few nanoseconds each, as most differ in length or first
// byte.
import { limits } from './limits.ts'

export class NameCache {
  private readonly bytes: Uint8Array[] = []
  private readonly names: string[] = []
  private readonly slots: number
  private nextSlot = 0

  constructor(slots: number) {
    this.slots = slots
  }

  /** The UTF-8 name in buf[start, end). */
  decode(buf: Buffer, start = 0, end = buf.length): string {
    for (let i = 0; i < this.bytes.length; i++) if (sameBytesAt(this.bytes[i]!, buf, start, end)) return this.names[i]!
    const name = buf.toString('utf8', start, end)
    // A copy: buf is often a view of a socket read, which the cache must not keep alive.
    this.bytes[this.nextSlot] = new Uint8Array(buf.subarray(start, end))
    this.names[this.nextSlot] = name
    this.nextSlot = (this.nextSlot + 1) % this.slots
    return name
  }

  /** The UTF-8 bytes of a name decoded lately, or undefined (the caller encodes it). */
  bytesOf(name: string): Uint8Array | undefined {
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === name) return this.bytes[i]
    return undefined
  }
}

/** Namespace names in requests. */
export const namespaceNames = new NameCache(limits.cachedRequestNames)
/** Set names in requests. */
export const setNames = new NameCache(limits.cachedRequestNames)
/** Bin names, in requests' ops and in stored records. */
export const binNames = new NameCache(limits.cachedBinNames)

/** Byte equality of two short arrays, in JavaScript: Buffer.equals is a call into C++ that costs more for names. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return sameBytesAt(a, b, 0, b.length)
}

function sameBytesAt(known: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (known.length !== end - start) return false
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[start + i]) return false
  return true
}
