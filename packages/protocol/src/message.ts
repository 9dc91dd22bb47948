// AS_MSG (proto type 3): a 22-byte header, then fields, then ops. Decoding keeps field data and op
// values as views into the received body, so a request is parsed without copying its payloads.

export const MESSAGE_HEADER_BYTES = 22

export const Info1 = {
  READ: 0x01,
  GET_ALL: 0x02,
  SHORT_QUERY: 0x04,
  BATCH: 0x08,
  XDR: 0x10,
  NOBINDATA: 0x20,
  READ_MODE_AP_ALL: 0x40,
  COMPRESS_RESPONSE: 0x80,
} as const

export const Info2 = {
  WRITE: 0x01,
  DELETE: 0x02,
  GENERATION: 0x04,
  GENERATION_GT: 0x08,
  DURABLE_DELETE: 0x10,
  CREATE_ONLY: 0x20,
  RELAX_AP_LONG_QUERY: 0x40,
  RESPOND_ALL_OPS: 0x80,
} as const

export const Info3 = {
  LAST: 0x01,
  COMMIT_MASTER: 0x02,
  PARTITION_DONE: 0x04,
  UPDATE_ONLY: 0x08,
  CREATE_OR_REPLACE: 0x10,
  REPLACE_ONLY: 0x20,
  SC_READ_TYPE: 0x40,
  SC_READ_RELAX: 0x80,
} as const

export const Info4 = {
  TXN_VERIFY_READ: 0x01,
  TXN_ROLL_FORWARD: 0x02,
  TXN_ROLL_BACK: 0x04,
  MRT_MONITOR_DRIVEN: 0x08,
  TXN_ON_LOCKING_ONLY: 0x10,
} as const

export const FieldType = {
  NAMESPACE: 0,
  SET: 1,
  KEY: 2,
  RECORD_VERSION: 3,
  DIGEST: 4,
  TXN_ID: 5,
  TXN_DEADLINE: 6,
  TASK_ID: 7,
  SOCKET_TIMEOUT: 9,
  RECORDS_PER_SECOND: 10,
  PID_ARRAY: 11,
  DIGEST_ARRAY: 12,
  MAX_RECORDS: 13,
  LUT: 14,
  BVAL_ARRAY: 15,
  INDEX_NAME: 21,
  INDEX_RANGE: 22,
  INDEX_CONTEXT: 23,
  INDEX_EXPRESSION: 24,
  INDEX_TYPE: 26,
  UDF_PACKAGE_NAME: 30,
  UDF_FUNCTION: 31,
  UDF_ARGLIST: 32,
  UDF_OP: 33,
  QUERY_BINS: 40,
  BATCH_INDEX: 41,
  BATCH_INDEX_WITH_SET: 42,
  FILTER: 43,
} as const

export const OpType = {
  READ: 1,
  WRITE: 2,
  CDT_READ: 3,
  CDT_MODIFY: 4,
  INCR: 5,
  EXP_READ: 7,
  EXP_MODIFY: 8,
  APPEND: 9,
  PREPEND: 10,
  TOUCH: 11,
  BIT_READ: 12,
  BIT_MODIFY: 13,
  DELETE: 14,
  HLL_READ: 15,
  HLL_MODIFY: 16,
} as const

export interface MessageHeader {
  info1: number
  info2: number
  info3: number
  info4: number
  resultCode: number
  generation: number
  /** Requests: TTL seconds (or read-touch-ttl-percent); replies: void time since 2010-01-01. */
  recordTtl: number
  /** Requests: server-side timeout in ms; batch replies: the row index. */
  transactionTtl: number
}

export interface Field {
  type: number
  data: Buffer
}

export interface Op {
  type: number
  particleType: number
  flags: number
  /** Bin name bytes; Aerospike bin names are at most 15 bytes. */
  name: Buffer
  value: Buffer
}

export interface Message extends MessageHeader {
  fields: Field[]
  ops: Op[]
}

export class MessageError extends Error {
  readonly code = 'ERR_MESSAGE'
  constructor(message: string) {
    super(message)
    this.name = 'MessageError'
  }
}

/** Decodes one AS_MSG body (everything after the proto header). */
export function decodeMessage(body: Buffer): Message {
  const { message, end } = decodeMessageAt(body, 0)
  if (end !== body.length) throw new MessageError(`message has ${body.length - end} bytes after its last op`)
  return message
}

