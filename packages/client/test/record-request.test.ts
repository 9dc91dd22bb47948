import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { FieldType, Info1, Info2, MESSAGE_HEADER_BYTES, OpType, PROTO_HEADER_BYTES, ParticleType, ProtoType, decodeMessage, encodeFrame, findField } from '@aerolite/protocol'
import { ReplyError, encodeRecordRequest, replyResultCode, setRequestDigest } from '../src/index.ts'

describe('encodeRecordRequest', () => {
  test('encodes header, fields and ops that decode back; digest and key patch in place', () => {
    fc.assert(fc.property(
      fc.string({ minLength: 1, maxLength: 31 }), fc.string({ maxLength: 63 }), fc.boolean(), fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.uint8Array({ minLength: 8, maxLength: 8 }),
      (namespace, set, withKey, digest, key) => {
        const request = encodeRecordRequest({
          namespace, set, info2: Info2.WRITE, ttlSeconds: 100, timeoutMs: 250,
          key: withKey ? { particleType: ParticleType.INTEGER, bytes: Buffer.alloc(8) } : undefined,
          ops: [{ type: OpType.WRITE, particleType: ParticleType.STRING, name: 'bin1', value: Buffer.from('v') }],
        })
        setRequestDigest(request, digest)
        if (withKey) request.frame.set(key, request.keyValueOffset)
        else assert.equal(request.keyValueOffset, -1)
        assert.equal(request.frame[0], 2)
        assert.equal(request.frame[1], ProtoType.MESSAGE)
        assert.equal(request.frame.readUIntBE(2, 6), request.frame.length - PROTO_HEADER_BYTES)
        const message = decodeMessage(request.frame.subarray(PROTO_HEADER_BYTES))
        assert.equal(message.info2, Info2.WRITE)
        assert.equal(message.recordTtl, 100)
        assert.equal(message.transactionTtl, 250)
        assert.equal(findField(message, FieldType.NAMESPACE)!.toString(), namespace)
        assert.equal(findField(message, FieldType.SET)!.toString(), set)
        assert.deepEqual([...findField(message, FieldType.DIGEST)!], [...digest])
        if (withKey) assert.deepEqual([...findField(message, FieldType.KEY)!], [ParticleType.INTEGER, ...key])
        assert.equal(message.ops.length, 1)
        assert.equal(message.ops[0]!.name.toString(), 'bin1')
      },
    ), { interruptAfterTimeLimit: 2000, numRuns: 100 })
  })

  test('a read with no ops', () => {
    const request = encodeRecordRequest({ namespace: 'test', set: '', info1: Info1.READ | Info1.GET_ALL })
    const message = decodeMessage(request.frame.subarray(PROTO_HEADER_BYTES))
    assert.equal(message.info1, Info1.READ | Info1.GET_ALL)
    assert.equal(message.ops.length, 0)
    assert.throws(() => encodeRecordRequest({ namespace: 'test', set: '' }, new Uint8Array(3)), /20 bytes/)
  })
})

describe('replyResultCode', () => {
  test('reads the result code of plain replies and rejects what is not a message reply', () => {
    const body = Buffer.alloc(MESSAGE_HEADER_BYTES)
    body[0] = MESSAGE_HEADER_BYTES
    body[5] = 2
    assert.equal(replyResultCode({ version: 2, type: ProtoType.MESSAGE, body }), 2)
    assert.throws(() => replyResultCode({ version: 2, type: ProtoType.INFO, body }), ReplyError)
    assert.throws(() => replyResultCode({ version: 2, type: ProtoType.MESSAGE, body: body.subarray(0, 10) }), ReplyError)
    assert.throws(() => replyResultCode({ version: 2, type: ProtoType.COMPRESSED, body: encodeFrame(3, body) }), ReplyError)
  })
})
