// Record digests and partition ids, computed exactly as the Aerospike clients do.
import { createHash } from 'node:crypto'

export const DIGEST_BYTES = 20
export const PARTITION_COUNT = 4096

/** RIPEMD-160 over set name, the key's particle type byte and the key bytes (no namespace). */
export function computeDigest(setName: string, keyParticleType: number, keyBytes: Buffer): Buffer {
  const hash = createHash('ripemd160')
  if (setName.length > 0) hash.update(setName, 'utf8')
  hash.update(Buffer.of(keyParticleType))
  hash.update(keyBytes)
  return hash.digest()
}

/** Low 12 bits of the first two digest bytes read little-endian. */
export function partitionId(digest: Uint8Array, digestAt = 0): number {
  return (digest[digestAt]! | (digest[digestAt + 1]! << 8)) & (PARTITION_COUNT - 1)
}