/** Decodes the message starting at offset; streams (batch, scan replies) hold several in one frame. */
export function decodeMessageAt(body: Buffer, offset: number): { message: Message; end: number } {
  if (body.length - offset < MESSAGE_HEADER_BYTES) {
    throw new MessageError(`message of ${body.length - offset} bytes is shorter than the ${MESSAGE_HEADER_BYTES}-byte header`)
  }
  const headerBytes = body[offset]!
  if (headerBytes !== MESSAGE_HEADER_BYTES) throw new MessageError(`message header size is ${headerBytes}, expected ${MESSAGE_HEADER_BYTES}`)
  const nFields = body.readUInt16BE(offset + 18)
  const nOps = body.readUInt16BE(offset + 20)
  const message: Message = {
    info1: body[offset + 1]!,
    info2: body[offset + 2]!,
    info3: body[offset + 3]!,
    info4: body[offset + 4]!,
    resultCode: body[offset + 5]!,
    generation: body.readUInt32BE(offset + 6),
    recordTtl: body.readUInt32BE(offset + 10),
    transactionTtl: body.readUInt32BE(offset + 14),
    fields: new Array<Field>(nFields),
    ops: new Array<Op>(nOps),
  }
  let pos = offset + MESSAGE_HEADER_BYTES
  for (let i = 0; i < nFields; i++) {
    if (pos + 5 > body.length) throw new MessageError(`field ${i} of ${nFields} is truncated`)
    const size = body.readUInt32BE(pos)
    if (size < 1 || pos + 4 + size > body.length) throw new MessageError(`field ${i} declares ${size} bytes, past the end of the message`)
    message.fields[i] = { type: body[pos + 4]!, data: body.subarray(pos + 5, pos + 4 + size) }
    pos += 4 + size
  }
  for (let i = 0; i < nOps; i++) {
    if (pos + 8 > body.length) throw new MessageError(`op ${i} of ${nOps} is truncated`)
    const size = body.readUInt32BE(pos)
    const nameBytes = body[pos + 7]!
    if (size < 4 + nameBytes || pos + 4 + size > body.length) throw new MessageError(`op ${i} declares ${size} bytes, inconsistent with the message`)
    message.ops[i] = {
      type: body[pos + 4]!,
      particleType: body[pos + 5]!,
      flags: body[pos + 6]!,
      name: body.subarray(pos + 8, pos + 8 + nameBytes),
      value: body.subarray(pos + 8 + nameBytes, pos + 4 + size),
    }
    pos += 4 + size
  }
  return { message, end: pos }
}

/** A copy whose fields and ops own their bytes: for work that outlives the buffer a message was decoded from. */
export function copyMessage(message: Message): Message {
  return {
    ...message,
    fields: message.fields.map((field) => ({ type: field.type, data: Buffer.from(field.data) })),
    ops: message.ops.map((op) => ({ ...op, name: Buffer.from(op.name), value: Buffer.from(op.value) })),
  }
}

export function findField(message: { fields: Field[] }, type: number): Buffer | undefined {
  for (const field of message.fields) if (field.type === type) return field.data
  return undefined
}

export interface OutOp {
  type: number
  particleType: number
  name: Buffer | string
  value: Buffer
}

export function encodedOpBytes(op: OutOp): number {
  const nameBytes = typeof op.name === 'string' ? Buffer.byteLength(op.name) : op.name.length
  return 8 + nameBytes + op.value.length
}

/** Size of a message with the given fields and ops, header included. */
export function encodedMessageBytes(fields: readonly Field[], ops: readonly OutOp[]): number {
  let size = MESSAGE_HEADER_BYTES
  for (const field of fields) size += 5 + field.data.length
  for (const op of ops) size += encodedOpBytes(op)
  return size
}

/** Writes a complete message at offset and returns the offset after it. */
export function writeMessage(target: Buffer, offset: number, header: MessageHeader, fields: readonly Field[], ops: readonly OutOp[]): number {
  target[offset] = MESSAGE_HEADER_BYTES
  target[offset + 1] = header.info1
  target[offset + 2] = header.info2
  target[offset + 3] = header.info3
  target[offset + 4] = header.info4
  target[offset + 5] = header.resultCode
  target.writeUInt32BE(header.generation >>> 0, offset + 6)
  target.writeUInt32BE(header.recordTtl >>> 0, offset + 10)
  target.writeUInt32BE(header.transactionTtl >>> 0, offset + 14)
  target.writeUInt16BE(fields.length, offset + 18)
  target.writeUInt16BE(ops.length, offset + 20)
  let pos = offset + MESSAGE_HEADER_BYTES
  for (const field of fields) {
    target.writeUInt32BE(field.data.length + 1, pos)
    target[pos + 4] = field.type
    field.data.copy(target, pos + 5)
    pos += 5 + field.data.length
  }
  for (const op of ops) {
    const nameBytes = typeof op.name === 'string' ? target.write(op.name, pos + 8, 'utf8') : op.name.copy(target, pos + 8)
    if (nameBytes > 0xff) throw new RangeError(`op name of ${nameBytes} bytes does not fit the 1-byte length`)
    target.writeUInt32BE(4 + nameBytes + op.value.length, pos)
    target[pos + 4] = op.type
    target[pos + 5] = op.particleType
    target[pos + 6] = 0
    target[pos + 7] = nameBytes
    op.value.copy(target, pos + 8 + nameBytes)
    pos += 8 + nameBytes + op.value.length
  }
  return pos
}

export function emptyHeader(): MessageHeader {
  return { info1: 0, info2: 0, info3: 0, info4: 0, resultCode: 0, generation: 0, recordTtl: 0, transactionTtl: 0 }
}

/** Encodes one message body (no proto header). */
export function encodeMessage(header: MessageHeader, fields: readonly Field[] = [], ops: readonly OutOp[] = []): Buffer {
  const out = Buffer.allocUnsafe(encodedMessageBytes(fields, ops))
  writeMessage(out, 0, header, fields, ops)
  return out
}
