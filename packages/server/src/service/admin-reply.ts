// Admin (type 2) messages: this node has no security, so every admin command is answered with
// SECURITY_NOT_ENABLED, which the clients' login treats as success.
import { PROTO_HEADER_BYTES, ProtoType, ResultCode, encodeProtoHeader } from '@aerolite/protocol'

const ADMIN_HEADER_BYTES = 16

export function securityNotEnabledReply(): Buffer {
  const out = Buffer.alloc(PROTO_HEADER_BYTES + ADMIN_HEADER_BYTES)
  encodeProtoHeader(ProtoType.ADMIN, ADMIN_HEADER_BYTES, out, 0)
  out[PROTO_HEADER_BYTES + 1] = ResultCode.SECURITY_NOT_ENABLED
  return out
}
