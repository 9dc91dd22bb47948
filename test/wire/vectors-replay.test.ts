// Replays the golden wire traces recorded against Aerospike CE 8.1 (/work/shared/vectors) against a
// fresh Aerolite node, one node per file, and compares every reply with the recorded one, masking
// only what the vectors README says legitimately differs (void time, node name, product names,
// namespace statistics, generations of the partition map and peers, the service port).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MESSAGE_HEADER_BYTES, PROTO_HEADER_BYTES, ProtoType, citrusleafSeconds, parseInfoCommand } from '@aerolite/protocol'
import { infoRows, maskTtls, readTrace, replayInLockstep, traceSkip, type VectorLine } from './trace-replay.ts'

const FILES = ['01_connect', '02_info', '03_put_get_exists_remove', '04_touch_ttl', '05_operate', '06_errors']

/** Seconds of slack between the recorded remaining TTL and ours. */
const TTL_SLACK_SECONDS = 3

interface Difference {
  seq: number
  conn: number
  note: string
  what: string
  recorded: string
  actual: string
}

// Offsets in a type-3 frame (proto header included).
const RESULT_AT = PROTO_HEADER_BYTES + 5
const RECORD_TTL_AT = PROTO_HEADER_BYTES + 10

/**
 * The recording's clock in void-time seconds, from the first write whose request carried an explicit
 * TTL and whose reply carried a void time: now = void time - ttl.
 */
function recordedNow(lines: readonly VectorLine[]): number | undefined {
  const pending = new Map<number, Buffer>()
  for (const line of lines) {
    const frame = Buffer.from(line.hex, 'hex')
    if (frame[1] !== ProtoType.MESSAGE) continue
    if (line.dir === 'c2s') {
      pending.set(line.conn, frame)
      continue
    }
    const request = pending.get(line.conn)
    if (request === undefined) continue
    const ttl = request.readUInt32BE(RECORD_TTL_AT)
    const isWrite = (request[PROTO_HEADER_BYTES + 2]! & 1) !== 0
    const voidTime = frame.readUInt32BE(RECORD_TTL_AT)
    if (isWrite && ttl > 0 && ttl < 0xfffffffd && voidTime !== 0) return voidTime - ttl
  }
  return undefined
}

const DECIMAL = /^\d+$/
const NO_PEERS = /^\d+,\d+,\[\]$/
const NODE_NAME = /^[0-9A-F]{1,16}$/
const BUILD = /^\d+\.\d+\.\d+(\.\d+)?$/

/** Compares one info value; returns a description of the mismatch, or undefined. */
function compareInfoValue(line: string, recorded: string, actual: string): string | undefined {
  const { name } = parseInfoCommand(line)
  switch (name) {
    case 'node':
      return NODE_NAME.test(actual) ? undefined : 'node name is not 1-16 upper-case hex digits'
    case 'build':
      return BUILD.test(actual) ? undefined : 'build is not an a.b.c[.d] version'
    case 'edition':
    case 'version':
      return actual.length > 0 ? undefined : `${name} is empty`
    case 'partition-generation':
    case 'peers-generation':
      return DECIMAL.test(actual) ? undefined : `${name} is not a number`
    case 'peers-clear-std':
    case 'peers-clear-alt':
    case 'peers-tls-std':
    case 'peers-tls-alt':
      if (!NO_PEERS.test(recorded)) return 'recorded value has peers (unexpected for a single node)'
      return NO_PEERS.test(actual) ? undefined : `${name} does not have the shape N,PORT,[]`
    case 'namespace':
      // Statistics depend on the server's state: only the shape key=value;... is checked.
      return /^[^=;]+=[^;]*(;[^=;]+=[^;]*)*$/.test(actual) ? undefined : 'namespace value is not key=value;...'
    default:
      return actual === recorded ? undefined : 'value differs'
  }
}

function compareInfo(recorded: Buffer, actual: Buffer): Array<{ what: string; recorded: string; actual: string }> {
  const out: Array<{ what: string; recorded: string; actual: string }> = []
  const rec = infoRows(recorded)
  const act = infoRows(actual)
  const recLines = rec.map(([line]) => line)
  const actLines = act.map(([line]) => line)
  if (JSON.stringify(recLines) !== JSON.stringify(actLines)) {
    out.push({ what: 'echoed command lines differ', recorded: JSON.stringify(recLines), actual: JSON.stringify(actLines) })
    return out
  }
  for (let i = 0; i < rec.length; i++) {
    const [line, recValue] = rec[i]!
    const actValue = act[i]![1]
    const problem = compareInfoValue(line, recValue, actValue)
    if (problem !== undefined) out.push({ what: `${line}: ${problem}`, recorded: recValue.slice(0, 300), actual: actValue.slice(0, 300) })
  }
  return out
}

