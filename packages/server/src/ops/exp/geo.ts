// GeoJSON shapes for the expression GEO compare: points, polygons (with holes), multipolygons and
// AeroCircles on a sphere of Aerospike's default earth radius. A compare matches a point inside a
// region, either way round; two points or two regions never match (as in Aerospike).

const EARTH_RADIUS_METERS = 6371000

type Vec3 = readonly [number, number, number]

export type GeoShape =
  | { kind: 'point'; at: Vec3 }
  | { kind: 'region'; contains: (p: Vec3) => boolean }

/** Parses GeoJSON as Aerospike accepts it; undefined when it does not. */
export function parseGeoJson(json: string): GeoShape | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return undefined
  }
  try {
    if (!isObject(parsed)) return undefined
    if (parsed.type === 'Feature') return geometry(parsed.geometry)
    return geometry(parsed)
  } catch {
    return undefined
  }
}

/** Does `candidate` match `query`: a candidate point inside a query region, or a candidate region holding a query point. */
export function geoMatches(candidate: GeoShape, query: GeoShape): boolean {
  if (query.kind === 'point') return candidate.kind === 'region' && candidate.contains(query.at)
  return candidate.kind === 'point' && query.contains(candidate.at)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail(why: string): never {
  throw new Error(why)
}

function geometry(geom: unknown): GeoShape {
  if (!isObject(geom)) fail('geometry is not an object')
  const coordinates = geom.coordinates
  switch (geom.type) {
    case 'Point': return { kind: 'point', at: point(coordinates) }
    case 'Polygon': {
      if (!Array.isArray(coordinates)) fail('coordinates are not an array')
      const contains = polygon(coordinates)
      return { kind: 'region', contains }
    }
    case 'MultiPolygon': {
      if (!Array.isArray(coordinates)) fail('coordinates are not an array')
      const parts = coordinates.map((p) => polygon(p))
      return { kind: 'region', contains: (p) => parts.some((part) => part(p)) }
    }
    case 'AeroCircle': {
      if (!Array.isArray(coordinates) || coordinates.length !== 2) fail('malformed circle')
      const center = point(coordinates[0])
      const radius = coordinates[1]
      if (typeof radius !== 'number') fail('radius is not a number')
      const angle = radius / EARTH_RADIUS_METERS
      return { kind: 'region', contains: (p) => angleBetween(center, p) <= angle }
    }
  }
  return fail('unknown geometry type')
}

function point(coord: unknown): Vec3 {
  if (!Array.isArray(coord) || coord.length !== 2) fail('expected 2 coordinates')
  const [lng, lat] = coord as unknown[]
  if (typeof lng !== 'number' || typeof lat !== 'number') fail('coordinate is not a number')
  if (!(Math.abs(lat) <= 90 && Math.abs(lng) <= 180)) fail('invalid latitude-longitude')
  const latRad = (lat * Math.PI) / 180
  const lngRad = (lng * Math.PI) / 180
  return [Math.cos(latRad) * Math.cos(lngRad), Math.cos(latRad) * Math.sin(lngRad), Math.sin(latRad)]
}

/** A polygon's loops nest: a point is inside when an odd number of loops hold it (holes cut out). */
function polygon(loops: unknown): (p: Vec3) => boolean {
  if (!Array.isArray(loops)) fail('polygon body is not an array')
  const parts = loops.map((l) => loop(l))
  return (p) => parts.filter((part) => part(p)).length % 2 === 1
}

function loop(vertices: unknown): (p: Vec3) => boolean {
  if (!Array.isArray(vertices)) fail('vertices are not an array')
  const points: Vec3[] = []
  for (const v of vertices) {
    const at = point(v)
    const last = points[points.length - 1]
    if (last === undefined || !same(last, at)) points.push(at)
  }
  if (points.length < 4) fail('loop has fewer than 4 points')
  if (!same(points[0]!, points[points.length - 1]!)) fail('loop not closed')
  points.pop()
  return loopContains(points)
}

function same(a: Vec3, b: Vec3): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2]
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

function norm(a: Vec3): number {
  return Math.sqrt(dot(a, a))
}

function angleBetween(a: Vec3, b: Vec3): number {
  return Math.atan2(norm(cross(a, b)), dot(a, b))
}

/**
 * Point in a loop (the smaller of the two regions it bounds, as Aerospike normalises loops).
 * A gnomonic projection about the loop's centre maps its great-circle edges to straight lines,
 * so a planar crossing test is exact while the loop fits in that hemisphere.
 */
function loopContains(vertices: Vec3[]): (p: Vec3) => boolean {
  let sum: Vec3 = [0, 0, 0]
  for (const v of vertices) sum = [sum[0] + v[0], sum[1] + v[1], sum[2] + v[2]]
  const length = norm(sum)
  if (length === 0 || vertices.some((v) => dot(v, sum) <= 0)) return planarLatLngContains(vertices)
  const center: Vec3 = [sum[0] / length, sum[1] / length, sum[2] / length]
  // Two axes of the tangent plane at the centre.
  const helper: Vec3 = Math.abs(center[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0]
  const u = unit(cross(helper, center))
  const w = cross(center, u)
  const project = (p: Vec3): [number, number] => {
    const d = dot(p, center)
    return [dot(p, u) / d, dot(p, w) / d]
  }
  const polygon2d = vertices.map(project)
  return (p) => dot(p, center) > 0 && crossingsOdd(polygon2d, project(p))
}

function unit(a: Vec3): Vec3 {
  const n = norm(a)
  return [a[0] / n, a[1] / n, a[2] / n]
}

/** Fallback for loops wider than a hemisphere: test in longitude/latitude. */
function planarLatLngContains(vertices: Vec3[]): (p: Vec3) => boolean {
  const toLngLat = (p: Vec3): [number, number] => [Math.atan2(p[1], p[0]), Math.asin(Math.max(-1, Math.min(1, p[2])))]
  const polygon2d = vertices.map(toLngLat)
  return (p) => crossingsOdd(polygon2d, toLngLat(p))
}

function crossingsOdd(polygon2d: Array<[number, number]>, [x, y]: [number, number]): boolean {
  let inside = false
  for (let i = 0, j = polygon2d.length - 1; i < polygon2d.length; j = i++) {
    const [xi, yi] = polygon2d[i]!
    const [xj, yj] = polygon2d[j]!
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}
