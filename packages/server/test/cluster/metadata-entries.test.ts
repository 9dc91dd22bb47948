// The cluster metadata key layout and values: names with "/" or "%" stay one segment, unknown or
// malformed keys and values are not taken for entries, definitions survive the round trip.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseInfoCommand } from '@aerolite/protocol'
import {
  RECLUSTER_KEY, decodeCutoff, decodeIndex, decodeUdf, encodeCutoff, encodeIndex, encodeUdf, nextRecluster, parseMetadataKey, sindexKey, truncateKey, udfKey,
} from '../../src/cluster/metadata-entries.ts'
import { parseDefinition, type IndexDefinition } from '../../src/sindex/definition.ts'

test('keys name their entry; names with separators stay one segment', () => {
  assert.equal(udfKey('a/b%.lua'), 'udf/a%2Fb%25.lua')
  assert.deepEqual(parseMetadataKey(udfKey('a/b%.lua')), { kind: 'udf', fileName: 'a/b%.lua' })
  assert.deepEqual(parseMetadataKey(sindexKey('test', 'by/v')), { kind: 'sindex', namespace: 'test', name: 'by/v' })
  assert.deepEqual(parseMetadataKey(truncateKey('test', undefined)), { kind: 'truncate', namespace: 'test', setName: undefined })
  assert.deepEqual(parseMetadataKey(truncateKey('test', 's/1')), { kind: 'truncate', namespace: 'test', setName: 's/1' })
  assert.deepEqual(parseMetadataKey(RECLUSTER_KEY), { kind: 'recluster' })
  for (const key of ['recluster/x', 'xdr/dc1', 'udf/', 'udf/a/b', 'sindex/test', 'truncate/test/a/b', 'udf/%E0%A4%A', 'truncate//s']) assert.equal(parseMetadataKey(key), undefined, key)
})

test('values round-trip; what is not a value of the kind is refused', () => {
  assert.equal(decodeUdf(encodeUdf('AAAA')), 'AAAA')
  for (const value of ['', '{', '{"type":"PYTHON","content":"AAAA"}', '{"type":"LUA"}']) assert.equal(decodeUdf(value), undefined, value)
  assert.equal(decodeCutoff(encodeCutoff(1764672000123)), 1764672000123)
  // Each recluster changes the value; one that is not a count starts again.
  assert.deepEqual([undefined, '1', '41', 'x'].map(nextRecluster), ['1', '2', '42', '1'])
  for (const value of ['', '-1', '1.5', 'x', '12345678901234567']) assert.equal(decodeCutoff(value), undefined, value)
  // A list index on a context (its steps are parsed again from the bytes).
  const context = Buffer.from([0x92, 0x10, 0x01]).toString('base64')
  const def = parseDefinition(parseInfoCommand(`sindex-create:namespace=test;set=s;indexname=by/v;context=${context};indextype=list;bin=v;type=string`))
  assert.notEqual(typeof def, 'string', String(def))
  const back = decodeIndex('test', 'by/v', encodeIndex(def as IndexDefinition))
  assert.deepEqual(back, def)
  assert.equal(decodeIndex('test', 'x', '{"set":"","bin":"v","type":"float","collection":"default","context":null,"exp":null}'), undefined)
  assert.equal(decodeIndex('test', 'x', 'not json'), undefined)
})
