// A record version as it travels between nodes (replica writes, migrations): its namespace,
// digest, set, generation, last-update time, void time and the record in the stored layout; a
// delete carries no record bytes.
import { DIGEST_BYTES } from '@aerolite/protocol'
import type { RemoteRecord } from '../commands/commit-remote.ts'

const FIXED_BYTES = 1 + DIGEST_BYTES + 1 + 2 + 8 + 4 + 4

export function encodeRemoteRecord(namespace: string, record: RemoteRecord): Buffer {
  const ns = Buffer.from(namespace)
  const set = Buffer.from(record.setName)
  const bytes = record.bytes?.length ?? 0
  const out = Buffer.allocUnsafe(FIXED_BYTES + ns.length + set.length + bytes)
  let at = out.writeUInt8(ns.length, 0)
  at += ns.copy(out, at)
  at += record.digest.copy(out, at)
  at = out.writeUInt8(set.length, at)
  at += set.copy(out, at)
  at = out.writeUInt16BE(record.generation, at)
  at = out.writeDoubleBE(record.lastUpdateMs, at)
  at = out.writeUInt32BE(record.voidTime, at)
  // 0xffffffff: a delete (a record is never that long).
  at = out.writeUInt32BE(record.bytes === undefined ? 0xffffffff : bytes, at)
  record.bytes?.copy(out, at)
  return out
}

export function decodeRemoteRecord(payload: Buffer): { namespace: string; record: RemoteRecord } {
  let at = 0
  const take = (n: number): Buffer => {
    if (at + n > payload.length) throw new Error(`record message of ${payload.length} bytes ends early`)
    const part = payload.subarray(at, at + n)
    at += n
    return part
  }
  const namespace = take(take(1)[0]!).toString()
  const digest = Buffer.from(take(DIGEST_BYTES))
  const setName = take(take(1)[0]!).toString()
  const fixed = take(2 + 8 + 4 + 4)
  const length = fixed.readUInt32BE(14)
  const bytes = length === 0xffffffff ? undefined : Buffer.from(take(length))
  if (at !== payload.length) throw new Error(`record message has ${payload.length - at} bytes too many`)
  return { namespace, record: { digest, setName, generation: fixed.readUInt16BE(0), lastUpdateMs: fixed.readDoubleBE(2), voidTime: fixed.readUInt32BE(10), bytes } }
}
