// Bin values cross into Lua as msgpack with Aerospike's conventions (lists and maps are msgpack
// already; scalars are packed); values coming back are turned into particles the same way.
import { HllValue, ParticleType, TypedBlob, decodeParticle, encodeParticle, packValue, unpackValue } from '@aerolite/protocol'

export function particleToMsgpack(particleType: number, value: Buffer): Buffer {
  if (particleType === ParticleType.LIST || particleType === ParticleType.MAP) return value
  const decoded = decodeParticle(particleType, value)
  // HLL travels as bytes of its own type, so writing it back keeps it an HLL.
  return packValue(decoded instanceof HllValue ? new TypedBlob(ParticleType.HLL, decoded.bytes) : decoded)
}

/** The particle for a msgpack value; undefined for nil (a bin delete). Throws on malformed input. */
export function msgpackToParticle(packed: Buffer): { particleType: number; value: Buffer } | undefined {
  const first = packed[0]
  if (first === undefined || first === 0xc0) return undefined
  if ((first & 0xf0) === 0x90 || first === 0xdc || first === 0xdd) return { particleType: ParticleType.LIST, value: packed }
  if ((first & 0xf0) === 0x80 || first === 0xde || first === 0xdf) return { particleType: ParticleType.MAP, value: packed }
  const encoded = encodeParticle(unpackValue(packed))
  return { particleType: encoded.type, value: encoded.bytes }
}
