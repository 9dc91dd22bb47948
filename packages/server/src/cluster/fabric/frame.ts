// A fabric frame: the 8-byte proto header every Aerospike stream uses (version 2, a type of the
// fabric's own, 48-bit body size), then a fixed 30-byte fabric header, then the payload.
//
// Fabric header (big-endian):
//   0  u64 view revision   the sender's view when it sent the message
//   8  u64 cluster key     that view's key: a message of another view is never acted on
//  16  u64 sender node id
//  24  u8  message type    what the payload is (one handler per type)
//  25  u32 request id      pairs a reply with its request; 0 on a one-way message
//  29  u8  flags           exactly one of ONE_WAY, REQUEST, REPLY
import { FrameError, FrameParser, PROTO_HEADER_BYTES, encodeProtoHeader } from '@aerolite/protocol'

/**
 * The fabric's proto type: 'F' (70). Clients send 1 to 4 and Aerospike keeps 5 for its internal
 * XDR, so a client that dials the fabric port by mistake is refused at its first header, and a
 * fabric frame sent to a service port is refused there too (its parser knows only the client types).
 */
export const FABRIC_PROTO_TYPE = 0x46
export const FABRIC_HEADER_BYTES = 30
/** Proto header and fabric header: the bytes a message adds to its payload on the wire. */
export const FABRIC_FRAME_OVERHEAD_BYTES = PROTO_HEADER_BYTES + FABRIC_HEADER_BYTES

export const FabricFlag = {
  ONE_WAY: 1,
  REQUEST: 2,
  REPLY: 4,
} as const

export type FabricKind = 'one-way' | 'request' | 'reply'

const FLAG_OF: Record<FabricKind, number> = { 'one-way': FabricFlag.ONE_WAY, request: FabricFlag.REQUEST, reply: FabricFlag.REPLY }
const KIND_OF = new Map<number, FabricKind>([[FabricFlag.ONE_WAY, 'one-way'], [FabricFlag.REQUEST, 'request'], [FabricFlag.REPLY, 'reply']])

const U64_MAX = 0xffff_ffff_ffff_ffffn

export interface FabricHeader {
  revision: number
  clusterKey: bigint
  sender: bigint
  type: number
  /** 0 on a one-way message; 1 to 2^32-1 on a request and its reply. */
  requestId: number
  kind: FabricKind
}

export interface FabricFrame extends FabricHeader {
  payload: Buffer
}

/** A fabric stream that cannot be trusted past this point: the connection closes. */
export class FabricFrameError extends Error {
  readonly code = 'ERR_FABRIC_FRAME'

  constructor(message: string) {
    super(message)
    this.name = 'FabricFrameError'
  }
}

/**
 * The proto header and fabric header of a message with `payloadBytes` of payload. The payload is
 * written after it as a separate buffer, so a large payload is never copied.
 */
export function encodeFabricHeader(header: FabricHeader, payloadBytes: number): Buffer {
  checkHeader(header)
  const out = Buffer.allocUnsafe(FABRIC_FRAME_OVERHEAD_BYTES)
  encodeProtoHeader(FABRIC_PROTO_TYPE, FABRIC_HEADER_BYTES + payloadBytes, out, 0)
  const at = PROTO_HEADER_BYTES
  out.writeBigUInt64BE(BigInt(header.revision), at)
  out.writeBigUInt64BE(header.clusterKey, at + 8)
  out.writeBigUInt64BE(header.sender, at + 16)
  out.writeUInt8(header.type, at + 24)
  out.writeUInt32BE(header.requestId, at + 25)
  out.writeUInt8(FLAG_OF[header.kind], at + 29)
  return out
}

/** A whole frame in one buffer. */
export function encodeFabricFrame(header: FabricHeader, payload: Buffer): Buffer {
  return Buffer.concat([encodeFabricHeader(header, payload.length), payload])
}

/** A frame from its body (the bytes after the proto header). The payload is a view of `body`, not a copy. */
export function decodeFabricFrame(body: Buffer): FabricFrame {
  if (body.length < FABRIC_HEADER_BYTES) throw new FabricFrameError(`fabric frame of ${body.length} bytes is shorter than its ${FABRIC_HEADER_BYTES}-byte header`)
  const revision = body.readBigUInt64BE(0)
  if (revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new FabricFrameError(`fabric frame view revision ${revision} is beyond 2^53`)
  const flags = body.readUInt8(29)
  const kind = KIND_OF.get(flags)
  if (kind === undefined) throw new FabricFrameError(`fabric frame flags 0x${flags.toString(16)} are not exactly one of one-way, request, reply`)
  const requestId = body.readUInt32BE(25)
  if ((kind === 'one-way') !== (requestId === 0)) throw new FabricFrameError(`fabric ${kind} frame with request id ${requestId}`)
  return {
    revision: Number(revision),
    clusterKey: body.readBigUInt64BE(8),
    sender: body.readBigUInt64BE(16),
    type: body.readUInt8(24),
    requestId,
    kind,
    payload: body.subarray(FABRIC_HEADER_BYTES),
  }
}

/** Programmer errors: a header we build must be one we would accept. */
function checkHeader(header: FabricHeader): void {
  if (!Number.isSafeInteger(header.revision) || header.revision < 0) throw new RangeError(`fabric: view revision ${header.revision} is not a non-negative safe integer`)
  if (header.clusterKey < 0n || header.clusterKey > U64_MAX) throw new RangeError(`fabric: cluster key ${header.clusterKey} is not a u64`)
  if (header.sender < 0n || header.sender > U64_MAX) throw new RangeError(`fabric: sender node id ${header.sender} is not a u64`)
  if (!Number.isInteger(header.type) || header.type < 0 || header.type > 0xff) throw new RangeError(`fabric: message type ${header.type} is not a u8`)
  if (!Number.isInteger(header.requestId) || header.requestId < 0 || header.requestId > 0xffff_ffff) throw new RangeError(`fabric: request id ${header.requestId} is not a u32`)
  if ((header.kind === 'one-way') !== (header.requestId === 0)) throw new RangeError(`fabric: a ${header.kind} message cannot have request id ${header.requestId}`)
}

const FABRIC_TYPES: ReadonlySet<number> = new Set([FABRIC_PROTO_TYPE])

/**
 * Incremental parser of a fabric stream: accepts the bytes split anywhere and returns each frame
 * completed so far. A header declaring more than `maxPayloadBytes` of payload is refused before
 * any of its body is buffered; every problem is a FabricFrameError.
 */
export class FabricFrameParser {
  private readonly frames: FrameParser

  constructor(maxPayloadBytes: number) {
    this.frames = new FrameParser(FABRIC_HEADER_BYTES + maxPayloadBytes, FABRIC_TYPES)
  }

  push(chunk: Buffer): FabricFrame[] {
    try {
      return this.frames.push(chunk).map((frame) => decodeFabricFrame(frame.body))
    } catch (err) {
      if (err instanceof FrameError) throw new FabricFrameError(`fabric ${err.message}`)
      throw err
    }
  }

  /** Bytes received and not yet part of a returned frame. */
  get pendingBytes(): number {
    return this.frames.pendingBytes
  }
}
