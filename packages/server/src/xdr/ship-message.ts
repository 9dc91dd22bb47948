// The message that ships one change to a DC: the record's current bins as a write (replacing the
// remote record, or updating it when only some bins ship: changed-bins.ts), or a durable delete
// when the record is gone. Both carry the XDR flag, so the receiving cluster does not ship them on
// (unless it forwards).
import { FieldType, Info1, Info2, Info3, OpType, PROTO_HEADER_BYTES, ParticleType, ProtoType, compressMessageFrame, encodeProtoHeader, encodedMessageBytes, writeMessage, type Field, type OutOp } from '@aerolite/protocol'
import type { XdrNamespaceConfig } from '../config/xdr-config.ts'
import { limits } from '../limits.ts'
import type { StoredKey } from '../record/layout.ts'
import type { Bin } from '../record/bins.ts'
import type { BinVersions } from '../record/bin-versions.ts'
import { shippedBins } from './changed-bins.ts'
import { encodeShippedVersion, type ShippedVersion } from './shipped-version.ts'

/** A record TTL of -1 on the wire (u32): never expire. */
const NEVER_EXPIRE = 0xffffffff

export interface ShippedRecord {
  setName: string
  key: StoredKey | undefined
  bins: readonly Bin[]
  /** Seconds left to live; 0 = never expires. */
  ttlSeconds: number
  /** With ship-bin-luts: the version of each bin and bin tombstone (record/bin-versions.ts). */
  versions?: BinVersions
}

function frame(info1: number, info2: number, info3: number, ttl: number, fields: Field[], ops: readonly OutOp[]): Buffer {
  const bodyBytes = encodedMessageBytes(fields, ops)
  const out = Buffer.alloc(PROTO_HEADER_BYTES + bodyBytes)
  encodeProtoHeader(ProtoType.MESSAGE, bodyBytes, out, 0)
  writeMessage(out, PROTO_HEADER_BYTES, { info1, info2, info3, info4: 0, resultCode: 0, generation: 0, recordTtl: ttl, transactionTtl: 0 }, fields, ops)
  return out
}

function addressing(namespace: string, setName: string, digest: Buffer, key: StoredKey | undefined, version: ShippedVersion | undefined): Field[] {
  const fields: Field[] = [
    { type: FieldType.NAMESPACE, data: Buffer.from(namespace, 'utf8') },
    { type: FieldType.SET, data: Buffer.from(setName, 'utf8') },
    { type: FieldType.DIGEST, data: digest },
  ]
  if (key !== undefined) fields.push({ type: FieldType.KEY, data: Buffer.concat([Buffer.of(key.particleType), key.bytes]) })
  if (version !== undefined) fields.push({ type: FieldType.LUT, data: encodeShippedVersion(version) })
  return fields
}

/**
 * The write that ships a record: every shipped bin (of those `changed`, under the policies that ship
 * changed bins); replaces the remote record unless write-policy update (or auto with bins left out).
 * With the record's bin versions (ship-bin-luts, to Aerolite), its bin tombstones ship too, as nil
 * writes, and the version of each op's bin goes in the LUT field (shipped-version.ts).
 */
export function recordWriteFrame(remoteNamespace: string, digest: Buffer, record: ShippedRecord, config: XdrNamespaceConfig, changed: ReadonlySet<string> | undefined, version?: ShippedVersion): Buffer {
  const versions = version === undefined ? undefined : record.versions
  const bins = shippedBins(record.bins, config, changed, versions === undefined ? undefined : tombstonesOf(record.bins, versions))
  // A touch (no bin ships) carries the record's version alone.
  if (version !== undefined && versions !== undefined && bins.length > 0) version = { ...version, bins: { floor: versions.floor, stamps: bins.map((bin) => versions.bins.get(bin.name)!) } }
  const whole = bins.length === record.bins.length && bins.every((bin) => bin.particleType !== ParticleType.NULL)
  const replace = config.writePolicy === 'replace' || (config.writePolicy === 'auto' && whole)
  // With no bin to ship (bin-policy no-bins), the remote record's TTL is carried by a touch.
  const ops: OutOp[] = bins.length === 0
    ? [{ type: OpType.TOUCH, particleType: 0, name: '', value: Buffer.alloc(0) }]
    : bins.map((bin) => ({ type: OpType.WRITE, particleType: bin.particleType, name: bin.name, value: bin.value }))
  const ttl = record.ttlSeconds === 0 ? NEVER_EXPIRE : record.ttlSeconds
  return frame(Info1.XDR, Info2.WRITE, replace && bins.length > 0 ? Info3.CREATE_OR_REPLACE : 0, ttl, addressing(remoteNamespace, record.setName, digest, record.key, version), ops)
}

function tombstonesOf(bins: readonly Bin[], versions: BinVersions): string[] {
  const live = new Set(bins.map((bin) => bin.name))
  return [...versions.bins.keys()].filter((name) => !live.has(name))
}

/** The durable delete that ships a record's removal. */
export function deleteFrame(remoteNamespace: string, setName: string, digest: Buffer, version?: ShippedVersion): Buffer {
  return frame(Info1.XDR, Info2.WRITE | Info2.DELETE | Info2.DURABLE_DELETE, 0, 0, addressing(remoteNamespace, setName, digest, undefined, version), [])
}

/**
 * The frame as it goes on the wire: with enable-compression, a message of at least
 * `xdrCompressMinBytes` travels zlib-compressed (proto type 4, as clients send it); a smaller one
 * would grow by the compressed frame's size prefix and zlib's header, and goes as it is.
 */
export function wireFrame(frame: Buffer, enableCompression: boolean): Buffer {
  if (!enableCompression || frame.length < limits.xdrCompressMinBytes) return frame
  return compressMessageFrame(frame.subarray(PROTO_HEADER_BYTES))
}
