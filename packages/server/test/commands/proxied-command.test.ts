// A record command forwarded by another node (a proxy) takes the road a client's takes, including
// the wait for the Lua VM right after start (a proxied UDF once failed with 100 in CI: the master
// had just started and its VM was still compiling).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { FieldType, Info2, PROTO_HEADER_BYTES, decodeMessage, emptyHeader, encodeMessage, packValue } from '@aerolite/protocol'
import { executeProxiedCommand } from '../../src/commands/dispatch.ts'
import { realEnv } from '../../src/env/real-env.ts'
import { UdfRuntime } from '../../src/udf/runtime.ts'
import { commandsOf, keyFields, makeNamespace } from './harness.ts'

test('a proxied record UDF on a node whose Lua VM has not started yet waits for it and runs', async () => {
  const udf = new UdfRuntime(realEnv)
  const source = Buffer.from('function twice(rec, x) return x * 2 end')
  assert.equal(udf.put('twice.lua', source.toString('base64'), source), undefined)
  assert.equal(udf.isReady, false)
  const context = { ...commandsOf(makeNamespace()), udf }
  const body = encodeMessage({ ...emptyHeader(), info2: Info2.WRITE }, [
    ...keyFields('k'),
    { type: FieldType.UDF_PACKAGE_NAME, data: Buffer.from('twice') },
    { type: FieldType.UDF_FUNCTION, data: Buffer.from('twice') },
    { type: FieldType.UDF_ARGLIST, data: packValue([21]) },
  ], [])
  const { reply } = await executeProxiedCommand(decodeMessage(body), context, 1)
  const answer = decodeMessage(reply.subarray(PROTO_HEADER_BYTES))
  assert.equal(answer.resultCode, 0, String(answer.ops[0]?.value))
  assert.equal(String(answer.ops[0]?.name), 'SUCCESS')
  assert.equal(answer.ops[0]?.value.readBigInt64BE(0), 42n)
})
