// Type-4 frames: a u64 holding the size of the whole inner frame (header included), then a zlib
// stream of that inner frame, which must itself be a type-3 message.
import { deflateSync, inflateSync } from 'node:zlib'
import { PROTO_HEADER_BYTES, PROTO_VERSION, ProtoType, encodeFrame } from './frame.ts'

export class CompressionError extends Error {
  readonly code = 'ERR_COMPRESSED_FRAME'
  constructor(message: string) {
    super(message)
    this.name = 'CompressionError'
  }
}

/** Returns the body of the inner type-3 message carried by a type-4 frame body. */
export function decompressMessageBody(body: Buffer, maxInnerBytes: number): Buffer {
  if (body.length < 8) throw new CompressionError(`compressed frame body of ${body.length} bytes is shorter than its 8-byte size prefix`)
  const declared = Number(body.readBigUInt64BE(0))
  if (declared > maxInnerBytes) throw new CompressionError(`compressed frame declares ${declared} bytes, over the limit of ${maxInnerBytes}`)
  let inner: Buffer
  try {
    inner = inflateSync(body.subarray(8), { maxOutputLength: Math.max(declared, 1) })
  } catch (err) {
    throw new CompressionError(`compressed frame does not inflate: ${(err as Error).message}`)
  }
  if (inner.length !== declared) throw new CompressionError(`compressed frame inflated to ${inner.length} bytes, declared ${declared}`)
  if (inner.length < PROTO_HEADER_BYTES || inner[0] !== PROTO_VERSION || inner[1] !== ProtoType.MESSAGE) {
    throw new CompressionError('compressed frame does not hold a version 2 type 3 message')
  }
  if (inner.readUIntBE(2, 6) + PROTO_HEADER_BYTES !== inner.length) {
    throw new CompressionError('compressed frame inner size does not match its header')
  }
  return inner.subarray(PROTO_HEADER_BYTES)
}

/** Wraps a type-3 message body into a complete type-4 frame. */
export function compressMessageFrame(messageBody: Buffer, level = 1): Buffer {
  const inner = encodeFrame(ProtoType.MESSAGE, messageBody)
  const zipped = deflateSync(inner, { level })
  const body = Buffer.allocUnsafe(8 + zipped.length)
  body.writeBigUInt64BE(BigInt(inner.length), 0)
  zipped.copy(body, 8)
  return encodeFrame(ProtoType.COMPRESSED, body)
}
