// The 8-byte proto header that starts every message on an Aerospike TCP stream:
// version (1 byte, always 2), type (1 byte), body size (48-bit big-endian).

export const PROTO_VERSION = 2
export const PROTO_HEADER_BYTES = 8

export const ProtoType = {
  INFO: 1,
  ADMIN: 2,
  MESSAGE: 3,
  COMPRESSED: 4,
} as const

export interface Frame {
  version: number
  type: number
  body: Buffer
}

export function encodeProtoHeader(type: number, bodyBytes: number, target: Buffer = Buffer.allocUnsafe(PROTO_HEADER_BYTES), offset = 0): Buffer {
  target[offset] = PROTO_VERSION
  target[offset + 1] = type
  target.writeUIntBE(bodyBytes, offset + 2, 6)
  return target
}

export function encodeFrame(type: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(PROTO_HEADER_BYTES + body.length)
  encodeProtoHeader(type, body.length, out, 0)
  body.copy(out, PROTO_HEADER_BYTES)
  return out
}

/** A problem with the framing itself: the stream cannot be trusted past this point. */
export class FrameError extends Error {
  readonly code: 'ERR_PROTO_VERSION' | 'ERR_PROTO_TYPE' | 'ERR_FRAME_TOO_LARGE'
  constructor(code: FrameError['code'], message: string) {
    super(message)
    this.name = 'FrameError'
    this.code = code
  }
}

/** The proto types a client may send. */
export const CLIENT_PROTO_TYPES: ReadonlySet<number> = new Set<number>([ProtoType.INFO, ProtoType.ADMIN, ProtoType.MESSAGE, ProtoType.COMPRESSED])

/**
 * Incremental frame parser: push() accepts the byte stream split anywhere and returns every frame
 * completed so far. A header that cannot be valid (version, type, size over the limit) throws
 * FrameError before any of its body is buffered, so a hostile size never allocates memory.
 */
export class FrameParser {
  private readonly maxBodyBytes: number
  private readonly types: ReadonlySet<number>
  private chunks: Buffer[] = []
  private buffered = 0
  private expectedBody = -1
  private headerType = 0
  private headerVersion = PROTO_VERSION

  /** `types`: the proto types this stream may carry (a client's by default; the fabric has its own). */
  constructor(maxBodyBytes: number, types: ReadonlySet<number> = CLIENT_PROTO_TYPES) {
    this.maxBodyBytes = maxBodyBytes
    this.types = types
  }

  /** Bytes received and not yet part of a returned frame. */
  get pendingBytes(): number {
    return this.buffered + (this.expectedBody >= 0 ? PROTO_HEADER_BYTES : 0)
  }

  /** Adds the frames completed by chunk to `frames` (a new array unless given) and returns it. */
  push(chunk: Buffer, frames: Frame[] = []): Frame[] {
    if (chunk.length === 0) return frames
    if (this.buffered === 0 && this.expectedBody < 0) {
      // Nothing is buffered: the frames that lie whole in the chunk are views of it, with no
      // header copies or leftover views made (a request usually arrives in one piece).
      let at = 0
      while (chunk.length - at >= PROTO_HEADER_BYTES) {
        this.checkHeader(chunk, at)
        const bodyBytes = chunk.readUIntBE(at + 2, 6)
        if (chunk.length - at - PROTO_HEADER_BYTES < bodyBytes) break
        const bodyAt = at + PROTO_HEADER_BYTES
        frames.push({ version: chunk[at]!, type: chunk[at + 1]!, body: chunk.subarray(bodyAt, bodyAt + bodyBytes) })
        at = bodyAt + bodyBytes
      }
      if (at === chunk.length) return frames
      if (at > 0) chunk = chunk.subarray(at)
    }
    this.chunks.push(chunk)
    this.buffered += chunk.length
    for (;;) {
      if (this.expectedBody < 0) {
        if (this.buffered < PROTO_HEADER_BYTES) break
        const header = this.take(PROTO_HEADER_BYTES)
        this.checkHeader(header, 0)
        this.headerVersion = header[0]!
        this.headerType = header[1]!
        this.expectedBody = header.readUIntBE(2, 6)
      }
      if (this.buffered < this.expectedBody) break
      const body = this.take(this.expectedBody)
      frames.push({ version: this.headerVersion, type: this.headerType, body })
      this.expectedBody = -1
    }
    return frames
  }

  /** Checks the header at `at` of `header`. */
  private checkHeader(header: Buffer, at: number): void {
    const version = header[at]!
    const type = header[at + 1]!
    // Aerospike still accepts version 0 on admin messages, from old clients.
    if (version !== PROTO_VERSION && !(version === 0 && type === ProtoType.ADMIN)) {
      throw new FrameError('ERR_PROTO_VERSION', `unsupported proto version ${version} (expected ${PROTO_VERSION})`)
    }
    if (!this.types.has(type)) throw new FrameError('ERR_PROTO_TYPE', `unknown proto type ${type}`)
    const size = header.readUIntBE(at + 2, 6)
    if (size > this.maxBodyBytes) {
      throw new FrameError('ERR_FRAME_TOO_LARGE', `frame of ${size} bytes exceeds the limit of ${this.maxBodyBytes} bytes`)
    }
  }

  /** Removes n bytes from the front of the buffered chunks; zero-copy when they lie in one chunk. */
  private take(n: number): Buffer {
    const first = this.chunks[0]
    if (n === 0) return Buffer.alloc(0)
    if (first !== undefined && first.length >= n) {
      const out = first.subarray(0, n)
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
      this.buffered -= n
      return out
    }
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[0]!
      const want = n - filled
      if (chunk.length <= want) {
        chunk.copy(out, filled)
        filled += chunk.length
        this.chunks.shift()
      } else {
        chunk.copy(out, filled, 0, want)
        this.chunks[0] = chunk.subarray(want)
        filled += want
      }
    }
    this.buffered -= n
    return out
  }
}
