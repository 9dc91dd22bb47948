// What a caller usually needs from a single-record reply without decoding its bins.
import { CompressionError, MESSAGE_HEADER_BYTES, ProtoType, decompressMessageBody, type Frame } from '@aerolite/protocol'
import { MAX_REPLY_BODY_BYTES } from './connection.ts'

export class ReplyError extends Error {
  readonly code = 'ERR_REPLY'
  constructor(message: string) {
    super(message)
    this.name = 'ReplyError'
  }
}

const RESULT_CODE_OFFSET = 5

/** The result code of an AS_MSG reply (compressed or not). */
export function replyResultCode(frame: Frame): number {
  let body = frame.body
  if (frame.type === ProtoType.COMPRESSED) {
    try {
      body = decompressMessageBody(body, MAX_REPLY_BODY_BYTES)
    } catch (err) {
      if (err instanceof CompressionError) throw new ReplyError(err.message)
      throw err
    }
  } else if (frame.type !== ProtoType.MESSAGE) throw new ReplyError(`expected a message reply, got proto type ${frame.type}`)
  if (body.length < MESSAGE_HEADER_BYTES || body[0] !== MESSAGE_HEADER_BYTES) throw new ReplyError(`reply of ${body.length} bytes has no 22-byte message header`)
  return body[RESULT_CODE_OFFSET]!
}
