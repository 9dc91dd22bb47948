// Every record request names its namespace and set in bytes, and a node sees few distinct names:
// matching the bytes against the last few names decoded costs less than a UTF-8 decode (a call
// into C++) and a new string per request. A client that cycles through many names only makes
// each of its requests compare against NAME_SLOTS names before decoding, as before.
const NAME_SLOTS = 8

export class NameCache {
  private readonly bytes: Uint8Array[] = []
  private readonly names: string[] = []
  private nextSlot = 0

  decode(buf: Buffer): string {
    for (let i = 0; i < this.bytes.length; i++) if (sameBytes(this.bytes[i]!, buf)) return this.names[i]!
    const name = buf.toString('utf8')
    // A copy: buf is a view of a socket read, which the cache must not keep alive.
    this.bytes[this.nextSlot] = Uint8Array.from(buf)
    this.names[this.nextSlot] = name
    this.nextSlot = (this.nextSlot + 1) % NAME_SLOTS
    return name
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
