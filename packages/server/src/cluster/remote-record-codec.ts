// A record version as it travels between nodes (replica writes, migrations): its namespace,
// digest, set, generation, last-update time, void time and the record in the stored layout; a
// delete carries no record bytes, or the bin versions of a record bin convergence deleted.
import { DIGEST_BYTES } from '@aerolite/protocol'
import type { RemoteRecord } from '../commands/commit-remote.ts'
import { FabricCodecError, PayloadReader, PayloadWriter } from './fabric/codec.ts'
import { binVersionsBytes, binVersionsFit, readBinVersions, writeBinVersions, type BinVersions } from '../record/bin-versions.ts'

/** What follows the header: nothing (a delete), the record, or a deleted record's bin versions. */
const Carries = { NOTHING: 0, RECORD: 1, BIN_VERSIONS: 2 } as const

function encodeBinVersions(versions: BinVersions): Buffer {
  const out = Buffer.alloc(binVersionsBytes(versions))
  writeBinVersions(out, 0, versions)
  return out
}

export function writeRemoteRecord(out: PayloadWriter, namespace: string, record: RemoteRecord): PayloadWriter {
  out.string(namespace).raw(record.digest).string(record.setName).u16(record.generation).f64(record.lastUpdateMs).u32(record.voidTime)
  if (record.bytes !== undefined) out.u8(Carries.RECORD).bytes(record.bytes)
  else if (record.binVersions !== undefined) out.u8(Carries.BIN_VERSIONS).bytes(encodeBinVersions(record.binVersions))
  else out.u8(Carries.NOTHING)
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
  const carries = input.u8()
  if (carries > Carries.BIN_VERSIONS) throw new FabricCodecError(`record presence flag ${carries} is not 0, 1 or 2`)
  const bytes = carries === Carries.RECORD ? Buffer.from(input.bytes()) : undefined
  const record: RemoteRecord = { digest, setName, generation, lastUpdateMs, voidTime, bytes }
  if (carries === Carries.BIN_VERSIONS) {
    const section = input.bytes()
    if (!binVersionsFit(section, 0, section.length)) throw new FabricCodecError('malformed bin versions of a deleted record')
    record.binVersions = readBinVersions(section, 0)
  }
  return { namespace, record }
}

export function decodeRemoteRecord(payload: Buffer): { namespace: string; record: RemoteRecord } {
  const input = new PayloadReader(payload)
  const decoded = readRemoteRecord(input)
  input.end()
  return decoded
}
