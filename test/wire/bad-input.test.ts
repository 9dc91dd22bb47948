// Hostile and malformed input on the client port: every case gets the result code or connection
// close Aerospike gives, and the node keeps serving everyone else (after each case a fresh
// connection still gets `status\tok\n` and a put/get round trip).
import { after, afterEach, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { startServer, type EmbeddedServer } from '@aerolite/server'
import {
  FieldType, Info1, OpType, ParticleType, ProtoType, compressMessageFrame, computeDigest, encodeFrame, encodeMessage,
  geoJsonParticle, integerParticle, type Field,
} from '@aerolite/protocol'
import {
  WAIT_MS, WireConn, assertHealthy, binsOf, decodeReply, deleteFrame, getFrame, header, inflateCompressed, keyFields,
  messageFrame, putFrame, sleep, statistics, stringKeyField, writeOp, type Endpoint,
} from './wire-helpers.ts'

const MAX_RECORD_BYTES = 64 * 1024
/** Aerospike's PROTO_SIZE_MAX, Aerolite's default maxFrameBytes (not settable from aerospike.conf). */
const PROTO_SIZE_MAX = 128 * 1024 * 1024

let server: EmbeddedServer
let keySeq = 0
const freshKey = (label: string): { key: string } => ({ key: `bad-${label}-${++keySeq}` })

before(async () => {
  server = await startServer({ port: 0, logLevel: 'silent', namespaceOverrides: { maxRecordSizeBytes: MAX_RECORD_BYTES } })
})
after(async () => {
  await server?.stop()
})

/** Opens a connection, runs fn, always closes it. */
async function withConn<T>(fn: (conn: WireConn) => Promise<T>, ep: Endpoint = server): Promise<T> {
  const conn = await WireConn.open(ep)
  try {
    return await fn(conn)
  } finally {
    conn.close()
  }
}

/** The server closes the connection without answering anything. */
async function expectClosedWithoutReply(conn: WireConn, what: string): Promise<void> {
  const frame = await conn.nextFrameOrClose(WAIT_MS)
  assert.equal(frame, undefined, `${what}: no reply expected, got a type-${frame?.type} frame`)
  assert.equal(conn.closed, true, `${what}: the server must close the connection`)
}

/** A header-only type-3 reply with this result code, then the server closes the connection. */
async function expectErrorThenClose(conn: WireConn, resultCode: number, what: string): Promise<void> {
  const frame = await conn.nextFrame()
  const reply = decodeReply(frame)
  assert.equal(reply.resultCode, resultCode, `${what}: result code`)
  assert.equal(reply.ops.length, 0, `${what}: header-only reply`)
  assert.equal(reply.fields.length, 0, `${what}: header-only reply`)
  assert.equal(await conn.waitClose(), true, `${what}: the server closes after the error reply`)
}

/** A valid get body (no proto header) to corrupt. */
function getBody(key: string): Buffer {
  return encodeMessage(header({ info1: Info1.READ | Info1.GET_ALL }), keyFields({ key }))
}

describe('framing', () => {
  afterEach(() => assertHealthy(server))

  it('garbage bytes (an HTTP request) close the connection', async () => {
    await withConn(async (conn) => {
      conn.send(Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 'latin1'))
      await expectClosedWithoutReply(conn, 'HTTP request')
    })
  })

  for (const version of [0, 1, 3, 255]) {
    it(`proto version ${version} closes the connection`, async () => {
      await withConn(async (conn) => {
        const frame = encodeFrame(ProtoType.INFO, Buffer.from('status\n'))
        frame[0] = version
        conn.send(frame)
        await expectClosedWithoutReply(conn, `version ${version}`)
      })
    })
  }

  for (const type of [0, 9, 200]) {
    it(`unknown proto type ${type} closes the connection`, async () => {
      await withConn(async (conn) => {
        const frame = encodeFrame(ProtoType.INFO, Buffer.from('status\n'))
        frame[1] = type
        conn.send(frame)
        await expectClosedWithoutReply(conn, `type ${type}`)
      })
    })
  }

  for (const size of [PROTO_SIZE_MAX + 1, 2 ** 48 - 1]) {
    it(`a header announcing ${size} bytes (over PROTO_SIZE_MAX) is closed without waiting for the body`, async () => {
      await withConn(async (conn) => {
        const headerOnly = Buffer.alloc(8)
        headerOnly[0] = 2
        headerOnly[1] = ProtoType.MESSAGE
        headerOnly.writeUIntBE(size, 2, 6)
        const started = Date.now()
        conn.send(headerOnly)
        assert.equal(await conn.waitClose(1000), true, 'closed promptly after the header alone')
        assert.ok(Date.now() - started < 1000)
      })
    })
  }

  it('a header announcing exactly PROTO_SIZE_MAX is not rejected (the server waits for the body)', async () => {
    await withConn(async (conn) => {
      const headerOnly = Buffer.alloc(8)
      headerOnly[0] = 2
      headerOnly[1] = ProtoType.MESSAGE
      headerOnly.writeUIntBE(PROTO_SIZE_MAX, 2, 6)
      conn.send(headerOnly)
      assert.equal(await conn.waitClose(300), false, 'still open while the body is pending')
    })
  })

  it('a truncated frame followed by a client close leaves the node serving, with sane stats', async () => {
    const before = await statistics(server)
    for (const cut of [3, 8, 40]) {
      const conn = await WireConn.open(server)
      const frame = encodeFrame(ProtoType.MESSAGE, getBody(`truncated-${cut}`))
      conn.send(frame.subarray(0, cut))
      await sleep(20)
      conn.close()
    }
    // The closes are seen by the node asynchronously: the statistics connection is the only one left.
    const deadline = Date.now() + WAIT_MS
    let stats = await statistics(server)
    while (stats.get('client_connections') !== '1' && Date.now() < deadline) {
      await sleep(50)
      stats = await statistics(server)
    }
    assert.equal(stats.get('client_connections'), '1', 'only the statistics connection is open')
    assert.equal(stats.get('bad_frames'), before.get('bad_frames'), 'a truncated frame is not a bad frame')
    const opened = Number(stats.get('client_connections_opened'))
    const closed = Number(stats.get('client_connections_closed'))
    assert.equal(opened - closed, 1, 'opened - closed = open connections')
  })

  it('type-3 message whose header size byte is not 22: PARAMETER_ERROR then close', async () => {
    for (const size of [0, 21, 23, 30]) {
      await withConn(async (conn) => {
        const body = getBody('hdr-size')
        body[0] = size
        conn.send(encodeFrame(ProtoType.MESSAGE, body))
        await expectErrorThenClose(conn, 4, `header size ${size}`)
      })
    }
  })

  it('type-3 message shorter than its 22-byte header (even empty): PARAMETER_ERROR then close', async () => {
    for (const length of [0, 1, 21]) {
      await withConn(async (conn) => {
        conn.send(encodeFrame(ProtoType.MESSAGE, getBody('short').subarray(0, length)))
        await expectErrorThenClose(conn, 4, `body of ${length} bytes`)
      })
    }
  })

  it('type-3 message whose fields overrun the body: PARAMETER_ERROR then close', async () => {
    await withConn(async (conn) => {
      const body = getBody('field-overrun')
      body.writeUInt32BE(0x10000, 22) // first field claims 64 KiB
      conn.send(encodeFrame(ProtoType.MESSAGE, body))
      await expectErrorThenClose(conn, 4, 'field overrun')
    })
    await withConn(async (conn) => {
      const body = getBody('field-count')
      body.writeUInt16BE(9, 18) // 9 fields announced, 4 present
      conn.send(encodeFrame(ProtoType.MESSAGE, body))
      await expectErrorThenClose(conn, 4, 'n_fields past the end')
    })
    await withConn(async (conn) => {
      const body = getBody('field-zero')
      body.writeUInt32BE(0, 22) // a field size of 0 cannot even hold the type byte
      conn.send(encodeFrame(ProtoType.MESSAGE, body))
      await expectErrorThenClose(conn, 4, 'field size 0')
    })
  })

  it('type-3 message whose ops overrun the body or that has trailing bytes: PARAMETER_ERROR then close', async () => {
    const put = encodeMessage(header({ info2: 1 }), keyFields(freshKey('op-overrun')), [writeOp('v', ParticleType.INTEGER, integerParticle(1))])
    const opAt = put.length - (8 + 1 + 8)
    await withConn(async (conn) => {
      const body = Buffer.from(put)
      body.writeUInt32BE(1000, opAt)
      conn.send(encodeFrame(ProtoType.MESSAGE, body))
      await expectErrorThenClose(conn, 4, 'op overrun')
    })
    await withConn(async (conn) => {
      const body = Buffer.from(put)
      body.writeUInt16BE(3, 20) // 3 ops announced, 1 present
      conn.send(encodeFrame(ProtoType.MESSAGE, body))
      await expectErrorThenClose(conn, 4, 'n_ops past the end')
    })
    await withConn(async (conn) => {
      conn.send(encodeFrame(ProtoType.MESSAGE, Buffer.concat([put, Buffer.from([1, 2, 3])])))
      await expectErrorThenClose(conn, 4, 'trailing bytes')
    })
  })

  it('a request arriving one byte at a time is answered', async () => {
    await withConn(async (conn) => {
      const frame = Buffer.concat([encodeFrame(ProtoType.INFO, Buffer.from('status\n')), getFrame({ key: 'byte-by-byte-missing' })])
      for (const byte of frame) {
        conn.send(Buffer.of(byte))
        await sleep(1)
      }
      assert.equal((await conn.nextFrame()).body.toString(), 'status\tok\n')
      assert.equal(decodeReply(await conn.nextFrame()).resultCode, 2)
    })
  })

  it('an info request over the info size limit (1 MiB) closes the connection', async () => {
    await withConn(async (conn) => {
      conn.send(encodeFrame(ProtoType.INFO, Buffer.alloc(1024 * 1024 + 1, 0x61)))
      await expectClosedWithoutReply(conn, 'oversized info request')
    })
  })

  // Aerospike (as/src/base/service.c, header check): "For backward compatibility, allow version 0
  // with security messages" - an admin frame with version 0 is answered, not dropped.
  it('an admin (type 2) frame with proto version 0 is answered, as Aerospike does',
    async () => {
      await withConn(async (conn) => {
        const head = Buffer.alloc(16)
        head[2] = 20 // LOGIN
        const frame = encodeFrame(ProtoType.ADMIN, head)
        frame[0] = 0
        conn.send(frame)
        const reply = await conn.nextFrame()
        assert.equal(reply.type, ProtoType.ADMIN)
        assert.equal(reply.body[1], 52)
      })
    })

  it('requests pipelined before a malformed one are all answered, in order, before the close', async () => {
    await withConn(async (conn) => {
      const bad = getBody('pipeline')
      bad[0] = 99
      conn.send(Buffer.concat([
        encodeFrame(ProtoType.INFO, Buffer.from('status\n')),
        getFrame({ key: 'pipeline-missing' }),
        encodeFrame(ProtoType.MESSAGE, bad),
        encodeFrame(ProtoType.INFO, Buffer.from('status\n')),
      ]))
      const first = await conn.nextFrame()
      assert.equal(first.type, ProtoType.INFO)
      assert.equal(first.body.toString(), 'status\tok\n')
      assert.equal(decodeReply(await conn.nextFrame()).resultCode, 2)
      await expectErrorThenClose(conn, 4, 'malformed after pipelined requests')
    })
  })
})

