// The version a shipped write or delete carries between Aerolite clusters, in the LUT field (14):
// when the record was last updated where it was made, and the src-id of the cluster that made it.
// A namespace with conflict-resolve-writes keeps the newer of two versions, so two regions that
// write the same record at once end up holding the same one. With ship-bin-luts the field also
// carries the version of each shipped bin, and the receiver keeps the newer version of each bin
// instead (commands/xdr-bin-merge.ts). The field's layout is Aerolite's, big-endian:
//   u64 last-update ms since the Unix epoch, u8 src-id            the record's version
//   [u64 floor ms (0: none), u8 floor src-id, then per op of the message: u64 ms, u8 src-id]
import { stampNewer, type Stamp } from '../record/bin-versions.ts'

export interface ShippedVersion extends Stamp {
  /** With ship-bin-luts: the versions of the shipped bins. */
  bins?: ShippedBinVersions
}

export interface ShippedBinVersions {
  /** The delete the record was created over, where it was made: every bin not shipped is as old. */
  floor: Stamp | undefined
  /** The version of each op's bin, in the message's order; a nil write is a removed bin. */
  stamps: Stamp[]
}

const STAMP_BYTES = 9

export function encodeShippedVersion(version: ShippedVersion): Buffer {
  const stamps = version.bins === undefined ? [] : [version.bins.floor ?? { lastUpdateMs: 0, srcId: 0 }, ...version.bins.stamps]
  const out = Buffer.alloc(STAMP_BYTES * (1 + stamps.length))
  writeStamp(out, 0, version)
  stamps.forEach((stamp, i) => writeStamp(out, STAMP_BYTES * (i + 1), stamp))
  return out
}

/** The version in a LUT field, or undefined when the field has another layout. */
export function decodeShippedVersion(data: Buffer): ShippedVersion | undefined {
  if (data.length === 0 || data.length % STAMP_BYTES !== 0) return undefined
  const stamps: Stamp[] = []
  for (let at = 0; at < data.length; at += STAMP_BYTES) {
    const stamp = readStamp(data, at)
    if (stamp === undefined) return undefined
    stamps.push(stamp)
  }
  const [record, floor, ...binStamps] = stamps as [Stamp, ...Stamp[]]
  if (floor === undefined) return record
  return { ...record, bins: { floor: floor.lastUpdateMs === 0 ? undefined : floor, stamps: binStamps } }
}

function writeStamp(out: Buffer, at: number, stamp: Stamp): void {
  out.writeBigUInt64BE(BigInt(stamp.lastUpdateMs), at)
  out.writeUInt8(stamp.srcId, at + 8)
}

function readStamp(data: Buffer, at: number): Stamp | undefined {
  const lastUpdateMs = data.readBigUInt64BE(at)
  if (lastUpdateMs > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  return { lastUpdateMs: Number(lastUpdateMs), srcId: data.readUInt8(at + 8) }
}

/**
 * Whether a shipped version replaces the local one, last updated at localLastUpdateMs (undefined:
 * there is none). The later update wins; at the same millisecond the higher src-id does, taking
 * the local version as made here. That holds between two clusters: a version that came from the
 * other one and ties with it is the same version shipped again, and either choice keeps it.
 */
export function shippedVersionWins(incoming: ShippedVersion, localLastUpdateMs: number | undefined, localSrcId: number): boolean {
  return stampNewer(incoming, localLastUpdateMs === undefined ? undefined : { lastUpdateMs: localLastUpdateMs, srcId: localSrcId })
}
