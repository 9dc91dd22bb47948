// GeoJSON shapes for the expression GEO compare: points, polygons (with holes), multipolygons and
// AeroCircles on a sphere of Aerospike's default earth radius. A compare matches a point inside a
// region, either way round; two points or two regions never match (as in Aerospike). The text is
// parsed by ops/geojson.ts, which geo indexes share.
import { parseGeometry, sameVec3, toVec3, type Geometry, type Polygon, type Vec3 } from '../geojson.ts'

const EARTH_RADIUS_METERS = 6371000

export type GeoShape =
  | { kind: 'point'; at: Vec3 }
  | { kind: 'region'; contains: (p: Vec3) => boolean }

/** Parses GeoJSON as Aerospike accepts it; undefined when it does not. */
export function parseGeoJson(json: string): GeoShape | undefined {
  const geometry = parseGeometry(json)
  return geometry === undefined ? undefined : geoShape(geometry)
}

/** The shape of a parsed geometry, ready to test points against. */
export function geoShape(geometry: Geometry): GeoShape {
  switch (geometry.kind) {
    case 'point': return { kind: 'point', at: toVec3(geometry) }
    case 'polygon': return { kind: 'region', contains: polygon(geometry) }
    case 'multipolygon': {
      const parts = geometry.polygons.map(polygon)
      return { kind: 'region', contains: (p) => parts.some((part) => part(p)) }
    }
    case 'circle': {
      const center = toVec3(geometry.center)
      const angle = geometry.radiusMeters / EARTH_RADIUS_METERS
      return { kind: 'region', contains: (p) => angleBetween(center, p) <= angle }
    }
  }
}

/** Does `candidate` match `query`: a candidate point inside a query region, or a candidate region holding a query point. */
export function geoMatches(candidate: GeoShape, query: GeoShape): boolean {
  if (query.kind === 'point') return candidate.kind === 'region' && candidate.contains(query.at)
  return candidate.kind === 'point' && query.contains(candidate.at)
}

/** A polygon's loops nest: a point is inside when an odd number of loops hold it (holes cut out). */
function polygon(shape: Polygon): (p: Vec3) => boolean {
  const parts = shape.rings.map(loop)
  return (p) => parts.filter((part) => part(p)).length % 2 === 1
}

/** The parser checked the loop: at least four distinct points, closed. */
function loop(ring: number[][]): (p: Vec3) => boolean {
  const points: Vec3[] = []
  for (const [lng, lat] of ring) {
    const at = toVec3({ kind: 'point', lng: lng!, lat: lat! })
    const last = points[points.length - 1]
    if (last === undefined || !sameVec3(last, at)) points.push(at)
  }
  points.pop()
  return loopContains(points)
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