describe('record requests', () => {
  afterEach(() => assertHealthy(server))

  it('an unknown field type in an otherwise valid get is ignored', async () => {
    const spec = freshKey('unknown-field')
    await withConn(async (conn) => {
      assert.equal((await conn.message(putFrame(spec, [writeOp('v', ParticleType.INTEGER, integerParticle(42))]))).resultCode, 0)
      const fields: Field[] = [
        ...keyFields(spec),
        { type: 99, data: Buffer.from('junk') },
        { type: 250, data: Buffer.alloc(0) },
        { type: 8, data: Buffer.from([1, 2, 3, 4]) },
      ]
      const reply = await conn.message(messageFrame({ info1: Info1.READ | Info1.GET_ALL }, fields))
      assert.equal(reply.resultCode, 0)
      assert.equal(reply.generation, 1)
      assert.equal(binsOf(reply).get('v')?.value.readBigInt64BE(0), 42n)
      await conn.message(deleteFrame(spec))
    })
  })

  it('an unknown op type (99) in a write is PARAMETER_ERROR (4) and writes nothing', async () => {
    const spec = freshKey('unknown-op')
    await withConn(async (conn) => {
      const reply = await conn.message(putFrame(spec, [
        writeOp('a', ParticleType.INTEGER, integerParticle(1)),
        { type: 99, particleType: ParticleType.INTEGER, name: 'b', value: integerParticle(2) },
      ]))
      assert.equal(reply.resultCode, 4)
      assert.equal((await conn.message(getFrame(spec))).resultCode, 2, 'the failed write created nothing')
      assert.equal(await conn.waitClose(100), false, 'a command error keeps the connection')
    })
  })

  it('a namespace that does not exist is NAMESPACE_NOT_FOUND (20) for reads and writes', async () => {
    await withConn(async (conn) => {
      const spec = { ns: 'nope', key: 'x' }
      assert.equal((await conn.message(getFrame(spec))).resultCode, 20)
      assert.equal((await conn.message(putFrame(spec, [writeOp('v', ParticleType.INTEGER, integerParticle(1))]))).resultCode, 20)
      assert.equal((await conn.message(deleteFrame(spec))).resultCode, 20)
    })
  })

  // Aerospike (as/src/base/thr_tsvc.c as_tsvc_process_transaction): "no namespace in protocol
  // request" -> AS_ERR_NAMESPACE (20), and a name that matches no namespace (an empty one too) -> 20.
  it('a request without a namespace field is NAMESPACE_NOT_FOUND (20), as Aerospike answers',
    async () => {
      const spec = freshKey('no-ns')
      const set = 'wire'
      await withConn(async (conn) => {
        const fields: Field[] = [
          { type: FieldType.SET, data: Buffer.from(set) },
          { type: FieldType.DIGEST, data: computeDigest(set, ParticleType.STRING, Buffer.from(spec.key)) },
          stringKeyField(spec.key),
        ]
        assert.equal((await conn.message(messageFrame({ info1: Info1.READ | Info1.GET_ALL }, fields))).resultCode, 20, 'no namespace field')
        const empty = [{ type: FieldType.NAMESPACE, data: Buffer.alloc(0) }, ...fields]
        assert.equal((await conn.message(messageFrame({ info1: Info1.READ | Info1.GET_ALL }, empty))).resultCode, 20, 'empty namespace')
      })
    })

  it('a request without a namespace field is an error reply (not OK) and keeps the connection', async () => {
    const spec = freshKey('no-ns-sane')
    await withConn(async (conn) => {
      const fields = keyFields(spec).filter((f) => f.type !== FieldType.NAMESPACE)
      const code = (await conn.message(messageFrame({ info1: Info1.READ | Info1.GET_ALL }, fields))).resultCode
      assert.ok(code === 4 || code === 20, `result ${code} is 4 or 20`)
      const put = await conn.message(messageFrame({ info2: 1 }, fields, [writeOp('v', ParticleType.INTEGER, integerParticle(1))]))
      assert.ok(put.resultCode === 4 || put.resultCode === 20, `result ${put.resultCode} is 4 or 20`)
      assert.equal((await conn.message(getFrame(spec))).resultCode, 2, 'nothing was written')
    })
  })

  it('a set name over 63 bytes is PARAMETER_ERROR (4); 63 bytes is fine', async () => {
    await withConn(async (conn) => {
      const long = { set: 's'.repeat(64), key: 'long-set' }
      assert.equal((await conn.message(putFrame(long, [writeOp('v', ParticleType.INTEGER, integerParticle(1))]))).resultCode, 4)
      const ok = { set: 's'.repeat(63), key: 'long-set' }
      assert.equal((await conn.message(putFrame(ok, [writeOp('v', ParticleType.INTEGER, integerParticle(1))]))).resultCode, 0)
      assert.equal((await conn.message(deleteFrame(ok))).resultCode, 0)
    })
  })

  it('a TTL over max-ttl (10 years) is PARAMETER_ERROR (4) and writes nothing', async () => {
    const spec = freshKey('ttl')
    await withConn(async (conn) => {
      for (const ttl of [315_360_001, 0xfffffffc]) {
        assert.equal((await conn.message(putFrame(spec, [writeOp('v', ParticleType.INTEGER, integerParticle(1))], { recordTtl: ttl }))).resultCode, 4, `ttl ${ttl}`)
        assert.equal((await conn.message(getFrame(spec))).resultCode, 2)
      }
    })
  })

  it('a digest of the wrong length is PARAMETER_ERROR (4)', async () => {
    await withConn(async (conn) => {
      for (const length of [0, 19, 21, 32]) {
        const fields = keyFields(freshKey('digest')).map((f) => f.type === FieldType.DIGEST ? { type: FieldType.DIGEST, data: Buffer.alloc(length, 7) } : f)
        assert.equal((await conn.message(messageFrame({ info1: Info1.READ | Info1.GET_ALL }, fields))).resultCode, 4, `read, digest of ${length} bytes`)
        assert.equal((await conn.message(messageFrame({ info2: 1 }, fields, [writeOp('v', ParticleType.INTEGER, integerParticle(1))]))).resultCode, 4, `write, digest of ${length} bytes`)
      }
    })
  })

  it('an empty bin name in a write is rejected with PARAMETER_ERROR (4) and writes nothing', async () => {
    const spec = freshKey('empty-bin')
    await withConn(async (conn) => {
      assert.equal((await conn.message(putFrame(spec, [writeOp('', ParticleType.INTEGER, integerParticle(1))]))).resultCode, 4)
      assert.equal((await conn.message(getFrame(spec))).resultCode, 2)
    })
  })

  it('a 16-byte bin name is BIN_NAME_TOO_LONG (21); 15 bytes is fine', async () => {
    const spec = freshKey('bin-name')
    await withConn(async (conn) => {
      assert.equal((await conn.message(putFrame(spec, [writeOp('b'.repeat(16), ParticleType.INTEGER, integerParticle(1))]))).resultCode, 21)
      assert.equal((await conn.message(getFrame(spec))).resultCode, 2)
      const ok = await conn.message(putFrame(spec, [writeOp('c'.repeat(15), ParticleType.INTEGER, integerParticle(7))]))
      assert.equal(ok.resultCode, 0)
      const got = await conn.message(getFrame(spec))
      assert.equal(binsOf(got).get('c'.repeat(15))?.value.readBigInt64BE(0), 7n)
      await conn.message(deleteFrame(spec))
    })
  })

  it('a record over max-record-size is RECORD_TOO_BIG (13) and writes nothing', async () => {
    const spec = freshKey('too-big')
    await withConn(async (conn) => {
      const big = Buffer.alloc(MAX_RECORD_BYTES + 1024, 'x')
      assert.equal((await conn.message(putFrame(spec, [writeOp('s', ParticleType.STRING, big)]))).resultCode, 13)
      assert.equal((await conn.message(getFrame(spec))).resultCode, 2)
      // An existing record that an update would push over the limit keeps its old version.
      assert.equal((await conn.message(putFrame(spec, [writeOp('s', ParticleType.STRING, Buffer.from('small'))]))).resultCode, 0)
      const grow = await conn.message(putFrame(spec, [writeOp('t', ParticleType.STRING, big)]))
      assert.equal(grow.resultCode, 13)
      const got = await conn.message(getFrame(spec))
      assert.equal(got.generation, 1)
      assert.deepEqual([...binsOf(got).keys()], ['s'])
      await conn.message(deleteFrame(spec))
    })
  })

  it('an integer particle of 3 (or 9, or 0) bytes in a write is PARAMETER_ERROR (4)', async () => {
    await withConn(async (conn) => {
      for (const length of [3, 9, 0]) {
        const spec = freshKey(`int-${length}`)
        assert.equal((await conn.message(putFrame(spec, [writeOp('i', ParticleType.INTEGER, Buffer.alloc(length, 1))]))).resultCode, 4, `${length} bytes`)
        assert.equal((await conn.message(getFrame(spec))).resultCode, 2)
      }
    })
  })

  // Aerospike (as/src/base/particle_integer.c integer_from_wire) accepts 1, 2, 4 and 8-byte integer
  // particles in writes and stores them zero-extended; only other sizes are AS_ERR_PARAMETER.
  it('an integer particle of 1, 2 or 4 bytes in a write is stored as Aerospike does (zero-extended)',
    async () => {
      await withConn(async (conn) => {
        for (const [bytes, expected] of [[Buffer.from([0xff]), 255n], [Buffer.from([0x01, 0x02]), 258n], [Buffer.from([0x80, 0, 0, 1]), 2147483649n]] as const) {
          const spec = freshKey(`int-short-${bytes.length}`)
          assert.equal((await conn.message(putFrame(spec, [writeOp('i', ParticleType.INTEGER, bytes)]))).resultCode, 0, `${bytes.length} bytes`)
          const got = await conn.message(getFrame(spec))
          const bin = binsOf(got).get('i')
          assert.equal(bin?.value.length, 8, 'read back as an 8-byte integer')
          assert.equal(bin?.value.readBigInt64BE(0), expected)
          await conn.message(deleteFrame(spec))
        }
      })
    })

  it('a LIST or MAP particle whose bytes are not msgpack is PARAMETER_ERROR (4)', async () => {
    await withConn(async (conn) => {
      const cases: Array<[number, Buffer, string]> = [
        [ParticleType.LIST, Buffer.from('not msgpack at all'), 'text as a list'],
        [ParticleType.LIST, Buffer.from([0x93, 0x01]), 'truncated list'],
        [ParticleType.LIST, Buffer.from([0xc1]), 'never-used msgpack byte'],
        [ParticleType.LIST, Buffer.alloc(0), 'empty list particle'],
        [ParticleType.LIST, Buffer.from([0x81, 0x01, 0x02]), 'a map sent as a list'],
        [ParticleType.MAP, Buffer.from([0x82, 0x01]), 'truncated map'],
        [ParticleType.MAP, Buffer.from([0x91, 0x01]), 'a list sent as a map'],
      ]
      for (const [type, value, what] of cases) {
        const spec = freshKey('msgpack')
        assert.equal((await conn.message(putFrame(spec, [writeOp('l', type, value)]))).resultCode, 4, what)
        assert.equal((await conn.message(getFrame(spec))).resultCode, 2, `${what}: nothing written`)
      }
      // The well-formed list is accepted, so the failures above are about the bytes.
      const spec = freshKey('msgpack-ok')
      assert.equal((await conn.message(putFrame(spec, [writeOp('l', ParticleType.LIST, Buffer.from([0x92, 0x01, 0xa1, 0x61]))]))).resultCode, 0)
      await conn.message(deleteFrame(spec))
    })
  })

  it('a GeoJSON particle that is not GeoJSON is GEO_INVALID_GEOJSON (160)', async () => {
    await withConn(async (conn) => {
      for (const text of ['not json', '{"type":"Nope","coordinates":[1,2]}', '[1,2]', '']) {
        const spec = freshKey('geo')
        assert.equal((await conn.message(putFrame(spec, [writeOp('g', ParticleType.GEOJSON, geoJsonParticle(text))]))).resultCode, 160, JSON.stringify(text))
        assert.equal((await conn.message(getFrame(spec))).resultCode, 2)
      }
      const spec = freshKey('geo-ok')
      const point = '{"type":"Point","coordinates":[-122.0,37.5]}'
      assert.equal((await conn.message(putFrame(spec, [writeOp('g', ParticleType.GEOJSON, geoJsonParticle(point))]))).resultCode, 0)
      await conn.message(deleteFrame(spec))
    })
  })
})

