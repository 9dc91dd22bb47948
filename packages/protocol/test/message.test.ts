import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  FieldType,
  Info1,
  Info2,
  Info3,
  Info4,
  MESSAGE_HEADER_BYTES,
  MessageError,
  OpType,
  decodeMessage,
  decodeMessageAt,
  emptyHeader,
  encodeMessage,
  encodedMessageBytes,
  encodedOpBytes,
  findField,
  writeMessage,
  type Field,
  type Message,
  type MessageHeader,
  type OutOp,
} from '../src/message.ts'

/** Any Unicode scalar value (no lone surrogates), biased towards ASCII. fc's 'binary' unit is slow to start. */
const codePoint = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }))
  .map((cp) => String.fromCodePoint(cp))

function expectMessageError(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof MessageError, `expected MessageError, got ${String(err)}`)
    assert.equal(err.code, 'ERR_MESSAGE')
    assert.equal(err.name, 'MessageError')
    if (message) assert.match(err.message, message)
    return true
  })
}

/** A decoded message with Buffers as hex, for readable deep comparisons. */
function plain(m: Message): unknown {
  return {
    info1: m.info1,
    info2: m.info2,
    info3: m.info3,
    info4: m.info4,
    resultCode: m.resultCode,
    generation: m.generation,
    recordTtl: m.recordTtl,
    transactionTtl: m.transactionTtl,
    fields: m.fields.map((f) => ({ type: f.type, data: f.data.toString('hex') })),
    ops: m.ops.map((o) => ({ type: o.type, particleType: o.particleType, flags: o.flags, name: o.name.toString('hex'), value: o.value.toString('hex') })),
  }
}

function expectedPlain(header: MessageHeader, fields: readonly Field[], ops: readonly OutOp[]): unknown {
  return {
    ...header,
    fields: fields.map((f) => ({ type: f.type, data: f.data.toString('hex') })),
    ops: ops.map((o) => ({
      type: o.type,
      particleType: o.particleType,
      flags: 0,
      name: (typeof o.name === 'string' ? Buffer.from(o.name, 'utf8') : o.name).toString('hex'),
      value: o.value.toString('hex'),
    })),
  }
}

// The recorded put request of vectors/03 (body only): put key-1 {i: 1, s: "hello"}.
const PUT_BODY_HEX =
  '1600010000000000000000000000000003e80004000200000005007465737400000006017472616365000000150485ea94541451bf9bbcaa06581e48cba8b794d09c0000000702036b65792d310000000d020100016900000000000000010000000a020300017368656c6c6f'

const SAMPLE_HEADER: MessageHeader = {
  info1: 0x03,
  info2: 0x81,
  info3: 0x04,
  info4: 0x10,
  resultCode: 2,
  generation: 0x01020304,
  recordTtl: 0xfffffffe,
  transactionTtl: 1000,
}
const SAMPLE_FIELDS: Field[] = [
  { type: FieldType.NAMESPACE, data: Buffer.from('test') },
  { type: FieldType.SET, data: Buffer.alloc(0) },
  { type: FieldType.DIGEST, data: Buffer.alloc(20, 0xab) },
]
const SAMPLE_OPS: OutOp[] = [
  { type: OpType.WRITE, particleType: 1, name: 'i', value: Buffer.from('0000000000000001', 'hex') },
  { type: OpType.READ, particleType: 0, name: Buffer.from('s'), value: Buffer.alloc(0) },
  { type: OpType.TOUCH, particleType: 0, name: '', value: Buffer.alloc(0) },
  { type: OpType.WRITE, particleType: 3, name: 'fifteen-bytes-x', value: Buffer.from('hi') },
]

