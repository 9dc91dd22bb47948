// Validation of a bin value arriving in a write: the particle type must be one a record can hold
// and the bytes must be a well-formed value of that type.
import { ParticleType, ResultCode, isBlobType, isWellFormedMsgpack, readGeoJsonParticle } from '@aerolite/protocol'
import { CommandError } from '../command-error.ts'

/** Integers may arrive in 1, 2, 4 or 8 big-endian bytes; records hold them as 8. */
const INTEGER_WIRE_BYTES = new Set([1, 2, 4, 8])

/** Widens a short integer (zero-filled, as Aerospike does) to the stored 8 bytes. */
export function storedInteger(value: Buffer): Buffer {
  if (value.length === 8) return value
  const out = Buffer.alloc(8)
  value.copy(out, 8 - value.length)
  return out
}

export function checkWritableParticle(particleType: number, value: Buffer): void {
  switch (particleType) {
    case ParticleType.INTEGER:
      if (!INTEGER_WIRE_BYTES.has(value.length)) throw new CommandError(ResultCode.PARAMETER_ERROR, `integer value of ${value.length} bytes (1, 2, 4 or 8 allowed)`)
      return
    case ParticleType.FLOAT:
      if (value.length !== 8) throw new CommandError(ResultCode.PARAMETER_ERROR, `float value of ${value.length} bytes`)
      return
    case ParticleType.BOOL:
      if (value.length !== 1) throw new CommandError(ResultCode.PARAMETER_ERROR, `bool value of ${value.length} bytes`)
      return
    case ParticleType.STRING:
    case ParticleType.HLL:
      return
    case ParticleType.LIST:
    case ParticleType.MAP: {
      const first = value[0]
      const isArray = first !== undefined && ((first & 0xf0) === 0x90 || first === 0xdc || first === 0xdd)
      const isMap = first !== undefined && ((first & 0xf0) === 0x80 || first === 0xde || first === 0xdf)
      if ((particleType === ParticleType.LIST ? !isArray : !isMap) || !isWellFormedMsgpack(value)) {
        throw new CommandError(ResultCode.PARAMETER_ERROR, `malformed ${particleType === ParticleType.LIST ? 'list' : 'map'} value`)
      }
      return
    }
    case ParticleType.GEOJSON:
      checkGeoJson(value)
      return
  }
  if (isBlobType(particleType)) return
  throw new CommandError(ResultCode.PARAMETER_ERROR, `particle type ${particleType} cannot be stored in a bin`)
}

const GEO_TYPES = new Set(['Point', 'Polygon', 'MultiPolygon', 'AeroCircle'])

/** A GeoJSON bin must hold a JSON object with a geometry type Aerospike indexes. */
function checkGeoJson(value: Buffer): void {
  let parsed: unknown
  try {
    parsed = JSON.parse(readGeoJsonParticle(value))
  } catch {
    throw new CommandError(ResultCode.GEO_INVALID_GEOJSON!, 'GeoJSON value does not parse')
  }
  const type = (parsed as { type?: unknown } | null)?.type
  if (typeof type !== 'string' || !GEO_TYPES.has(type)) {
    throw new CommandError(ResultCode.GEO_INVALID_GEOJSON!, 'GeoJSON value is not a Point, Polygon, MultiPolygon or AeroCircle')
  }
}
