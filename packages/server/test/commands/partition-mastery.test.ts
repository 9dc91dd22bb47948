// What a node in a cluster answers for the partitions of a scan, driven through dispatchMessage with
// a stand-in for the cluster's PartitionOwnership: listed partitions it does not serve come back as
// pid-done markers with PARTITION_UNAVAILABLE (11) and the partition id in the generation; a
// whole-namespace request walks only the mastered partitions and sends no marker; a partition that
// stops being served between frames ends with a marker after the records already sent.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  FieldType, Info1, Info2, Info3, OpType, PROTO_HEADER_BYTES, ParticleType, ResultCode, computeDigest, decodeMessageAt, emptyHeader,
  findField, partitionId, type Field, type Message,
} from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { runningJobsOf } from '../../src/commands/jobs.ts'
import type { PartitionMastery, PartitionOwnership } from '../../src/commands/partition-mastery.ts'
import { limits } from '../../src/limits.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { commandsOf, makeNamespace, put, write } from './harness.ts'

/** Keys of set 'demo' whose records fall in partition `pid`. */
function keysIn(pid: number, count: number): string[] {
  const keys: string[] = []
  for (let i = 0; keys.length < count; i++) {
    const key = `p${pid}-${i}`
    if (partitionId(computeDigest('demo', ParticleType.STRING, Buffer.from(key))) === pid) keys.push(key)
  }
  return keys
}

const PIDS = { master: 11, fullCopy: 12, elsewhere: 13, unsettled: 14 } as const

function filled(bytes = 8): Namespace {
  const ns = makeNamespace()
  for (const pid of Object.values(PIDS)) for (const key of keysIn(pid, 5)) put(ns, key, [write('v', ParticleType.BLOB, Buffer.alloc(bytes, pid))])
  return ns
}

function ownership(of: (pid: number) => PartitionMastery): PartitionOwnership {
  return { partitionMastery: (_ns, pid) => of(pid) }
}

const standing = (pid: number): PartitionMastery =>
  pid === PIDS.master ? 'master' : pid === PIDS.fullCopy ? 'full-copy' : pid === PIDS.unsettled ? 'unsettled' : 'elsewhere'

function scanMessage(pids: number[] | undefined): Message {
  const fields: Field[] = [{ type: FieldType.NAMESPACE, data: Buffer.from('test') }]
  if (pids !== undefined) {
    const data = Buffer.alloc(pids.length * 2)
    pids.forEach((pid, i) => data.writeUInt16LE(pid, i * 2))
    fields.push({ type: FieldType.PID_ARRAY, data })
  }
  return { ...emptyHeader(), info1: Info1.READ, info3: Info3.PARTITION_DONE, fields, ops: [] }
}

/** Every message of the stream; `afterFrame` runs as each frame arrives (before the node goes on). */
async function stream(ns: Namespace, message: Message, owner: PartitionOwnership | undefined, afterFrame: (n: number) => void = () => {}): Promise<Message[]> {
  const result = dispatchMessage(message, { ...commandsOf(ns), ownership: owner })
  assert.ok('stream' in result, 'a scan streams')
  const out: Message[] = []
  let frames = 0
  for await (const frame of result.stream({ aborted: () => false })) {
    const body = frame.subarray(PROTO_HEADER_BYTES)
    for (let at = 0; at < body.length;) {
      const { message: m, end } = decodeMessageAt(body, at)
      out.push(m)
      at = end
    }
    afterFrame(++frames)
  }
  return out
}

const recordPids = (messages: Message[]): number[] => messages.filter((m) => m.info3 === 0).map((m) => partitionId(findField(m, FieldType.DIGEST)!))
const markers = (messages: Message[]): Array<[number, number]> => messages.filter((m) => (m.info3 & Info3.PARTITION_DONE) !== 0).map((m) => [m.generation, m.resultCode])

test('listed partitions: served from the master or a full copy, the others answered unavailable', async () => {
  const ns = filled()
  const messages = await stream(ns, scanMessage(Object.values(PIDS)), ownership(standing))
  assert.deepEqual([...new Set(recordPids(messages))], [PIDS.master, PIDS.fullCopy])
  assert.equal(recordPids(messages).length, 10)
  assert.deepEqual(markers(messages), [[PIDS.elsewhere, ResultCode.PARTITION_UNAVAILABLE], [PIDS.unsettled, ResultCode.PARTITION_UNAVAILABLE]])
  const last = messages.at(-1)!
  assert.equal(last.info3 & Info3.LAST, Info3.LAST)
  assert.equal(last.resultCode, ResultCode.OK)
})

