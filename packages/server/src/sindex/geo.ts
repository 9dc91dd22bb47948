// Where GeoJSON values sit in a geo2dsphere index: points under the Z-order grid cell that holds
// them, and the cell ranges that cover a query region's bounding box. Aerospike uses S2 cells;
// clients only see results, so a longitude/latitude grid does here. The exact point-in-region test
// is the expression engine's (ops/exp/geo.ts), so index queries and filters agree; both read the
// text with one parser (ops/geojson.ts).
import type { Geometry, Point, Region } from '../ops/geojson.ts'

/** Aerospike's default earth radius, for the bounding box of a circle. */
const EARTH_RADIUS_METERS = 6371000
/** Bits per axis of the finest grid cell; two axes interleave into a 52-bit key (exact in a double). */
const GRID_BITS = 26
const GRID_SIZE = 2 ** GRID_BITS

/**
 * Whether an index holds a parsed geometry (and a query may ask for it): besides the parser's rules,
 * a region must have a polygon to cover, or a finite radius of at least 0.
 */
export function indexableGeometry(geometry: Geometry): boolean {
  switch (geometry.kind) {
    case 'point': return true
    case 'polygon': return geometry.rings.length > 0
    case 'multipolygon': return geometry.polygons.length > 0 && geometry.polygons.every(indexableGeometry)
    case 'circle': return Number.isFinite(geometry.radiusMeters) && geometry.radiusMeters >= 0
  }
}

interface Box {
  minLng: number
  minLat: number
  maxLng: number
  maxLat: number
}

function boundingBox(region: Region): Box {
  if (region.kind === 'circle') {
    const { lng, lat } = region.center
    const latDelta = (region.radiusMeters / EARTH_RADIUS_METERS) * (180 / Math.PI)
    const minLat = Math.max(-90, lat - latDelta)
    const maxLat = Math.min(90, lat + latDelta)
    const cos = Math.min(Math.cos((minLat * Math.PI) / 180), Math.cos((maxLat * Math.PI) / 180))
    const lngDelta = cos < 1e-9 ? 360 : latDelta / cos
    if (lng - lngDelta < -180 || lng + lngDelta > 180) return { minLng: -180, maxLng: 180, minLat, maxLat }
    return { minLng: lng - lngDelta, maxLng: lng + lngDelta, minLat, maxLat }
  }
  const polygons = region.kind === 'polygon' ? [region] : region.polygons
  const box = { minLng: 180, minLat: 90, maxLng: -180, maxLat: -90 }
  for (const polygon of polygons) {
    for (const [lng, lat] of polygon.rings[0] as Array<[number, number]>) {
      box.minLng = Math.min(box.minLng, lng)
      box.maxLng = Math.max(box.maxLng, lng)
      box.minLat = Math.min(box.minLat, lat)
      box.maxLat = Math.max(box.maxLat, lat)
    }
  }
  // A polygon wider than half the globe crosses the antimeridian (its edges take the short way).
  if (box.maxLng - box.minLng > 180) {
    box.minLng = -180
    box.maxLng = 180
  }
  return box
}

function gridX(lng: number): number {
  return Math.min(GRID_SIZE - 1, Math.max(0, Math.floor(((lng + 180) / 360) * GRID_SIZE)))
}

function gridY(lat: number): number {
  return Math.min(GRID_SIZE - 1, Math.max(0, Math.floor(((lat + 90) / 180) * GRID_SIZE)))
}

/** Interleaves the bits of x and y (x in the even bits): the Z-order key of a cell. */
function interleave(x: number, y: number, bits: number): number {
  let key = 0
  for (let bit = bits - 1; bit >= 0; bit--) key = key * 4 + ((Math.floor(y / 2 ** bit) & 1) * 2) + (Math.floor(x / 2 ** bit) & 1)
  return key
}

/** The index key of a point: its finest grid cell. */
export function pointCell(p: Point): bigint {
  return BigInt(interleave(gridX(p.lng), gridY(p.lat), GRID_BITS))
}

/** Inclusive ranges of point keys that cover a region (a superset: callers test each point). */
export function coveringRanges(region: Region, maxCells: number): Array<[bigint, bigint]> {
  const box = boundingBox(region)
  const x0 = gridX(box.minLng)
  const x1 = gridX(box.maxLng)
  const y0 = gridY(box.minLat)
  const y1 = gridY(box.maxLat)
  let level = GRID_BITS
  for (; level > 0; level--) {
    const shift = 2 ** (GRID_BITS - level)
    const cells = (Math.floor(x1 / shift) - Math.floor(x0 / shift) + 1) * (Math.floor(y1 / shift) - Math.floor(y0 / shift) + 1)
    if (cells <= maxCells) break
  }
  const shift = 2 ** (GRID_BITS - level)
  const span = shift * shift
  const starts: number[] = []
  for (let cx = Math.floor(x0 / shift); cx <= Math.floor(x1 / shift); cx++) {
    for (let cy = Math.floor(y0 / shift); cy <= Math.floor(y1 / shift); cy++) starts.push(interleave(cx, cy, level) * span)
  }
  starts.sort((a, b) => a - b)
  const ranges: Array<[number, number]> = []
  for (const start of starts) {
    const last = ranges[ranges.length - 1]
    if (last !== undefined && last[1] + 1 === start) last[1] = start + span - 1
    else ranges.push([start, start + span - 1])
  }
  return ranges.map(([a, b]) => [BigInt(a), BigInt(b)])
}