describe('constants', () => {
  test('header size', () => {
    assert.equal(MESSAGE_HEADER_BYTES, 22)
  })

  test('info bits match the reference', () => {
    assert.deepEqual({ ...Info1 }, {
      READ: 0x01, GET_ALL: 0x02, SHORT_QUERY: 0x04, BATCH: 0x08, XDR: 0x10, NOBINDATA: 0x20, READ_MODE_AP_ALL: 0x40, COMPRESS_RESPONSE: 0x80,
    })
    assert.deepEqual({ ...Info2 }, {
      WRITE: 0x01, DELETE: 0x02, GENERATION: 0x04, GENERATION_GT: 0x08, DURABLE_DELETE: 0x10, CREATE_ONLY: 0x20, RELAX_AP_LONG_QUERY: 0x40, RESPOND_ALL_OPS: 0x80,
    })
    assert.deepEqual({ ...Info3 }, {
      LAST: 0x01, COMMIT_MASTER: 0x02, PARTITION_DONE: 0x04, UPDATE_ONLY: 0x08, CREATE_OR_REPLACE: 0x10, REPLACE_ONLY: 0x20, SC_READ_TYPE: 0x40, SC_READ_RELAX: 0x80,
    })
    assert.deepEqual({ ...Info4 }, { TXN_VERIFY_READ: 0x01, TXN_ROLL_FORWARD: 0x02, TXN_ROLL_BACK: 0x04, MRT_MONITOR_DRIVEN: 0x08, TXN_ON_LOCKING_ONLY: 0x10 })
  })

  test('field ids match the reference (§4.3)', () => {
    assert.deepEqual({ ...FieldType }, {
      NAMESPACE: 0, SET: 1, KEY: 2, RECORD_VERSION: 3, DIGEST: 4, TXN_ID: 5, TXN_DEADLINE: 6, TASK_ID: 7, SOCKET_TIMEOUT: 9,
      RECORDS_PER_SECOND: 10, PID_ARRAY: 11, DIGEST_ARRAY: 12, MAX_RECORDS: 13, LUT: 14, BVAL_ARRAY: 15, INDEX_NAME: 21,
      INDEX_RANGE: 22, INDEX_CONTEXT: 23, INDEX_EXPRESSION: 24, INDEX_TYPE: 26, UDF_PACKAGE_NAME: 30, UDF_FUNCTION: 31,
      UDF_ARGLIST: 32, UDF_OP: 33, QUERY_BINS: 40, BATCH_INDEX: 41, BATCH_INDEX_WITH_SET: 42, FILTER: 43,
    })
  })

  test('op types match the reference (§4.4)', () => {
    assert.deepEqual({ ...OpType }, {
      READ: 1, WRITE: 2, CDT_READ: 3, CDT_MODIFY: 4, INCR: 5, EXP_READ: 7, EXP_MODIFY: 8, APPEND: 9, PREPEND: 10, TOUCH: 11,
      BIT_READ: 12, BIT_MODIFY: 13, DELETE: 14, HLL_READ: 15, HLL_MODIFY: 16,
    })
  })

  test('emptyHeader is all zeros', () => {
    assert.deepEqual(emptyHeader(), { info1: 0, info2: 0, info3: 0, info4: 0, resultCode: 0, generation: 0, recordTtl: 0, transactionTtl: 0 })
    const a = emptyHeader()
    a.info1 = 5
    assert.equal(emptyHeader().info1, 0, 'each call returns a fresh object')
  })
})

