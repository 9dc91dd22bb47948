// Random single-record messages (any info bits, fields, op types, particle types and values, and
// well-formed CDT payloads with small arguments) through the command road: every one gets a reply
// with a result code, and none is a fault of ours (SERVER_ERROR from an unexpected exception).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { FieldType, Info1, Info2, OpType, ParticleType, integerParticle, computeDigest, decodeMessage, emptyHeader, encodeMessage, packValue, type Field, type OutOp, type Value } from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { commandsOf, makeNamespace, put } from './harness.ts'

const small: fc.Arbitrary<Value> = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('a', 'b', null), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }))
const cdtPayload = fc.tuple(fc.integer({ min: 0, max: 130 }), fc.array(small, { maxLength: 4 })).map(([code, args]) => packValue([code, ...args]))
const particleValue = fc.oneof(fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)), cdtPayload)
const anyOp: fc.Arbitrary<OutOp> = fc.record({
  type: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 255 })),
  particleType: fc.constantFrom(ParticleType.INTEGER, ParticleType.FLOAT, ParticleType.STRING, ParticleType.BLOB, ParticleType.BOOL, ParticleType.LIST, ParticleType.MAP, ParticleType.GEOJSON, ParticleType.HLL, 0, 99),
  name: fc.constantFrom('a', 'b', '', 'a-name-longer-than-15'),
  value: particleValue,
})
/** Ops that mostly pass the type checks, so the op handlers themselves run. */
const typedOp: fc.Arbitrary<OutOp> = fc.oneof(
  fc.record({ type: fc.constantFrom(OpType.CDT_READ, OpType.CDT_MODIFY), particleType: fc.constant(ParticleType.BLOB), name: fc.constantFrom('l', 'm'), value: cdtPayload }),
  fc.record({ type: fc.constantFrom(OpType.WRITE, OpType.INCR), particleType: fc.constant(ParticleType.INTEGER), name: fc.constantFrom('i', 'l'), value: fc.integer().map((n) => integerParticle(n)) }),
  fc.record({ type: fc.constantFrom(OpType.READ, OpType.TOUCH, OpType.DELETE), particleType: fc.constant(0), name: fc.constantFrom('i', 'l', 'm', ''), value: fc.constant(Buffer.alloc(0)) }),
)
const op = fc.oneof({ arbitrary: typedOp, weight: 3 }, { arbitrary: anyOp, weight: 1 })
const digests = ['k1', 'k2', 'k3'].map((k) => computeDigest('demo', ParticleType.STRING, Buffer.from(k)))
const extraField: fc.Arbitrary<Field> = fc.record({
  type: fc.constantFrom(FieldType.KEY, FieldType.FILTER, FieldType.RECORD_VERSION, FieldType.LUT, FieldType.QUERY_BINS, 60),
  data: fc.uint8Array({ maxLength: 10 }).map((b) => Buffer.from(b)),
})

test('random single-record messages get a result code and never a fault', () => {
  const ns = makeNamespace()
  const lookup = commandsOf(ns)
  const seed = (key: string): void => {
    const bins = [{ type: OpType.WRITE, particleType: ParticleType.INTEGER, name: 'i', value: integerParticle(1) },
      { type: OpType.WRITE, particleType: ParticleType.LIST, name: 'l', value: packValue([1, 2, 2, 3]) },
      { type: OpType.WRITE, particleType: ParticleType.MAP, name: 'm', value: packValue(new Map<Value, Value>([['a', 1], ['b', 2]])) }]
    put(ns, key, bins)
  }
  fc.assert(
    fc.property(
      fc.record({
        info1: fc.oneof(fc.constant(Info1.READ), fc.constant(0), fc.integer({ min: 0, max: 255 }).map((b) => b & ~Info1.BATCH)),
        info2: fc.oneof(fc.constant(Info2.WRITE), fc.constant(Info2.WRITE | Info2.RESPOND_ALL_OPS), fc.constant(0), fc.integer({ min: 0, max: 255 })),
        info3: fc.integer({ min: 0, max: 255 }),
        generation: fc.integer({ min: 0, max: 3 }),
        recordTtl: fc.constantFrom(0, 1, 100, 0xffffffff, 0xfffffffe),
      }),
      fc.constantFrom(...digests),
      fc.array(extraField, { maxLength: 2 }),
      fc.array(op, { maxLength: 4 }),
      (header, digest, extra, ops) => {
        if (ns.objects < 2) for (const key of ['k1', 'k2']) seed(key)
        const fields = [{ type: FieldType.NAMESPACE, data: Buffer.from('test') }, { type: FieldType.SET, data: Buffer.from('demo') }, { type: FieldType.DIGEST, data: digest }, ...extra]
        const result = dispatchMessage(decodeMessage(encodeMessage({ ...emptyHeader(), ...header }, fields, ops)), lookup)
        if ('reply' in result) assert.equal(result.fault, undefined, `fault: ${String((result.fault as Error | undefined)?.stack)}`)
      },
    ),
    { numRuns: 30000 },
  )
})