/** Compares a type-3 reply byte for byte except record_ttl (void time) and transaction_ttl. */
function compareMessage(recorded: Buffer, actual: Buffer, recNow: number | undefined, ourNow: number): string[] {
  const problems: string[] = []
  if (actual.length < PROTO_HEADER_BYTES + MESSAGE_HEADER_BYTES) return [`reply of ${actual.length} bytes is shorter than a message header`]
  if (!maskTtls(recorded).equals(maskTtls(actual))) {
    if (recorded[RESULT_AT] !== actual[RESULT_AT]) problems.push(`result code ${actual[RESULT_AT]} (recorded ${recorded[RESULT_AT]})`)
    problems.push('bytes differ outside record_ttl/transaction_ttl')
  }
  const recVoid = recorded.readUInt32BE(RECORD_TTL_AT)
  const actVoid = actual.readUInt32BE(RECORD_TTL_AT)
  if ((recVoid === 0) !== (actVoid === 0)) {
    problems.push(`void time ${actVoid} (recorded ${recVoid}): one is 0 (never expires), the other is not`)
  } else if (recVoid !== 0 && recNow !== undefined) {
    const recordedLeft = recVoid - recNow
    const actualLeft = actVoid - ourNow
    if (Math.abs(recordedLeft - actualLeft) > TTL_SLACK_SECONDS) {
      problems.push(`remaining ttl ${actualLeft} s (recorded ${recordedLeft} s)`)
    }
  }
  return problems
}

for (const name of FILES) {
  test(`replay ${name}.jsonl`, { skip: traceSkip(name), timeout: 15_000 }, async (t) => {
    const lines = readTrace(name)
    const recNow = recordedNow(lines)
    const differences: Difference[] = []
    const { compared, connections } = await replayInLockstep(lines, ({ line, recorded: frame, actual, receivedAtMs }) => {
      const report = (what: string, recorded = line.hex, ours = actual.toString('hex')): void => {
        differences.push({ seq: line.seq, conn: line.conn, note: line.note, what, recorded, actual: ours })
      }
      if (actual[1] !== frame[1]) {
        report(`proto type ${actual[1]} (recorded ${frame[1]})`)
        return
      }
      if (frame[1] === ProtoType.INFO) {
        for (const d of compareInfo(frame.subarray(PROTO_HEADER_BYTES), actual.subarray(PROTO_HEADER_BYTES))) report(d.what, d.recorded, d.actual)
        // Informational: namespace statistics the real server reports that Aerolite does not.
        const rec = infoRows(frame.subarray(PROTO_HEADER_BYTES)).find(([l]) => l.startsWith('namespace/'))
        const act = infoRows(actual.subarray(PROTO_HEADER_BYTES)).find(([l]) => l.startsWith('namespace/'))
        if (rec !== undefined && act !== undefined) {
          const keys = (v: string): Set<string> => new Set(v.split(';').map((kv) => kv.split('=')[0]!))
          const ourKeys = keys(act[1])
          const missing = [...keys(rec[1])].filter((k) => !ourKeys.has(k))
          t.diagnostic(`${rec[0]}: ${ourKeys.size} keys; ${missing.length} keys of the real server absent (masked): ${missing.slice(0, 15).join(', ')}${missing.length > 15 ? ', ...' : ''}`)
        }
      } else if (frame[1] === ProtoType.MESSAGE) {
        for (const problem of compareMessage(frame, actual, recNow, citrusleafSeconds(receivedAtMs))) report(problem)
      } else if (!frame.equals(actual)) {
        report('frame differs')
      }
    })
    t.diagnostic(`${compared} replies compared over ${connections} connection(s)`)
    for (const d of differences) {
      t.diagnostic(`DIFF seq ${d.seq} conn ${d.conn} (${d.note}): ${d.what}\n  recorded ${d.recorded}\n  actual   ${d.actual}`)
    }
    assert.ok(compared > 0, 'the file has replies to compare')
    assert.deepEqual(differences, [], `${differences.length} reply frame(s) differ from the recording`)
  })
}