describe('encodeMessage', () => {
  test('exact bytes of a header-only message', () => {
    assert.equal(
      encodeMessage(emptyHeader()).toString('hex'),
      '16' + '00'.repeat(21),
    )
    assert.equal(
      encodeMessage({ ...emptyHeader(), generation: 1, info3: Info3.LAST, resultCode: 2, recordTtl: 0x01020304, transactionTtl: 5 }).toString('hex'),
      '16' + '000001' + '00' + '02' + '00000001' + '01020304' + '00000005' + '0000' + '0000',
    )
  })

  test('exact bytes with fields and ops', () => {
    const body = encodeMessage(
      { ...emptyHeader(), info2: Info2.WRITE, transactionTtl: 1000 },
      [{ type: 0, data: Buffer.from('test') }, { type: 1, data: Buffer.alloc(0) }],
      [{ type: 2, particleType: 3, name: 's', value: Buffer.from('hi') }],
    )
    assert.equal(
      body.toString('hex'),
      '16' + '00' + '01' + '00' + '00' + '00' + '00000000' + '00000000' + '000003e8' + '0002' + '0001' +
        '00000005' + '00' + '74657374' +
        '00000001' + '01' +
        '00000007' + '02' + '03' + '00' + '01' + '73' + '6869',
    )
  })

  test('re-encodes a recorded request byte for byte', () => {
    const body = Buffer.from(PUT_BODY_HEX, 'hex')
    const m = decodeMessage(body)
    assert.equal(encodeMessage(m, m.fields, m.ops).toString('hex'), PUT_BODY_HEX)
  })

  test('u32 header values are written modulo 2^32 (ttl -1 becomes 0xFFFFFFFF)', () => {
    const body = encodeMessage({ ...emptyHeader(), recordTtl: -1, generation: -2, transactionTtl: 2 ** 32 + 7 })
    const m = decodeMessage(body)
    assert.equal(m.recordTtl, 0xffffffff)
    assert.equal(m.generation, 0xfffffffe)
    assert.equal(m.transactionTtl, 7)
  })

  test('string op names are written as UTF-8 and their byte length is used', () => {
    const body = encodeMessage(emptyHeader(), [], [{ type: 2, particleType: 3, name: 'é€', value: Buffer.from('v') }])
    const m = decodeMessage(body)
    assert.equal(m.ops[0]!.name.toString('utf8'), 'é€')
    assert.equal(m.ops[0]!.name.length, 5)
    assert.equal(body.readUInt32BE(22), 4 + 5 + 1)
    assert.equal(body[22 + 7], 5)
  })

  test('sizes: encodedOpBytes and encodedMessageBytes agree with the encoding', () => {
    assert.equal(encodedOpBytes({ type: 1, particleType: 0, name: 'abc', value: Buffer.alloc(4) }), 8 + 3 + 4)
    assert.equal(encodedOpBytes({ type: 1, particleType: 0, name: 'é', value: Buffer.alloc(0) }), 8 + 2)
    assert.equal(encodedOpBytes({ type: 1, particleType: 0, name: Buffer.alloc(15), value: Buffer.alloc(1) }), 8 + 15 + 1)
    assert.equal(encodedMessageBytes([], []), 22)
    assert.equal(encodedMessageBytes(SAMPLE_FIELDS, SAMPLE_OPS), encodeMessage(SAMPLE_HEADER, SAMPLE_FIELDS, SAMPLE_OPS).length)
    assert.equal(encodedMessageBytes(SAMPLE_FIELDS, []), 22 + 9 + 5 + 25)
  })

  test('writeMessage writes at an offset, returns the end and touches nothing else', () => {
    const size = encodedMessageBytes(SAMPLE_FIELDS, SAMPLE_OPS)
    const target = Buffer.alloc(size + 10, 0xee)
    const end = writeMessage(target, 4, SAMPLE_HEADER, SAMPLE_FIELDS, SAMPLE_OPS)
    assert.equal(end, 4 + size)
    assert.equal(target.subarray(0, 4).toString('hex'), 'eeeeeeee')
    assert.equal(target.subarray(end).toString('hex'), 'ee'.repeat(6))
    assert.deepEqual(target.subarray(4, end), encodeMessage(SAMPLE_HEADER, SAMPLE_FIELDS, SAMPLE_OPS))
  })
})

describe('decodeMessage', () => {
  test('decodes a recorded request', () => {
    const m = decodeMessage(Buffer.from(PUT_BODY_HEX, 'hex'))
    assert.deepEqual(plain(m), {
      info1: 0, info2: 1, info3: 0, info4: 0, resultCode: 0, generation: 0, recordTtl: 0, transactionTtl: 1000,
      fields: [
        { type: 0, data: Buffer.from('test').toString('hex') },
        { type: 1, data: Buffer.from('trace').toString('hex') },
        { type: 4, data: '85ea94541451bf9bbcaa06581e48cba8b794d09c' },
        { type: 2, data: '03' + Buffer.from('key-1').toString('hex') },
      ],
      ops: [
        { type: 2, particleType: 1, flags: 0, name: '69', value: '0000000000000001' },
        { type: 2, particleType: 3, flags: 0, name: '73', value: Buffer.from('hello').toString('hex') },
      ],
    })
  })

  test('sample round trip', () => {
    const body = encodeMessage(SAMPLE_HEADER, SAMPLE_FIELDS, SAMPLE_OPS)
    assert.deepEqual(plain(decodeMessage(body)), expectedPlain(SAMPLE_HEADER, SAMPLE_FIELDS, SAMPLE_OPS))
  })

  test('reads the op flags byte', () => {
    const body = encodeMessage(emptyHeader(), [], [{ type: 2, particleType: 1, name: 'a', value: Buffer.alloc(8) }])
    body[22 + 6] = 0x01
    assert.equal(decodeMessage(body).ops[0]!.flags, 1)
  })

  test('field data and op values are views into the body (no copy)', () => {
    const body = encodeMessage(SAMPLE_HEADER, SAMPLE_FIELDS, SAMPLE_OPS)
    const m = decodeMessage(body)
    assert.equal(m.fields[0]!.data.buffer, body.buffer)
    body[22 + 5] = 0x54 // 't' -> 'T'
    assert.equal(m.fields[0]!.data.toString(), 'Test')
  })

  test('property: encode -> decode round trip over arbitrary headers, fields and ops', () => {
    const u8 = fc.integer({ min: 0, max: 255 })
    const u32 = fc.integer({ min: 0, max: 0xffffffff })
    const headerArb = fc.record({
      info1: u8, info2: u8, info3: u8, info4: u8, resultCode: u8, generation: u32, recordTtl: u32, transactionTtl: u32,
    })
    const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a))
    const fieldArb = fc.record({ type: u8, data: bytes(64) })
    const nameArb = fc.oneof(
      bytes(15),
      fc.string({ unit: 'grapheme-ascii', maxLength: 15 }),
      fc.string({ unit: codePoint, maxLength: 3 }), // up to 12 UTF-8 bytes
    )
    const opArb = fc.record({ type: u8, particleType: u8, name: nameArb, value: bytes(80) })
    fc.assert(
      fc.property(headerArb, fc.array(fieldArb, { maxLength: 6 }), fc.array(opArb, { maxLength: 6 }), (header, fields, ops) => {
        const body = encodeMessage(header, fields, ops)
        assert.equal(body.length, encodedMessageBytes(fields, ops))
        const m = decodeMessage(body)
        assert.deepEqual(plain(m), expectedPlain(header, fields, ops))
        const at = decodeMessageAt(Buffer.concat([Buffer.alloc(3), body, Buffer.alloc(5)]), 3)
        assert.equal(at.end, 3 + body.length)
        assert.deepEqual(plain(at.message), expectedPlain(header, fields, ops))
      }),
      { numRuns: 200 },
    )
  })
})