describe('compression (type 4)', () => {
  afterEach(() => assertHealthy(server))

  it('a compressed frame whose zlib data is garbage closes the connection', async () => {
    await withConn(async (conn) => {
      const body = Buffer.alloc(8 + 40, 0x5a)
      body.writeBigUInt64BE(60n, 0)
      conn.send(encodeFrame(ProtoType.COMPRESSED, body))
      assert.equal(await conn.waitClose(), true)
    })
  })

  it('a compressed frame that inflates to something other than its declared type-3 frame closes the connection', async () => {
    const inner = encodeFrame(ProtoType.MESSAGE, getBody('comp-bad'))
    const cases: Array<[string, Buffer]> = [
      ['declared size too small', Buffer.concat([u64(inner.length - 1), deflateSync(inner)])],
      ['declared size too large', Buffer.concat([u64(inner.length + 1), deflateSync(inner)])],
      ['inner info frame', (() => {
        const info = encodeFrame(ProtoType.INFO, Buffer.from('status\n'))
        return Buffer.concat([u64(info.length), deflateSync(info)])
      })()],
      ['body shorter than the size prefix', Buffer.from([0, 0, 0])],
    ]
    for (const [what, body] of cases) {
      await withConn(async (conn) => {
        conn.send(encodeFrame(ProtoType.COMPRESSED, body))
        assert.equal(await conn.waitClose(), true, what)
      })
    }
  })

  it('a valid compressed request gets the right reply', async () => {
    const spec = freshKey('comp-put')
    await withConn(async (conn) => {
      const put = compressMessageFrame(encodeMessage(header({ info2: 1 }), keyFields(spec), [
        writeOp('s', ParticleType.STRING, Buffer.alloc(600, 'q')),
        writeOp('n', ParticleType.INTEGER, integerParticle(-5)),
      ]))
      assert.equal(put[1], ProtoType.COMPRESSED)
      const reply = await conn.message(put)
      assert.equal(reply.resultCode, 0)
      assert.equal(reply.generation, 1)
      const get = await conn.message(compressMessageFrame(encodeMessage(header({ info1: Info1.READ | Info1.GET_ALL }), keyFields(spec)), 9))
      assert.equal(get.resultCode, 0)
      const bins = binsOf(get)
      assert.equal(bins.get('s')?.value.toString(), 'q'.repeat(600))
      assert.equal(bins.get('n')?.value.readBigInt64BE(0), -5n)
      await conn.message(deleteFrame(spec))
    })
  })

  it('COMPRESS_RESPONSE on a read of a 10 KB string bin gets a type-4 reply that inflates to the right message', async () => {
    const spec = freshKey('comp-reply')
    const text = Buffer.alloc(10 * 1024)
    for (let i = 0; i < text.length; i++) text[i] = 0x61 + (i % 26)
    await withConn(async (conn) => {
      assert.equal((await conn.message(putFrame(spec, [writeOp('big', ParticleType.STRING, text), writeOp('n', ParticleType.INTEGER, integerParticle(3))]))).resultCode, 0)
      for (const [what, frame] of [
        ['all bins', getFrame(spec, { info1: Info1.READ | Info1.GET_ALL | Info1.COMPRESS_RESPONSE })],
        ['selected bin', messageFrame({ info1: Info1.READ | Info1.COMPRESS_RESPONSE }, keyFields(spec), [{ type: OpType.READ, particleType: 0, name: 'big', value: Buffer.alloc(0) }])],
      ] as const) {
        const reply = await conn.request(frame)
        assert.equal(reply.type, ProtoType.COMPRESSED, `${what}: type-4 reply`)
        const inner = inflateCompressed(reply.body)
        const message = decodeReply({ version: 2, type: ProtoType.MESSAGE, body: inner.subarray(8) })
        assert.equal(message.resultCode, 0)
        assert.equal(message.generation, 1)
        const bins = binsOf(message)
        assert.equal(bins.get('big')?.particleType, ParticleType.STRING)
        assert.ok(bins.get('big')?.value.equals(text), `${what}: the 10 KB value round-trips`)
        assert.ok(reply.body.length < inner.length, `${what}: the reply is actually compressed`)
      }
      // Without the bit the same read comes back plain.
      assert.equal((await conn.request(getFrame(spec))).type, ProtoType.MESSAGE)
      await conn.message(deleteFrame(spec))
    })
  })
})

