// Record UDFs through the official client: module registration, the Lua types and record API,
// failures (result 100 with the FAILURE message), the sandbox limits, and malformed requests.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { startClientNode, type ClientNode } from '../official-client.ts'
import { FieldType, Info2, ResultCode } from '@aerolite/protocol'
import { WireConn, decodeReply, keyFields, messageFrame } from '../../../../test/wire/wire-helpers.ts'

const Aerospike = createRequire(import.meta.url)('aerospike')
const MODULE_FILE = fileURLToPath(new URL('./modules/udf_test.lua', import.meta.url))

let node: ClientNode
let server: ClientNode['server']
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let client: any

before(async () => {
  node = await startClientNode()
  ;({ server, client } = node)
  const job = await client.udfRegister(MODULE_FILE)
  await job.wait(10)
})

after(async () => {
  await node?.stop()
})

async function infoText(command: string): Promise<string> {
  try {
    return await client.infoAny(command)
  } catch (err) {
    return (err as Error).message
  }
}

let keyCount = 0
function freshKey(): unknown {
  return new Aerospike.Key('test', 'udf', `apply-${keyCount++}`)
}

function apply(key: unknown, funcname: string, ...args: unknown[]): Promise<unknown> {
  return client.apply(key, { module: 'udf_test', funcname, args })
}

async function udfError(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise
  } catch (err) {
    return err as { code: number; message: string }
  }
  assert.fail('the apply should have failed')
}

test('returns values of every type', async () => {
  const key = freshKey()
  await client.put(key, { foo: 'bar' })
  assert.deepEqual(await apply(key, 'types'), { a: 1, l: [1, 'two', 3.5, true, Buffer.alloc(0)] })
  assert.deepEqual(await apply(key, 'bytes_ops'), Buffer.from([0, 0, 1, 2, 0x68, 0x69]))
  assert.equal(String(await apply(key, 'geo')), '{"type":"Point","coordinates":[1,2]}')
  assert.equal(await apply(key, 'ret', 1.5), 1.5)
  assert.equal(await apply(key, 'ret', 'hi'), 'hi')
  assert.deepEqual(await apply(key, 'ret', [1, [2, 'x'], { k: 'v' }]), [1, [2, 'x'], { k: 'v' }])
  assert.equal(await apply(key, 'ret'), null)
  assert.equal(await apply(key, 'logs'), 1)
})

test('reads and writes the record through aerospike:create/update/remove', async () => {
  const key = freshKey()
  assert.equal(await apply(key, 'incr', 'n', 2), 2)
  assert.equal(await apply(key, 'incr', 'n', 3), 5)
  assert.equal(await apply(key, 'append_to', 'l', 'x'), 1)
  assert.equal(await apply(key, 'append_to', 'l', 'y'), 2)
  const record = await client.get(key)
  assert.deepEqual(record.bins, { n: 5, l: ['x', 'y'] })
  assert.equal(record.gen, 4)
  assert.equal(await apply(key, 'create_existing'), 1)
  assert.equal(await apply(key, 'set_without_update'), 0)
  assert.equal((await client.get(key)).gen, 4, 'a bin set without update is not stored')
  assert.equal(await apply(key, 'remove'), 0)
  assert.equal(await client.exists(key), false)
})

test('record metadata and TTL', async () => {
  const key = freshKey()
  await client.put(key, { a: 1, m: { x: 1, y: 2 } }, { ttl: 1000 })
  const meta = await apply(key, 'meta') as Record<string, unknown>
  assert.equal(meta.gen, 1)
  assert.equal(meta.set, 'udf')
  assert.equal(meta.n, 2)
  assert.deepEqual(meta.names, ['a', 'm'])
  assert.equal(meta.digest, 20)
  assert.ok((meta.ttl as number) > 990 && (meta.ttl as number) <= 1000)
  assert.equal(await apply(key, 'map_sum', 'm'), 3)
  assert.equal(await apply(key, 'touch_ttl', 5000), 0)
  const record = await client.get(key)
  assert.ok(record.ttl > 4990 && record.ttl <= 5000)
  assert.equal(record.gen, 2)
})

test('failures answer 100 with Aerospike-style messages and change nothing', async () => {
  const key = freshKey()
  await client.put(key, { a: 0 })
  const cases: Array<[string, RegExp]> = [
    ['boom', /^\/opt\/aerospike\/usr\/udf\/lua\/udf_test\.lua:\d+: boom$/],
    ['boom_table', /^result value type unexpected$/],
    ['write_then_fail', /udf_test\.lua:\d+: late$/],
    ['long_bin', /longer than 15 bytes/],
    ['no_such_function', /^function not found$/],
  ]
  for (const [fn, message] of cases) {
    const err = await udfError(apply(key, fn))
    assert.equal(err.code, Aerospike.status.ERR_UDF, fn)
    assert.match(err.message, message, fn)
  }
  const missingModule = await udfError(client.apply(key, { module: 'no_such_module', funcname: 'f', args: [] }))
  assert.equal(missingModule.code, Aerospike.status.ERR_UDF)
  const record = await client.get(key)
  assert.deepEqual(record.bins, { a: 0 })
  assert.equal(record.gen, 1)
})

