// GeoJSON as Aerospike accepts it, parsed once for expressions (ops/exp/geo.ts) and geo indexes
// (sindex/geo.ts): a Point, Polygon (outer loop, then holes), MultiPolygon or AeroCircle, bare or in
// a Feature. Coordinates are [longitude, latitude], exactly two, in range; a loop has at least four
// points once repeated neighbours are dropped, and ends where it starts.

export interface Point {
  kind: 'point'
  lng: number
  lat: number
}
/** Loops of [lng, lat] pairs as sent: the outer boundary first, then holes. */
export interface Polygon {
  kind: 'polygon'
  rings: number[][][]
}
export interface MultiPolygon {
  kind: 'multipolygon'
  polygons: Polygon[]
}
export interface Circle {
  kind: 'circle'
  center: Point
  radiusMeters: number
}
export type Region = Polygon | MultiPolygon | Circle
export type Geometry = Point | Region

/** A point on the unit sphere. */
export type Vec3 = readonly [number, number, number]

/** The geometry of a GeoJSON text, or undefined when Aerospike would refuse it. */
export function parseGeometry(text: string): Geometry | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  try {
    if (!isObject(parsed)) return undefined
    return geometry(parsed.type === 'Feature' ? parsed.geometry : parsed)
  } catch {
    return undefined
  }
}

export function toVec3(p: Point): Vec3 {
  const latRad = (p.lat * Math.PI) / 180
  const lngRad = (p.lng * Math.PI) / 180
  return [Math.cos(latRad) * Math.cos(lngRad), Math.cos(latRad) * Math.sin(lngRad), Math.sin(latRad)]
}

export function sameVec3(a: Vec3, b: Vec3): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2]
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail(why: string): never {
  throw new Error(why)
}

function geometry(geom: unknown): Geometry {
  if (!isObject(geom)) fail('geometry is not an object')
  const coordinates = geom.coordinates
  switch (geom.type) {
    case 'Point': return point(coordinates)
    case 'Polygon': return polygon(coordinates)
    case 'MultiPolygon': {
      if (!Array.isArray(coordinates)) fail('coordinates are not an array')
      return { kind: 'multipolygon', polygons: coordinates.map(polygon) }
    }
    case 'AeroCircle': {
      if (!Array.isArray(coordinates) || coordinates.length !== 2) fail('malformed circle')
      const radius: unknown = coordinates[1]
      if (typeof radius !== 'number') fail('radius is not a number')
      return { kind: 'circle', center: point(coordinates[0]), radiusMeters: radius }
    }
  }
  return fail('unknown geometry type')
}

function point(coord: unknown): Point {
  if (!Array.isArray(coord) || coord.length !== 2) fail('expected 2 coordinates')
  const [lng, lat] = coord as unknown[]
  if (typeof lng !== 'number' || typeof lat !== 'number') fail('coordinate is not a number')
  if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180)) fail('invalid latitude-longitude')
  return { kind: 'point', lng, lat }
}

function polygon(loops: unknown): Polygon {
  if (!Array.isArray(loops)) fail('polygon body is not an array')
  return { kind: 'polygon', rings: loops.map(loop) }
}

function loop(vertices: unknown): number[][] {
  if (!Array.isArray(vertices)) fail('vertices are not an array')
  const ring: number[][] = []
  let distinct = 0
  let first: Vec3 | undefined
  let last: Vec3 | undefined
  for (const v of vertices) {
    const p = point(v)
    const at = toVec3(p)
    ring.push([p.lng, p.lat])
    first ??= at
    if (last === undefined || !sameVec3(last, at)) distinct++
    last = at
  }
  if (distinct < 4) fail('loop has fewer than 4 points')
  if (!sameVec3(first!, last!)) fail('loop not closed')
  return ring
}