function u64(n: number): Buffer {
  const out = Buffer.alloc(8)
  out.writeBigUInt64BE(BigInt(n), 0)
  return out
}

describe('back-pressure', () => {
  afterEach(() => assertHealthy(server))

  it('a client that stops reading its replies does not stall others, and gets every reply in order later', async () => {
    const spec = freshKey('slow-reader')
    const COUNT = 1200
    const value = Buffer.alloc(10 * 1024, 'r')
    await withConn(async (conn) => {
      assert.equal((await conn.message(putFrame(spec, [writeOp('big', ParticleType.STRING, value)]))).resultCode, 0)
      conn.socket.pause()
      const requests: Buffer[] = []
      for (let i = 0; i < COUNT; i++) requests.push(i % 2 === 0 ? getFrame(spec) : encodeFrame(ProtoType.INFO, Buffer.from(`status\n`)))
      conn.send(Buffer.concat(requests))
      await sleep(200)
      await assertHealthy(server) // others are served while ~6 MB of replies (over the 4 MiB pause threshold) wait
      conn.socket.resume()
      for (let i = 0; i < COUNT; i++) {
        const frame = await conn.nextFrame()
        if (i % 2 === 0) {
          const reply = decodeReply(frame)
          assert.equal(reply.resultCode, 0, `reply ${i}`)
          assert.equal(binsOf(reply).get('big')?.value.length, value.length, `reply ${i}`)
        } else {
          assert.equal(frame.body.toString(), 'status\tok\n', `reply ${i}`)
        }
      }
      await conn.message(deleteFrame(spec))
    })
  })
})

