// The version a shipped write or delete carries between Aerolite clusters, in the LUT field (14):
// when the record was last updated where it was made, and the src-id of the cluster that made it.
// A namespace with conflict-resolve-writes keeps the newer of two versions, so two regions that
// write the same record at once end up holding the same one. The field's layout is Aerolite's:
// u64 BE milliseconds since the Unix epoch, then u8 src-id.
export interface ShippedVersion {
  lastUpdateMs: number
  srcId: number
}

const VERSION_BYTES = 9

export function encodeShippedVersion(version: ShippedVersion): Buffer {
  const out = Buffer.alloc(VERSION_BYTES)
  out.writeBigUInt64BE(BigInt(version.lastUpdateMs), 0)
  out.writeUInt8(version.srcId, 8)
  return out
}

/** The version in a LUT field, or undefined when the field has another layout. */
export function decodeShippedVersion(data: Buffer): ShippedVersion | undefined {
  if (data.length !== VERSION_BYTES) return undefined
  const lastUpdateMs = data.readBigUInt64BE(0)
  if (lastUpdateMs > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  return { lastUpdateMs: Number(lastUpdateMs), srcId: data.readUInt8(8) }
}

/**
 * Whether a shipped version replaces the local one, last updated at localLastUpdateMs (undefined:
 * there is none). The later update wins; at the same millisecond the higher src-id does, taking
 * the local version as made here. That holds between two clusters: a version that came from the
 * other one and ties with it is the same version shipped again, and either choice keeps it.
 */
export function shippedVersionWins(incoming: ShippedVersion, localLastUpdateMs: number | undefined, localSrcId: number): boolean {
  if (localLastUpdateMs === undefined || incoming.lastUpdateMs !== localLastUpdateMs) return incoming.lastUpdateMs > (localLastUpdateMs ?? -1)
  return incoming.srcId > localSrcId
}
