// Encoding single-record replies straight into one frame buffer.
import {
  Info1, Info3, MESSAGE_HEADER_BYTES, PROTO_HEADER_BYTES, ProtoType, compressMessageFrame, encodeProtoHeader,
  encodedOpBytes, writeMessage, type OutOp, type Message,
} from '@aerolite/protocol'
import { replyBuffer } from './reply-buffer.ts'

/** Replies smaller than this are never worth compressing. */
const COMPRESS_THRESHOLD_BYTES = 128

const NO_FIELDS: never[] = []

/** What a single-record command answers. */
export interface CommandReply {
  reply: Buffer
  /** Why the command failed, for the log (debug level). */
  problem?: string
  /** A fault of ours (logged as an error); the reply is SERVER_ERROR. */
  fault?: unknown
  /** The reply may leave only once this resolves (the change is durable); on rejection SERVER_ERROR goes instead. */
  settled?: Promise<void>
}

export interface ReplyMeta {
  resultCode: number
  generation: number
  voidTime: number
}

/** A header-only reply (writes, deletes, errors, exists). */
export function headerReply(resultCode: number, generation = 0, voidTime = 0): Buffer {
  const out = replyBuffer(PROTO_HEADER_BYTES + MESSAGE_HEADER_BYTES)
  encodeProtoHeader(ProtoType.MESSAGE, MESSAGE_HEADER_BYTES, out, 0)
  writeReplyHeader(out, resultCode, generation, voidTime, 0)
  return out
}

/** A reply carrying ops built one by one (operate results, selected bins). */
export function opsReply(request: Message, meta: ReplyMeta, ops: readonly OutOp[]): Buffer {
  let bodyBytes = MESSAGE_HEADER_BYTES
  for (const op of ops) bodyBytes += encodedOpBytes(op)
  const out = replyBuffer(PROTO_HEADER_BYTES + bodyBytes)
  encodeProtoHeader(ProtoType.MESSAGE, bodyBytes, out, 0)
  writeMessage(out, PROTO_HEADER_BYTES, { info1: 0, info2: 0, info3: 0, info4: 0, resultCode: meta.resultCode, generation: meta.generation, recordTtl: meta.voidTime, transactionTtl: 0 }, NO_FIELDS, ops)
  return maybeCompress(request, out)
}

/** A reply whose ops are a contiguous region already in wire form (all bins of a stored record). */
export function rawOpsReply(request: Message, meta: ReplyMeta, opCount: number, region: Buffer): Buffer {
  const bodyBytes = MESSAGE_HEADER_BYTES + region.length
  const out = replyBuffer(PROTO_HEADER_BYTES + bodyBytes)
  encodeProtoHeader(ProtoType.MESSAGE, bodyBytes, out, 0)
  writeReplyHeader(out, meta.resultCode, meta.generation, meta.voidTime, opCount)
  region.copy(out, PROTO_HEADER_BYTES + MESSAGE_HEADER_BYTES)
  return maybeCompress(request, out)
}

/** The message header of a reply without fields, after the proto header; byte by byte, as writeMessage would for these values. */
function writeReplyHeader(out: Buffer, resultCode: number, generation: number, voidTime: number, opCount: number): void {
  const at = PROTO_HEADER_BYTES
  out[at] = MESSAGE_HEADER_BYTES
  out[at + 1] = 0
  out[at + 2] = 0
  out[at + 3] = 0
  out[at + 4] = 0
  out[at + 5] = resultCode
  out.writeUInt32BE(generation >>> 0, at + 6)
  out.writeUInt32BE(voidTime >>> 0, at + 10)
  out.writeUInt32BE(0, at + 14)
  out.writeUInt16BE(0, at + 18)
  out.writeUInt16BE(opCount, at + 20)
}

/** Honours COMPRESS_RESPONSE; an uncompressed reply is always acceptable to clients, so small ones stay plain. */
function maybeCompress(request: Message, frame: Buffer): Buffer {
  if ((request.info1 & Info1.COMPRESS_RESPONSE) === 0 || frame.length < COMPRESS_THRESHOLD_BYTES) return frame
  return compressMessageFrame(frame.subarray(PROTO_HEADER_BYTES))
}

/** The reply to a batch, scan or query that cannot start: one LAST message carrying the result code. */
export function streamErrorReply(resultCode: number): Buffer {
  const out = replyBuffer(PROTO_HEADER_BYTES + MESSAGE_HEADER_BYTES)
  encodeProtoHeader(ProtoType.MESSAGE, MESSAGE_HEADER_BYTES, out, 0)
  writeMessage(out, PROTO_HEADER_BYTES, { info1: 0, info2: 0, info3: Info3.LAST, info4: 0, resultCode, generation: 0, recordTtl: 0, transactionTtl: 0 }, NO_FIELDS, NO_FIELDS)
  return out
}