describe('admin and info', () => {
  afterEach(() => assertHealthy(server))

  it('an admin (type 2) LOGIN gets SECURITY_NOT_ENABLED (52) at byte 9 and the connection stays usable', async () => {
    await withConn(async (conn) => {
      const field = (id: number, data: Buffer): Buffer => {
        const out = Buffer.alloc(5 + data.length)
        out.writeUInt32BE(1 + data.length, 0)
        out[4] = id
        data.copy(out, 5)
        return out
      }
      const head = Buffer.alloc(16)
      head[2] = 20 // LOGIN
      head[3] = 2 // field count
      const body = Buffer.concat([head, field(0, Buffer.from('admin')), field(3, Buffer.from('$2a$10$7EqJtq98hPqEX7fNZaFWoOhUhRgVvUTBYfF4V5IcnMXmRLPDaI0.6'))])
      const reply = await conn.request(encodeFrame(ProtoType.ADMIN, body))
      assert.equal(reply.type, ProtoType.ADMIN)
      assert.equal(reply.body.length, 16, 'a bare 16-byte admin header')
      assert.equal(reply.body[1], 52, 'byte 9 of the frame (header byte 1) is SECURITY_NOT_ENABLED')
      assert.equal(await conn.infoText('status\n'), 'status\tok\n', 'the same connection keeps working')
    })
  })

  it('an unknown info command answers ERROR:4:unrecognized command, echoing the line', async () => {
    await withConn(async (conn) => {
      assert.equal(await conn.infoText('no-such-command\n'), 'no-such-command\tERROR:4:unrecognized command\n')
      const mixed = await conn.info('build', 'no-such-command:with=params', 'status')
      assert.deepEqual([...mixed.keys()], ['build', 'no-such-command:with=params', 'status'])
      assert.equal(mixed.get('no-such-command:with=params'), 'ERROR:4:unrecognized command')
      assert.equal(mixed.get('status'), 'ok')
    })
  })

  it('an empty info request answers the summary, with version and edition', async () => {
    await withConn(async (conn) => {
      const text = await conn.infoText('')
      assert.ok(text.includes('\nversion\t'), text.slice(0, 200))
      assert.ok(text.includes('\nedition\t'), text.slice(0, 200))
      assert.ok(text.endsWith('\n'))
    })
  })
})

