// Replays the UDF trace recorded against Aerospike CE 8.1 (12_udf.jsonl: udf-put, udf-list polling,
// apply add_bins / echo / a missing function, get, remove, udf-remove) against a fresh node and
// compares every reply: info values exactly (the udf-list hash too) except the node name and map
// generations; messages byte for byte except record_ttl and transaction_ttl.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PROTO_HEADER_BYTES, ProtoType } from '@aerolite/protocol'
import { infoRows, maskTtls, readTrace, replayInLockstep, traceSkip } from '../../../../test/wire/trace-replay.ts'

const TRACE = '12_udf'
/** Info values that legitimately differ between nodes. */
const MASKED_INFO = new Set(['node', 'peers-generation', 'partition-generation'])

test(`replay ${TRACE}.jsonl`, { skip: traceSkip(TRACE), timeout: 15_000 }, async () => {
  const differences: string[] = []
  const { compared } = await replayInLockstep(readTrace(TRACE), ({ line, recorded: frame, actual: ours }) => {
    const where = `seq ${line.seq} (${line.note})`
    if (frame[1] === ProtoType.INFO) {
      const recorded = infoRows(frame.subarray(PROTO_HEADER_BYTES))
      const actual = infoRows(ours.subarray(PROTO_HEADER_BYTES))
      assert.equal(actual.length, recorded.length, `${where}: number of info rows`)
      recorded.forEach(([name, value], i) => {
        const [ourName, ourValue] = actual[i]!
        if (ourName !== name) differences.push(`${where}: row ${i} is ${ourName}, recorded ${name}`)
        else if (!MASKED_INFO.has(name) && ourValue !== value) differences.push(`${where}: ${name.slice(0, 40)} = ${ourValue.slice(0, 120)}, recorded ${value.slice(0, 120)}`)
      })
    } else if (!maskTtls(frame).equals(maskTtls(ours))) {
      differences.push(`${where}: recorded ${line.hex}, actual ${ours.toString('hex')}`)
    }
  })
  assert.ok(compared >= 10, 'the trace has replies to compare')
  assert.deepEqual(differences, [])
})
