import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseGeometry } from '../../src/ops/geojson.ts'
import { geoMatches, parseGeoJson } from '../../src/ops/exp/geo.ts'
import { indexableGeometry } from '../../src/sindex/geo.ts'

const square = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
const text = (v: unknown): string => JSON.stringify(v)

test('one parser reads what expressions and indexes take: points, polygons, multipolygons, circles, features', () => {
  assert.deepEqual(parseGeometry(text({ type: 'Point', coordinates: [1.5, -2] })), { kind: 'point', lng: 1.5, lat: -2 })
  assert.deepEqual(parseGeometry(text({ type: 'Feature', geometry: { type: 'Polygon', coordinates: square } })), { kind: 'polygon', rings: square })
  assert.equal(parseGeometry(text({ type: 'MultiPolygon', coordinates: [square, square] }))?.kind, 'multipolygon')
  assert.deepEqual(parseGeometry(text({ type: 'AeroCircle', coordinates: [[10, 20], 500] })), { kind: 'circle', center: { kind: 'point', lng: 10, lat: 20 }, radiusMeters: 500 })
})

test('what Aerospike refuses is refused for both', () => {
  for (const bad of [
    'not json', '[1, 2]', text({ type: 'Point', coordinates: [1, 2, 3] }), text({ type: 'Point', coordinates: [181, 0] }),
    text({ type: 'Point', coordinates: [0, 91] }), text({ type: 'Point', coordinates: ['1', 2] }), text({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }),
    // Unclosed, or fewer than four distinct points once repeats are dropped.
    text({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }), text({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 0], [0, 0], [0, 0]]] }),
    text({ type: 'Feature', geometry: { type: 'Feature', geometry: { type: 'Point', coordinates: [0, 0] } } }),
    text({ type: 'AeroCircle', coordinates: [[0, 0], '5'] }),
  ]) {
    assert.equal(parseGeometry(bad), undefined, bad)
    assert.equal(parseGeoJson(bad), undefined, bad)
  }
})

test('an index also refuses regions with nothing to cover, which an expression takes as matching nothing', () => {
  for (const empty of [{ type: 'Polygon', coordinates: [] }, { type: 'MultiPolygon', coordinates: [] }, { type: 'AeroCircle', coordinates: [[0, 0], -1] }]) {
    const geometry = parseGeometry(text(empty))
    assert.ok(geometry !== undefined && !indexableGeometry(geometry), text(empty))
    assert.equal(geoMatches(parseGeoJson(text({ type: 'Point', coordinates: [0, 0] }))!, parseGeoJson(text(empty))!), false)
  }
  assert.ok(indexableGeometry(parseGeometry(text({ type: 'Polygon', coordinates: square }))!))
})

test('shapes built from the parsed geometry keep the expression match rules, holes included', () => {
  const holed = parseGeoJson(text({ type: 'Polygon', coordinates: [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]], [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]] }))!
  const at = (lng: number, lat: number) => parseGeoJson(text({ type: 'Point', coordinates: [lng, lat] }))!
  assert.equal(geoMatches(at(2, 2), holed), true)
  assert.equal(geoMatches(at(5, 5), holed), false)
  assert.equal(geoMatches(holed, at(2, 2)), true)
  assert.equal(geoMatches(at(2, 2), at(2, 2)), false)
  const circle = parseGeoJson(text({ type: 'AeroCircle', coordinates: [[0, 0], 200_000] }))!
  assert.equal(geoMatches(at(1, 1), circle), true)
  assert.equal(geoMatches(at(3, 0), circle), false)
})