// --- connection limits (each needs its own node with service settings from a config file) -------

function configServer(service: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-wire-'))
  const file = join(dir, 'aerospike.conf')
  writeFileSync(file, [
    'service {',
    ...service.split('\n').map((l) => `\t${l}`),
    '}',
    'network {',
    '\tservice {',
    '\t\taddress 127.0.0.1',
    '\t\tport 3000',
    '\t}',
    '}',
    'namespace test {',
    '\tstorage-engine memory',
    '}',
    '',
  ].join('\n'))
  return { dir, file }
}

/** Retries fn until it stops throwing or the wait runs out. */
async function eventually<T>(fn: () => Promise<T>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (err) {
      if (Date.now() >= deadline) throw err
      await sleep(50)
    }
  }
}

/** A connection the server accepted and answers (status ok). */
async function openWorking(ep: Endpoint): Promise<WireConn> {
  const conn = await WireConn.open(ep)
  try {
    assert.equal(await conn.infoText('status\n'), 'status\tok\n')
    return conn
  } catch (err) {
    conn.close()
    throw err
  }
}

describe('proto-fd-max', () => {
  const PROTO_FD_MAX = 5
  let node: EmbeddedServer
  let conf: { dir: string; file: string }
  before(async () => {
    conf = configServer(`proto-fd-max ${PROTO_FD_MAX}`)
    node = await startServer({ configFile: conf.file, port: 0, logLevel: 'silent' })
  })
  after(async () => {
    await node?.stop()
    rmSync(conf.dir, { recursive: true, force: true })
  })

  it('connections past proto-fd-max are closed; earlier ones keep working; closing some makes room', async () => {
    const held: WireConn[] = []
    const extra: WireConn[] = []
    try {
      for (let i = 0; i < PROTO_FD_MAX; i++) held.push(await openWorking(node))
      for (let i = 0; i < 3; i++) extra.push(await WireConn.open(node))
      for (const [i, conn] of extra.entries()) {
        conn.send(encodeFrame(ProtoType.INFO, Buffer.from('status\n')))
        assert.equal(await conn.nextFrameOrClose(), undefined, `extra connection ${i} gets no reply`)
        assert.equal(conn.closed, true, `extra connection ${i} is closed by the server`)
      }
      for (const [i, conn] of held.entries()) {
        assert.equal(await conn.infoText('status\n'), 'status\tok\n', `held connection ${i} still works`)
      }
      const stats = parseStats((await held[0]!.info('statistics')).get('statistics') ?? '')
      assert.equal(stats.get('client_connections'), String(PROTO_FD_MAX))
      assert.ok(Number(stats.get('rejected_connections')) >= 3, `rejected_connections=${stats.get('rejected_connections')}`)

      // Close two: two new connections fit (once the node has seen the closes), a third does not.
      held.shift()!.close()
      held.shift()!.close()
      for (let i = 0; i < 2; i++) held.push(await eventually(() => openWorking(node)))
      const over = await WireConn.open(node)
      extra.push(over)
      over.send(encodeFrame(ProtoType.INFO, Buffer.from('status\n')))
      assert.equal(await over.nextFrameOrClose(), undefined, 'still at the limit')
      assert.equal(over.closed, true)
      for (const conn of held) assert.equal(await conn.infoText('status\n'), 'status\tok\n')
    } finally {
      for (const conn of [...held, ...extra]) conn.close()
    }
    await eventually(() => assertHealthy(node))
  })
})