describe('decodeMessageAt', () => {
  test('walks several concatenated messages (batch / scan reply stream)', () => {
    const parts = [
      encodeMessage({ ...emptyHeader(), generation: 1, transactionTtl: 0 }, [], [{ type: 1, particleType: 1, name: 'i', value: Buffer.alloc(8, 1) }]),
      encodeMessage({ ...emptyHeader(), generation: 2, transactionTtl: 1 }, [{ type: 0, data: Buffer.from('test') }], []),
      encodeMessage({ ...emptyHeader(), resultCode: 2, transactionTtl: 2 }),
      encodeMessage({ ...emptyHeader(), info3: Info3.LAST }),
    ]
    const body = Buffer.concat(parts)
    let pos = 0
    const seen: Array<[number, number, number, number]> = []
    while (pos < body.length) {
      const { message, end } = decodeMessageAt(body, pos)
      seen.push([message.transactionTtl, message.resultCode, message.info3, end - pos])
      pos = end
    }
    assert.equal(pos, body.length)
    assert.deepEqual(seen, [
      [0, 0, 0, parts[0]!.length],
      [1, 0, 0, parts[1]!.length],
      [2, 2, 0, 22],
      [0, 0, 1, 22],
    ])
  })

  test('decodeMessage rejects bytes after the last op', () => {
    const body = Buffer.concat([encodeMessage(emptyHeader()), Buffer.from([0])])
    expectMessageError(() => decodeMessage(body), /after its last op/)
    const two = Buffer.concat([encodeMessage(emptyHeader()), encodeMessage(emptyHeader())])
    expectMessageError(() => decodeMessage(two))
    assert.equal(decodeMessageAt(two, 0).end, 22)
    assert.equal(decodeMessageAt(two, 22).end, 44)
  })
})

