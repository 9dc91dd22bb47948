// The INDEX_RANGE field (22) of a query and what it asks of an index: the key ranges to walk and the
// exact test each indexed value must pass (the keys of strings and blobs are hashes, and geo keys
// are grid cells, so the walk finds candidates and the test decides).
//   u8 filter count (1) | u8 bin name length | name | u8 particle type | u32 begin length | begin |
//   u32 end length | end
import { GeoJson, ParticleType, type Value } from '@aerolite/protocol'
import type { KeyType } from './definition.ts'
import { geoMatches, geoShape, parseGeoJson as parseGeoShape } from '../ops/exp/geo.ts'
import { parseGeometry } from '../ops/geojson.ts'
import { coveringRanges, indexableGeometry } from './geo.ts'
import { REGION_BVAL, bvalOf } from './keys.ts'
import { limits } from '../limits.ts'

export interface IndexRange {
  binName: string
  keyType: KeyType
  begin: Buffer
  end: Buffer
}

const KEY_TYPE_OF_PARTICLE = new Map<number, KeyType>([
  [ParticleType.INTEGER, 'numeric'],
  [ParticleType.STRING, 'string'],
  [ParticleType.BLOB, 'blob'],
  [ParticleType.GEOJSON, 'geo2dsphere'],
])

/** Decodes the field; undefined when it is malformed. */
export function parseIndexRange(data: Buffer): IndexRange | undefined {
  if (data.length < 2 || data[0] !== 1) return undefined
  let at = 1
  const nameLength = data[at++]!
  if (at + nameLength + 1 + 4 > data.length) return undefined
  const binName = data.toString('utf8', at, at + nameLength)
  at += nameLength
  const keyType = KEY_TYPE_OF_PARTICLE.get(data[at++]!)
  if (keyType === undefined) return undefined
  const beginLength = data.readUInt32BE(at)
  at += 4
  if (at + beginLength + 4 > data.length) return undefined
  const begin = data.subarray(at, at + beginLength)
  at += beginLength
  const endLength = data.readUInt32BE(at)
  at += 4
  if (at + endLength !== data.length) return undefined
  return { binName, keyType, begin, end: data.subarray(at, at + endLength) }
}

export interface QueryPlan {
  /** Inclusive key ranges, ascending and disjoint. */
  ranges: Array<[bigint, bigint]>
  /** True when an indexed value satisfies the query. */
  matches(v: Value): boolean
  /** True when one record may sit under several keys of the ranges (it is then sent once). */
  mayRepeat: boolean
}

/** The walk and test for a range; undefined when the range is malformed for its type. */
export function planQuery(range: IndexRange): QueryPlan | undefined {
  switch (range.keyType) {
    case 'numeric': {
      if (range.begin.length !== 8 || range.end.length !== 8) return undefined
      const lo = range.begin.readBigInt64BE(0)
      const hi = range.end.readBigInt64BE(0)
      if (lo > hi) return undefined
      return { ranges: [[lo, hi]], mayRepeat: lo !== hi, matches: (v) => typeof v === 'bigint' || typeof v === 'number' ? BigInt(v) >= lo && BigInt(v) <= hi : false }
    }
    case 'string': {
      if (!range.begin.equals(range.end)) return undefined
      const wanted = range.begin.toString('utf8')
      const bval = bvalOf('string', wanted)!
      return { ranges: [[bval, bval]], mayRepeat: false, matches: (v) => v === wanted }
    }
    case 'blob': {
      if (!range.begin.equals(range.end)) return undefined
      const wanted = Buffer.from(range.begin)
      const bval = bvalOf('blob', wanted)!
      return { ranges: [[bval, bval]], mayRepeat: false, matches: (v) => Buffer.isBuffer(v) && v.equals(wanted) }
    }
    case 'geo2dsphere': {
      const text = range.begin.toString('utf8')
      const geometry = parseGeometry(text)
      if (geometry === undefined || !indexableGeometry(geometry)) return undefined
      const shape = geoShape(geometry)
      const matches = (v: Value): boolean => {
        const candidate = v instanceof GeoJson ? parseGeoShape(v.json) : undefined
        return candidate !== undefined && geoMatches(candidate, shape)
      }
      // A point finds the regions that contain it; a region finds the points inside it.
      if (geometry.kind === 'point') return { ranges: [[REGION_BVAL, REGION_BVAL]], mayRepeat: false, matches }
      return { ranges: coveringRanges(geometry, limits.maxGeoCoverCells), mayRepeat: true, matches }
    }
  }
}