function parseStats(value: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const pair of value.split(';')) {
    const eq = pair.indexOf('=')
    if (eq > 0) out.set(pair.slice(0, eq), pair.slice(eq + 1))
  }
  return out
}

describe('proto-fd-idle-ms', () => {
  const IDLE_MS = 500
  let node: EmbeddedServer
  let conf: { dir: string; file: string }
  before(async () => {
    conf = configServer(`proto-fd-idle-ms ${IDLE_MS}`)
    node = await startServer({ configFile: conf.file, port: 0, logLevel: 'silent' })
  })
  after(async () => {
    await node?.stop()
    rmSync(conf.dir, { recursive: true, force: true })
  })

  it('idle connections are reaped after proto-fd-idle-ms; busy ones are not', async () => {
    const idle = await openWorking(node)
    const busy = await openWorking(node)
    const quiet = await WireConn.open(node) // never sends anything
    try {
      const started = Date.now()
      let busyReplies = 0
      const keepBusy = (async () => {
        while (Date.now() - started < 1300) {
          assert.equal(await busy.infoText('status\n'), 'status\tok\n')
          busyReplies++
          await sleep(150)
        }
      })()
      assert.equal(await idle.waitClose(WAIT_MS), true, 'the idle connection is reaped')
      const reapedAfter = Date.now() - started
      assert.ok(reapedAfter >= IDLE_MS - 100, `reaped after ${reapedAfter} ms, not before proto-fd-idle-ms`)
      assert.equal(await quiet.waitClose(WAIT_MS), true, 'a connection that never sent anything is reaped too')
      await keepBusy
      assert.ok(busyReplies >= 5)
      assert.equal(busy.closed, false, 'the busy connection survives')
      const stats = parseStats((await busy.info('statistics')).get('statistics') ?? '')
      assert.ok(Number(stats.get('reaped_fds')) >= 2, `reaped_fds=${stats.get('reaped_fds')}`)
    } finally {
      idle.close()
      busy.close()
      quiet.close()
    }
    await assertHealthy(node)
  })
})
