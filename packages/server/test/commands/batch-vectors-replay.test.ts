// Replays the batch trace recorded against Aerospike CE 8.1 (09_batch_get.jsonl) against a fresh
// node and compares every reply message: batchGet, batchExists and batchSelect rows (with their row
// index in transaction_ttl), then the LAST message. Frame boundaries may differ (both servers pack
// several messages per frame), so messages are compared, not frames; record_ttl is a clock-dependent
// void time and is compared as zero / non-zero only.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Info1, PROTO_HEADER_BYTES, ProtoType, decodeMessageAt, type Message } from '@aerolite/protocol'
import { protoTypeOf, readTrace, replayInTurn, traceSkip } from '../../../../test/wire/trace-replay.ts'

const TRACE = '09_batch_get'

function messagesOf(frameBody: Buffer): Message[] {
  const out: Message[] = []
  for (let at = 0; at < frameBody.length; ) {
    const { message, end } = decodeMessageAt(frameBody, at)
    out.push(message)
    at = end
  }
  return out
}

/** Everything a client sees of a reply message, with the void time reduced to zero / non-zero. */
function comparable(m: Message): unknown {
  return {
    info3: m.info3, resultCode: m.resultCode, generation: m.generation, expires: m.recordTtl !== 0, rowIndex: m.transactionTtl,
    fields: m.fields.map((f) => [f.type, f.data.toString('hex')]),
    ops: m.ops.map((o) => [o.type, o.particleType, o.name.toString(), o.value.toString('hex')]),
  }
}

const isBatch = (request: Buffer): boolean => (request[PROTO_HEADER_BYTES + 1]! & Info1.BATCH) !== 0

test(`replay ${TRACE}.jsonl`, { skip: traceSkip(TRACE), timeout: 20_000 }, async () => {
  const lines = readTrace(TRACE).filter((l) => !l.tend_info && protoTypeOf(l) !== ProtoType.INFO)
  let batches = 0
  await replayInTurn(lines, isBatch, ({ line, request, recorded, actual }) => {
    const ours = actual.flatMap((frame) => messagesOf(frame.body))
    assert.deepEqual(ours.map(comparable), recorded.flatMap(messagesOf).map(comparable), `reply to "${line.note}"`)
    if (isBatch(request)) batches++
  })
  assert.equal(batches, 3, 'batchGet, batchExists and batchSelect replayed')
})
