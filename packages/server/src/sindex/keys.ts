// What an index holds of a record: the values its definition picks out of the bins (the bin or an
// expression, then the CDT context, then the list elements / map keys / map values), and the 64-bit
// key (Aerospike's "bval") each is sorted under: the integer itself, a hash of a string or blob, the
// grid cell of a point, or one shared key for regions.
import { createHash } from 'node:crypto'
import { GeoJson, ParticleType, decodeParticle, readGeoJsonParticle, readIntegerParticle, type Value } from '@aerolite/protocol'
import type { Bin } from '../record/bins.ts'
import { walkContext } from './context.ts'
import type { IndexDefinition, KeyType } from './definition.ts'
import { parseGeometry } from '../ops/geojson.ts'
import { indexableGeometry, pointCell } from './geo.ts'
import { listItems, mapEntries } from './value-order.ts'

/** Regions (polygons, circles) share one key: a contains-point query tests each of them. */
export const REGION_BVAL = -1n

/** Computes an expression index's value from a record's bins and digest; undefined = nothing to index. */
export type ExpressionValue = (bins: readonly Bin[], digest: Buffer) => Value | undefined

function hashBval(bytes: Buffer): bigint {
  return createHash('md5').update(bytes).digest().readBigInt64LE(0)
}

function ofKeyType(keyType: KeyType, v: Value): boolean {
  switch (keyType) {
    case 'numeric': return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint'
    case 'string': return typeof v === 'string'
    case 'blob': return Buffer.isBuffer(v)
    case 'geo2dsphere': return v instanceof GeoJson
  }
}

/** A bin's value as a decoded value; plain scalars of the index's own type skip msgpack. */
function binValue(bin: Bin): Value | undefined {
  switch (bin.particleType) {
    case ParticleType.INTEGER: return bin.value.length === 8 ? readIntegerParticle(bin.value) : undefined
    case ParticleType.STRING: return bin.value.toString('utf8')
    case ParticleType.BLOB: return Buffer.from(bin.value)
    case ParticleType.GEOJSON: return new GeoJson(readGeoJsonParticle(bin.value))
    case ParticleType.LIST:
    case ParticleType.MAP:
      try {
        const v = decodeParticle(bin.particleType, bin.value)
        return Array.isArray(v) || v instanceof Map ? v : undefined
      } catch {
        return undefined
      }
  }
  return undefined
}

/** The values a record contributes to an index (possibly repeated), of the index's key type. */
export function indexedValues(def: IndexDefinition, bins: readonly Bin[], digest: Buffer, expressionValue: ExpressionValue | undefined): Value[] {
  let root: Value | undefined
  if (def.expression !== undefined) {
    root = expressionValue?.(bins, digest)
  } else {
    const bin = bins.find((b) => b.name === def.binName)
    if (bin === undefined) return []
    // The common case, a scalar bin of the index's type, needs no decoding of collections.
    if (def.collection === 'default' && def.contextSteps.length === 0) {
      const v = binValue(bin)
      return v !== undefined && ofKeyType(def.keyType, v) ? [v] : []
    }
    root = binValue(bin)
  }
  if (root === undefined) return []
  const target = def.contextSteps.length > 0 ? walkContext(root, def.contextSteps) : root
  if (target === undefined) return []
  let candidates: Value[]
  switch (def.collection) {
    case 'default': candidates = [target]; break
    case 'list': candidates = Array.isArray(target) ? listItems(target) : []; break
    case 'mapkeys': candidates = target instanceof Map ? mapEntries(target).map(([k]) => k) : []; break
    case 'mapvalues': candidates = target instanceof Map ? mapEntries(target).map(([, v]) => v) : []; break
  }
  return candidates.filter((v) => ofKeyType(def.keyType, v))
}

/** The sort key of one indexed value; undefined for a value that cannot be indexed (bad GeoJSON). */
export function bvalOf(keyType: KeyType, v: Value): bigint | undefined {
  switch (keyType) {
    case 'numeric': return BigInt(v as number | bigint)
    case 'string': return hashBval(Buffer.from(v as string, 'utf8'))
    case 'blob': return hashBval(v as Buffer)
    case 'geo2dsphere': {
      const geometry = parseGeometry((v as GeoJson).json)
      if (geometry === undefined || !indexableGeometry(geometry)) return undefined
      return geometry.kind === 'point' ? pointCell(geometry) : REGION_BVAL
    }
  }
}

/** The distinct keys of a record in an index, ascending. */
export function recordBvals(def: IndexDefinition, bins: readonly Bin[], digest: Buffer, expressionValue: ExpressionValue | undefined): bigint[] {
  const out: bigint[] = []
  for (const v of indexedValues(def, bins, digest, expressionValue)) {
    const bval = bvalOf(def.keyType, v)
    if (bval !== undefined) out.push(bval)
  }
  out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return out.filter((b, i) => i === 0 || out[i - 1] !== b)
}
