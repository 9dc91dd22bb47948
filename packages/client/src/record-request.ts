// Single-record requests encoded once and patched in place: a caller that sends the same kind of
// request for many keys rewrites only the digest (and the key, if sent) between sends.
import {
  DIGEST_BYTES, FieldType, MESSAGE_HEADER_BYTES, PROTO_HEADER_BYTES, ProtoType, encodeProtoHeader, encodedMessageBytes, writeMessage,
  type Field, type OutOp,
} from '@aerolite/protocol'

export interface RecordRequestSpec {
  namespace: string
  set: string
  info1?: number
  info2?: number
  info3?: number
  /** Writes: TTL seconds (0 = namespace default). */
  ttlSeconds?: number
  /** Server-side time limit in ms (0 = none). */
  timeoutMs?: number
  /** Sent as the KEY field (key policy SEND); its value bytes can be patched later. */
  key?: { particleType: number; bytes: Buffer }
  ops?: readonly OutOp[]
}

export interface RecordRequest {
  /** The whole frame, proto header included, ready for Connection.send(). */
  frame: Buffer
  /** Where the 20 digest bytes start in frame. */
  digestOffset: number
  /** Where the key's value bytes start in frame (after its particle type byte); -1 if no key. */
  keyValueOffset: number
}

export function encodeRecordRequest(spec: RecordRequestSpec, digest: Uint8Array = new Uint8Array(DIGEST_BYTES)): RecordRequest {
  if (digest.length !== DIGEST_BYTES) throw new RangeError(`a digest has ${DIGEST_BYTES} bytes, got ${digest.length}`)
  const namespace = Buffer.from(spec.namespace, 'utf8')
  const set = Buffer.from(spec.set, 'utf8')
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: namespace },
    { type: FieldType.SET, data: set },
    { type: FieldType.DIGEST, data: Buffer.from(digest) },
  ]
  if (spec.key !== undefined) fields.push({ type: FieldType.KEY, data: Buffer.concat([Buffer.of(spec.key.particleType), spec.key.bytes]) })
  const ops = spec.ops ?? []
  const bodyBytes = encodedMessageBytes(fields, ops)
  const frame = Buffer.alloc(PROTO_HEADER_BYTES + bodyBytes)
  encodeProtoHeader(ProtoType.MESSAGE, bodyBytes, frame, 0)
  writeMessage(frame, PROTO_HEADER_BYTES, {
    info1: spec.info1 ?? 0,
    info2: spec.info2 ?? 0,
    info3: spec.info3 ?? 0,
    info4: 0,
    resultCode: 0,
    generation: 0,
    recordTtl: spec.ttlSeconds ?? 0,
    transactionTtl: spec.timeoutMs ?? 0,
  }, fields, ops)
  // Fields are written in order, each as u32 size, u8 type, data.
  const digestOffset = PROTO_HEADER_BYTES + MESSAGE_HEADER_BYTES + (5 + namespace.length) + (5 + set.length) + 5
  const keyValueOffset = spec.key === undefined ? -1 : digestOffset + DIGEST_BYTES + 5 + 1
  return { frame, digestOffset, keyValueOffset }
}

/** Copies a digest into the request in place. */
export function setRequestDigest(request: RecordRequest, digest: Uint8Array): void {
  request.frame.set(digest, request.digestOffset)
}
