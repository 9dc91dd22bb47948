// Replays the list trace recorded against Aerospike CE 8.1 (07_list_ops.jsonl) against a fresh node
// and compares every reply byte for byte, masking only record_ttl (a clock-dependent void time)
// and transaction_ttl, as the vectors README says.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { maskTtls, readTrace, replayInLockstep, traceSkip } from '../../../../../test/wire/trace-replay.ts'

const TRACE = '07_list_ops'

test(`replay ${TRACE}.jsonl`, { skip: traceSkip(TRACE), timeout: 15_000 }, async () => {
  const { compared } = await replayInLockstep(readTrace(TRACE), ({ line, recorded, actual }) => {
    assert.equal(maskTtls(actual).toString('hex'), maskTtls(recorded).toString('hex'), `reply to "${line.note}" (seq ${line.seq})`)
  })
  assert.ok(compared >= 8, `${compared} replies compared`)
})