test('a resumed partition (DIGEST_ARRAY) that is not served is answered unavailable too', async () => {
  const ns = filled()
  const digest = computeDigest('demo', ParticleType.STRING, Buffer.from(keysIn(PIDS.elsewhere, 1)[0]!))
  const message = scanMessage([])
  message.fields.push({ type: FieldType.DIGEST_ARRAY, data: digest })
  const messages = await stream(ns, message, ownership(standing))
  assert.deepEqual(recordPids(messages), [])
  assert.deepEqual(markers(messages), [[PIDS.elsewhere, ResultCode.PARTITION_UNAVAILABLE]])
})

test('the whole namespace: mastered partitions only, no marker, an unsettled partition waited for', async () => {
  const ns = filled()
  let settled = false
  setTimeout(() => { settled = true }, 3 * limits.partitionSettlePollMs)
  const owner = ownership((pid) => (pid === PIDS.unsettled ? (settled ? 'master' : 'unsettled') : standing(pid)))
  const messages = await stream(ns, scanMessage(undefined), owner)
  assert.deepEqual([...new Set(recordPids(messages))].sort(), [PIDS.master, PIDS.unsettled])
  assert.deepEqual(markers(messages), [])
})

test('the whole namespace: a partition that never settles ends the request with TIMEOUT', { timeout: 10_000 }, async () => {
  const ns = filled()
  const messages = await stream(ns, scanMessage(undefined), ownership(standing))
  const last = messages.at(-1)!
  assert.equal(last.info3 & Info3.LAST, Info3.LAST)
  assert.equal(last.resultCode, ResultCode.TIMEOUT)
})

test('a listed partition no longer served between frames ends with a marker after the records sent', async () => {
  // Records big enough that the partition takes several frames.
  const ns = makeNamespace()
  const keys = keysIn(PIDS.master, 12)
  for (const key of keys) put(ns, key, [write('v', ParticleType.BLOB, Buffer.alloc(limits.streamFrameBytes / 4))])
  let served = true
  const messages = await stream(ns, scanMessage([PIDS.master]), ownership(() => (served ? 'master' : 'elsewhere')), () => { served = false })
  const sent = recordPids(messages).length
  assert.ok(sent > 0 && sent < keys.length, `some records before the move (${sent} of ${keys.length})`)
  assert.deepEqual(markers(messages), [[PIDS.master, ResultCode.PARTITION_UNAVAILABLE]])
  const markerAt = messages.findIndex((m) => (m.info3 & Info3.PARTITION_DONE) !== 0)
  assert.ok(messages.slice(markerAt + 1).every((m) => m.info3 === Info3.LAST), 'nothing of the partition after its marker')
})

test('a node in no cluster serves every partition, with no marker', async () => {
  const ns = filled()
  const messages = await stream(ns, scanMessage(Object.values(PIDS)), undefined)
  assert.equal(recordPids(messages).length, 20)
  assert.deepEqual(markers(messages), [])
})

test('a background job changes only the records of partitions this node masters', async () => {
  const ns = filled()
  const message: Message = {
    ...emptyHeader(), info2: Info2.WRITE, fields: [{ type: FieldType.NAMESPACE, data: Buffer.from('test') }, { type: FieldType.TASK_ID, data: Buffer.alloc(8, 7) }],
    ops: [{ type: OpType.WRITE, particleType: ParticleType.INTEGER, flags: 0, name: Buffer.from('job'), value: Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]) }],
  }
  let settled = false
  setTimeout(() => { settled = true }, 3 * limits.partitionSettlePollMs)
  const owner = ownership((pid) => (pid === PIDS.unsettled ? (settled ? 'master' : 'unsettled') : standing(pid)))
  dispatchMessage(message, { ...commandsOf(ns), ownership: owner })
  const deadline = Date.now() + 5000
  while (runningJobsOf(ns) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  assert.equal(runningJobsOf(ns), 0, 'the job finished')
  const withJobBin = new Set<number>()
  for (const m of await stream(ns, scanMessage(Object.values(PIDS)), undefined)) {
    if (m.info3 === 0 && m.ops.some((op) => op.name.toString('utf8') === 'job')) withJobBin.add(partitionId(findField(m, FieldType.DIGEST)!))
  }
  assert.deepEqual([...withJobBin].sort(), [PIDS.master, PIDS.unsettled])
})
