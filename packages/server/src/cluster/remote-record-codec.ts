// A record version as it travels between nodes (replica writes, migrations): its namespace,
// digest, set, generation, last-update time, void time and the record in the stored layout; a
// delete carries no record bytes.
import { DIGEST_BYTES } from '@aerolite/protocol'
import type { RemoteRecord } from '../commands/commit-remote.ts'
import { FabricCodecError, PayloadReader, PayloadWriter } from './fabric/codec.ts'

export function writeRemoteRecord(out: PayloadWriter, namespace: string, record: RemoteRecord): PayloadWriter {
  out.string(namespace).raw(record.digest).string(record.setName).u16(record.generation).f64(record.lastUpdateMs).u32(record.voidTime)
  out.u8(record.bytes === undefined ? 0 : 1)
  if (record.bytes !== undefined) out.bytes(record.bytes)
  return out
}

export function encodeRemoteRecord(namespace: string, record: RemoteRecord): Buffer {
  return writeRemoteRecord(new PayloadWriter(64 + (record.bytes?.length ?? 0)), namespace, record).finish()
}

/** Reads one record; its buffers are copies (the payload is the fabric's receive buffer). */
export function readRemoteRecord(input: PayloadReader): { namespace: string; record: RemoteRecord } {
  const namespace = input.string()
  const digest = Buffer.from(input.raw(DIGEST_BYTES))
  const setName = input.string()
  const generation = input.u16()
  const lastUpdateMs = input.f64()
  const voidTime = input.u32()
  const present = input.u8()
  if (present > 1) throw new FabricCodecError(`record presence flag ${present} is not 0 or 1`)
  const bytes = present === 1 ? Buffer.from(input.bytes()) : undefined
  return { namespace, record: { digest, setName, generation, lastUpdateMs, voidTime, bytes } }
}

export function decodeRemoteRecord(payload: Buffer): { namespace: string; record: RemoteRecord } {
  const input = new PayloadReader(payload)
  const decoded = readRemoteRecord(input)
  input.end()
  return decoded
}