describe('MessageError', () => {
  test('truncation at every possible length of a valid message', () => {
    const body = encodeMessage(SAMPLE_HEADER, SAMPLE_FIELDS, SAMPLE_OPS)
    for (let len = 0; len < body.length; len++) {
      expectMessageError(() => decodeMessage(body.subarray(0, len)))
      expectMessageError(() => decodeMessageAt(body.subarray(0, len), 0))
      // Also when the message starts at an offset inside a bigger buffer.
      const shifted = Buffer.concat([Buffer.alloc(7, 0x16), body.subarray(0, len)])
      expectMessageError(() => decodeMessageAt(shifted, 7))
    }
    assert.doesNotThrow(() => decodeMessage(body))
  })

  test('truncation at every length of the recorded request', () => {
    const body = Buffer.from(PUT_BODY_HEX, 'hex')
    for (let len = 0; len < body.length; len++) expectMessageError(() => decodeMessage(body.subarray(0, len)))
  })

  test('property: every strict prefix of an arbitrary message fails', () => {
    const opArb = fc.record({
      type: fc.integer({ min: 0, max: 255 }),
      particleType: fc.integer({ min: 0, max: 255 }),
      name: fc.uint8Array({ maxLength: 15 }).map((a) => Buffer.from(a)),
      value: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
    })
    const fieldArb = fc.record({ type: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)) })
    fc.assert(
      fc.property(fc.array(fieldArb, { maxLength: 3 }), fc.array(opArb, { maxLength: 3 }), (fields, ops) => {
        const body = encodeMessage(emptyHeader(), fields, ops)
        for (let len = 0; len < body.length; len++) expectMessageError(() => decodeMessage(body.subarray(0, len)))
      }),
      { numRuns: 60 },
    )
  })

  test('header size byte other than 22', () => {
    for (const size of [0, 1, 8, 21, 23, 255]) {
      const body = encodeMessage(emptyHeader())
      body[0] = size
      expectMessageError(() => decodeMessage(body), /header size/)
      // Even when enough bytes follow for the claimed size.
      const padded = Buffer.concat([body, Buffer.alloc(300)])
      expectMessageError(() => decodeMessageAt(padded, 0), /header size/)
    }
  })

  test('shorter than the header', () => {
    expectMessageError(() => decodeMessageAt(Buffer.alloc(21, 22), 0), /shorter/)
    expectMessageError(() => decodeMessageAt(encodeMessage(emptyHeader()), 1), /shorter/)
    expectMessageError(() => decodeMessageAt(Buffer.alloc(0), 0))
  })

  test('field declaring size 0', () => {
    const body = encodeMessage(emptyHeader(), [{ type: 0, data: Buffer.from('x') }])
    body.writeUInt32BE(0, 22)
    expectMessageError(() => decodeMessage(body))
  })

  test('field declaring more bytes than remain', () => {
    const body = encodeMessage(emptyHeader(), [{ type: 0, data: Buffer.from('abc') }])
    body.writeUInt32BE(5, 22)
    expectMessageError(() => decodeMessage(body))
    body.writeUInt32BE(0xffffffff, 22)
    expectMessageError(() => decodeMessage(body))
  })

  test('op declaring a size smaller than its name', () => {
    const body = encodeMessage(emptyHeader(), [], [{ type: 2, particleType: 3, name: 'abcd', value: Buffer.from('v') }])
    body.writeUInt32BE(4 + 3, 22) // name is 4 bytes
    expectMessageError(() => decodeMessage(body))
    body.writeUInt32BE(3, 22)
    expectMessageError(() => decodeMessage(body))
  })

  test('op declaring more bytes than remain', () => {
    const body = encodeMessage(emptyHeader(), [], [{ type: 2, particleType: 3, name: 'a', value: Buffer.from('v') }])
    body.writeUInt32BE(4 + 1 + 2, 22)
    expectMessageError(() => decodeMessage(body))
  })

  test('more fields or ops announced than present', () => {
    const body = encodeMessage(emptyHeader(), [{ type: 0, data: Buffer.from('test') }], [{ type: 1, particleType: 0, name: 'a', value: Buffer.alloc(0) }])
    const moreFields = Buffer.from(body)
    moreFields.writeUInt16BE(2, 18)
    expectMessageError(() => decodeMessage(moreFields))
    const moreOps = Buffer.from(body)
    moreOps.writeUInt16BE(2, 20)
    expectMessageError(() => decodeMessage(moreOps))
  })
})

describe('findField', () => {
  test('returns the first field of the type, or undefined', () => {
    const m = {
      fields: [
        { type: 0, data: Buffer.from('test') },
        { type: 4, data: Buffer.from('d1') },
        { type: 4, data: Buffer.from('d2') },
      ],
    }
    assert.equal(findField(m, FieldType.NAMESPACE)?.toString(), 'test')
    assert.equal(findField(m, FieldType.DIGEST)?.toString(), 'd1')
    assert.equal(findField(m, FieldType.SET), undefined)
    assert.equal(findField({ fields: [] }, 0), undefined)
  })

  test('on a decoded recorded request', () => {
    const m = decodeMessage(Buffer.from(PUT_BODY_HEX, 'hex'))
    assert.equal(findField(m, FieldType.SET)?.toString(), 'trace')
    assert.equal(findField(m, FieldType.KEY)?.toString('hex'), '036b65792d31')
    assert.equal(findField(m, FieldType.UDF_FUNCTION), undefined)
  })
})
