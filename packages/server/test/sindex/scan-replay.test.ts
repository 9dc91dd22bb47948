// Replays /work/shared/vectors/10_scan.jsonl (recorded against Aerospike CE 8.1) against a fresh node.
// Single-record replies must match byte for byte (void time and transaction ttl masked, as in
// test/wire/vectors-replay). A scan's reply is a stream whose framing and record order depend on the
// real server's threads, so it is compared message by message: the same record messages (as a
// multiset, void time masked) and the same final LAST message.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Info3, MESSAGE_HEADER_BYTES, PROTO_HEADER_BYTES, ProtoType, decodeMessageAt } from '@aerolite/protocol'
import { maskTtls, protoTypeOf, readTrace, replayInTurn, traceSkip } from '../../../../test/wire/trace-replay.ts'

const TRACE = '10_scan'

/** The AS_MSG messages of a type-3 frame body, each with record_ttl and transaction_ttl zeroed. */
function messagesOf(body: Buffer): Buffer[] {
  const out: Buffer[] = []
  for (let at = 0; at < body.length; ) {
    const { end } = decodeMessageAt(body, at)
    out.push(maskTtls(body.subarray(at, end), 0))
    at = end
  }
  return out
}

const isScan = (request: Buffer): boolean => request.length > PROTO_HEADER_BYTES + MESSAGE_HEADER_BYTES && (request[PROTO_HEADER_BYTES + 3]! & Info3.PARTITION_DONE) !== 0

test(`replay ${TRACE}.jsonl`, { skip: traceSkip(TRACE), timeout: 15_000 }, async () => {
  const lines = readTrace(TRACE).filter((l) => !l.tend_info && protoTypeOf(l) === ProtoType.MESSAGE)
  let compared = 0
  await replayInTurn(lines, isScan, ({ line, request, recorded: recordedBodies, actual: frames }) => {
    for (const frame of frames) assert.equal(frame.type, ProtoType.MESSAGE, `seq ${line.seq}: reply type`)
    const recorded = recordedBodies.flatMap(messagesOf)
    const actual = frames.flatMap((frame) => messagesOf(frame.body))
    if (isScan(request)) {
      const sorted = (list: Buffer[]): string[] => list.slice(0, -1).map((m) => m.toString('hex')).sort()
      assert.deepEqual(sorted(actual), sorted(recorded), `seq ${line.seq} (${line.note}): record messages`)
      assert.deepEqual(actual[actual.length - 1], recorded[recorded.length - 1], `seq ${line.seq}: LAST message`)
    } else {
      assert.deepEqual(actual, recorded, `seq ${line.seq} (${line.note}): reply`)
    }
    compared++
  })
  assert.equal(compared, 22, 'every request of the trace was replayed')
})