test('the sandbox stops runaway functions and the node keeps serving', async () => {
  const key = freshKey()
  await client.put(key, { a: 1 })
  const loop = await udfError(apply(key, 'loop'))
  assert.equal(loop.code, Aerospike.status.ERR_UDF)
  assert.match(loop.message, /UDF Execution Timeout/)
  // Allocation is slow under WebAssembly: the call may end on its time limit before its memory limit.
  const hog = await udfError(client.apply(key, { module: 'udf_test', funcname: 'hog', args: [] }, new Aerospike.ApplyPolicy({ totalTimeout: 5000 })))
  assert.equal(hog.code, Aerospike.status.ERR_UDF)
  assert.match(hog.message, /not enough memory|UDF Execution Timeout/)
  const sandbox = await apply(key, 'sandbox') as Record<string, string>
  assert.deepEqual({ ...sandbox }, { io: 'nil', os_execute: 'nil', dofile: 'nil', package: 'nil', debug_lib: 'function' })
  assert.deepEqual((await client.get(key)).bins, { a: 1 })
  assert.equal(await apply(key, 'ret', 7), 7)
})

test('udf-put refuses a module that does not compile; udf-get and udf-list report modules', async () => {
  const content = Buffer.from('function broken(\n  return 1\nend\n').toString('base64')
  // The client turns an error= reply into an error carrying the reply text.
  const reply = await infoText(`udf-put:filename=broken.lua;content=${content};content-len=${content.length};udf-type=LUA;`)
  const value = reply.replace(/^.*\t/, '').replace(/ from [\d.:]+$/, '').trim()
  const fields = new Map(value.split(';').map((kv) => kv.split('=', 2) as [string, string]))
  assert.equal(fields.get('error'), 'compile_error')
  assert.equal(fields.get('file'), 'broken.lua')
  assert.equal(fields.get('line'), '2')
  // The client decodes the base64 message for the error text.
  assert.match(value, /message=.*expected near 'return'/)
  const list: string = await client.infoAny('udf-list')
  assert.match(list, /filename=udf_test\.lua,hash=[0-9a-f]{40},type=LUA;/)
  assert.doesNotMatch(list, /broken\.lua/)
  const get: string = await client.infoAny('udf-get:filename=udf_test.lua')
  assert.match(get, /\ttype=LUA;content=[A-Za-z0-9+/=]+;/)
  assert.match(await infoText('udf-get:filename=nope.lua'), /error=not_found/)
  for (const bad of ['udf-put:filename=x;content=AAAA;content-len=4', 'udf-put:filename=x.lua;content=AAAA;content-len=5',
    'udf-put:filename=x.lua;content=AAA*;content-len=4', 'udf-put:filename=x.lua;content=AAAA;content-len=4;udf-type=PYTHON']) {
    assert.match(await infoText(bad), /error=invalid_/, bad)
  }
})

test('malformed apply requests get a result code and leave the node serving', { timeout: 20_000 }, async () => {
  const conn = await WireConn.open(server)
  try {
    const spec = { namespace: 'test', set: 'udf', key: 'wire-fuzz' }
    const applyFrame = (fields: Array<{ type: number; data: Buffer }>): Buffer => messageFrame({ info2: Info2.WRITE, transactionTtl: 1000 }, [...keyFields(spec), ...fields])
    const udfFields = (module: Buffer, fn: Buffer, args: Buffer): Array<{ type: number; data: Buffer }> => [
      { type: FieldType.UDF_PACKAGE_NAME, data: module },
      { type: FieldType.UDF_FUNCTION, data: fn },
      { type: FieldType.UDF_ARGLIST, data: args },
    ]
    const noArgs = decodeReply(await conn.request(applyFrame(udfFields(Buffer.from('udf_test'), Buffer.from('ret'), Buffer.of(0x01)))))
    assert.equal(noArgs.resultCode, ResultCode.PARAMETER_ERROR, 'an argument list that is not an array')
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 40 }), fc.constantFrom('ret', 'types', 'incr', 'append_to', 'meta'), async (args, fn) => {
      const reply = decodeReply(await conn.request(applyFrame(udfFields(Buffer.from('udf_test'), Buffer.from(fn), Buffer.from(args)))))
      const accepted: number[] = [ResultCode.OK, ResultCode.PARAMETER_ERROR, ResultCode.UDF_ERROR!, ResultCode.BIN_TYPE_ERROR]
      assert.ok(accepted.includes(reply.resultCode), `result ${reply.resultCode}`)
    }), { numRuns: 200, interruptAfterTimeLimit: 5000 })
    assert.equal(await apply(freshKey(), 'ret', 3), 3)
  } finally {
    conn.close()
  }
})
