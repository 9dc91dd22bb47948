// Background work stays bounded: truncation and eviction run a slice of partitions per turn,
// background jobs and a connection's waiting frames have limits, with Aerospike's answers past them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import pino from 'pino'
import { FieldType, Info3, ParticleType, ResultCode, decodeMessage, partitionId } from '@aerolite/protocol'
import { defaultNamespaceConfig, type NamespaceConfig } from '../../src/config/index.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { Evictor } from '../../src/namespace/eviction.ts'
import { ExpirySweeper } from '../../src/namespace/nsup.ts'
import { realScheduler } from '../../src/env/real-env.ts'
import type { Scheduler } from '../../src/env/env.ts'
import { limits } from '../../src/limits.ts'
import { queryAbortAll } from '../../src/commands/jobs.ts'
import type { NodeContext } from '../../src/info/context.ts'
import { connectionUnderTest } from '../service/connection-harness.ts'
import { headerReply } from '../../src/commands/reply.ts'
import { envWithWallClock, get, put, write } from '../commands/harness.ts'
import { backgroundHeader, getRecord, putRecord, query, queryMessage, runStream } from '../sindex/query-harness.ts'

/** Node's scheduler, counting the turns long work yields. */
function countingScheduler(): Scheduler & { yields: number } {
  const scheduler = {
    ...realScheduler,
    yields: 0,
    yieldTurn(): Promise<void> {
      scheduler.yields++
      return realScheduler.yieldTurn()
    },
  }
  return scheduler
}

function namespaceWith(scheduler: Scheduler, tune: (c: NamespaceConfig) => void = () => {}, clock = { nowMs: () => Date.now() }): Namespace {
  const config = defaultNamespaceConfig('test')
  tune(config)
  return new Namespace(config, { ...envWithWallClock(clock), scheduler })
}

test('truncate hides the records before its cutoff at once, sweeps them over several turns, and keeps later writes', async () => {
  const scheduler = countingScheduler()
  let nowMs = Date.UTC(2026, 0, 1)
  const ns = namespaceWith(scheduler, () => {}, { nowMs: () => nowMs })
  for (let i = 0; i < 500; i++) putRecord(ns, `old${i}`, { i })
  putRecord(ns, 'other', { i: 1 }, 'elsewhere')
  nowMs += 10
  ns.truncate('demo', nowMs)
  // Answered before the sweep: nothing removed yet, but nothing before the cutoff is visible.
  assert.equal(ns.truncation.sweeping, true)
  assert.equal(ns.objects, 501)
  assert.equal(getRecord(ns, 'old7').resultCode, ResultCode.RECORD_NOT_FOUND)
  assert.deepEqual((await query(ns, { set: 'demo' })).keys, [])
  // Written after the cutoff, while the sweep runs: it survives the sweep.
  nowMs += 10
  assert.equal(putRecord(ns, 'old3', { i: 33 }).resultCode, ResultCode.OK)
  assert.equal(putRecord(ns, 'new', { i: 2 }).resultCode, ResultCode.OK)
  assert.deepEqual((await query(ns, { set: 'demo' })).keys, ['new', 'old3'])
  await ns.truncation.whenDone()
  assert.equal(ns.truncation.sweeping, false)
  assert.ok(scheduler.yields >= limits.partitions / limits.truncatePartitionsPerTurn, `${scheduler.yields} turns`)
  assert.equal(ns.objects, 3)
  assert.equal(ns.sets.get('demo')!.objects, 2)
  assert.equal(ns.counters.truncatedRecords, 499)
  assert.equal(getRecord(ns, 'old3').resultCode, ResultCode.OK)
  assert.equal(getRecord(ns, 'other', 'elsewhere').resultCode, ResultCode.OK)
})

test('a truncate during a sweep hides its records at once and the sweep walks again', async () => {
  let nowMs = Date.UTC(2026, 0, 1)
  const ns = namespaceWith(realScheduler, () => {}, { nowMs: () => nowMs })
  for (let i = 0; i < 100; i++) putRecord(ns, `a${i}`, { i }, 'a')
  for (let i = 0; i < 100; i++) putRecord(ns, `b${i}`, { i }, 'b')
  nowMs += 10
  ns.truncate('a', nowMs)
  await realScheduler.yieldTurn()
  ns.truncate(undefined, nowMs)
  assert.equal(getRecord(ns, 'b5', 'b').resultCode, ResultCode.RECORD_NOT_FOUND)
  await ns.truncation.whenDone()
  assert.equal(ns.objects, 0)
})

test('eviction picks its cutoff from a void-time histogram and removes partition by partition over several turns', async () => {
  const scheduler = countingScheduler()
  const ns = namespaceWith(scheduler, (c) => {
    c.evictHistBuckets = 100
    c.storage.dataSizeBytes = 16 * 1024 * 1024
    c.storage.writeBlockSizeBytes = 64 * 1024
  })
  const blob = Buffer.alloc(1000, 7)
  const count = 3000
  // TTLs spread over 3000 s: the histogram's buckets are 30 s wide.
  for (let i = 0; i < count; i++) assert.equal(put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob)], { recordTtl: 10_000 + i }).resultCode, ResultCode.OK)
  const usedPct = ns.usedPct()
  ns.config.storage.evictUsedPct = Math.floor(usedPct * 0.7)
  const wanted = Math.ceil(((ns.blocks.liveBytes - (ns.config.storage.dataSizeBytes * ns.config.storage.evictUsedPct) / 100) / ns.blocks.liveBytes) * count)
  const evicted = await new Evictor(ns, pino({ level: 'silent' }), scheduler).evictIfNeeded()
  // Whole buckets go: at least the share asked for, at most one bucket more.
  assert.ok(evicted >= wanted && evicted <= wanted + 31, `evicted ${evicted}, wanted ${wanted}`)
  assert.equal(ns.counters.evictedObjects, evicted)
  assert.ok(ns.usedPct() < ns.config.storage.evictUsedPct)
  // The records nearest expiry went, the others stayed.
  for (let i = 0; i < count; i += 7) {
    if (i < wanted) assert.equal(get(ns, `k${i}`).resultCode, ResultCode.RECORD_NOT_FOUND, `k${i}`)
    else if (i >= evicted + 2) assert.equal(get(ns, `k${i}`).resultCode, ResultCode.OK, `k${i}`)
  }
  assert.ok(ns.evictVoidTime > 0)
  // Three walks (lowest and highest, histogram, removal), each a slice of partitions per turn.
  assert.ok(scheduler.yields >= (3 * limits.partitions) / limits.evictPartitionsPerTurn, `${scheduler.yields} turns`)
})

test('in a cluster, expiry and eviction touch only the partitions this node masters', async () => {
  let nowMs = Date.UTC(2026, 0, 1)
  const filled = (): Namespace => {
    const ns = namespaceWith(realScheduler, (c) => {
      c.storage.dataSizeBytes = 16 * 1024 * 1024
      c.storage.writeBlockSizeBytes = 64 * 1024
    }, { nowMs: () => nowMs })
    const blob = Buffer.alloc(1000, 7)
    for (let i = 0; i < 400; i++) assert.equal(put(ns, `k${i}`, [write('b', ParticleType.BLOB, blob)], { recordTtl: 100 + i }).resultCode, ResultCode.OK)
    // Even partitions are mastered here; the others' masters remove their records and replicate.
    ns.mastersPartition = (pid) => pid % 2 === 0
    return ns
  }
  const leftPartitions = (ns: Namespace): number[] => {
    const digest = Buffer.alloc(20)
    const pids: number[] = []
    for (let pid = 0; pid < limits.partitions; pid++) {
      for (const id of ns.entriesOf(pid)) {
        ns.digestInto(id, digest)
        pids.push(partitionId(digest))
      }
    }
    return pids
  }
  const evicting = filled()
  const elsewhere = (ns: Namespace): number => leftPartitions(ns).filter((pid) => pid % 2 === 1).length
  const elsewhereBefore = elsewhere(evicting)
  evicting.config.storage.evictUsedPct = Math.floor(evicting.usedPct() * 0.5)
  const evicted = await new Evictor(evicting, pino({ level: 'silent' }), realScheduler).evictIfNeeded()
  assert.ok(evicted > 0, `evicted ${evicted}`)
  const expiring = filled()
  nowMs += 1000 * 1000
  const expired = await new ExpirySweeper(expiring, pino({ level: 'silent' })).sweep()
  assert.ok(expired > 0, `expired ${expired}`)
  for (const ns of [evicting, expiring]) {
    const left = leftPartitions(ns)
    assert.ok(left.some((pid) => pid % 2 === 1), 'records of partitions mastered elsewhere are left')
  }
  assert.ok(leftPartitions(expiring).every((pid) => pid % 2 === 1), 'no expired record of a mastered partition is left')
  assert.equal(elsewhere(evicting), elsewhereBefore, 'eviction left the partitions mastered elsewhere alone')
})

test(`past ${limits.maxRunningJobsPerNamespace} running background jobs a new one fails with FAIL_FORBIDDEN`, async () => {
  const ns = namespaceWith(realScheduler)
  for (let i = 0; i < 5; i++) putRecord(ns, `r${i}`, { i })
  const op = { type: 2, particleType: ParticleType.INTEGER, name: 'tag', value: Buffer.alloc(8) }
  // One record per second: each job runs for a while.
  const rps = Buffer.alloc(4)
  rps.writeUInt32BE(1)
  const slowJob = () => queryMessage({ set: 'demo', extraFields: [{ type: FieldType.RECORDS_PER_SECOND, data: rps }] }, backgroundHeader, [op])
  for (let i = 0; i < limits.maxRunningJobsPerNamespace; i++) {
    const started = await runStream(ns, slowJob())
    assert.equal(started[0]!.resultCode, ResultCode.OK)
  }
  const refused = await runStream(ns, slowJob())
  assert.equal(refused[0]!.resultCode, ResultCode.FAIL_FORBIDDEN)
  assert.equal(refused[0]!.info3 & Info3.LAST, Info3.LAST)
  const ctx = { namespaces: new Map([['test', ns]]) } as unknown as NodeContext
  assert.match(queryAbortAll(ctx), new RegExp(`killed: ${limits.maxRunningJobsPerNamespace}`))
  assert.equal((await runStream(ns, slowJob()))[0]!.resultCode, ResultCode.OK)
  queryAbortAll(ctx)
})

test('a connection busy with a stream stops reading past its frame queue bound, then answers every frame', async () => {
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  let maxQueued = 0
  let first = true
  const under = await connectionUnderTest({
    info: () => Buffer.alloc(0),
    message: () => {
      if (!first) return { reply: headerReply(ResultCode.OK) }
      first = false
      // A stream that ends only when the test says so; the frames after it wait meanwhile.
      return { stream: async function* () { await released; yield headerReply(ResultCode.OK) } }
    },
  })
  const total = 20_000
  under.send(total)
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 10))
    maxQueued = Math.max(maxQueued, under.connection()?.queuedFrames ?? 0)
  }
  // The bound, plus at most the frames of one read (64 KiB of 30-byte frames).
  assert.ok(maxQueued >= limits.maxQueuedFramesPerConnection && maxQueued < limits.maxQueuedFramesPerConnection + 2300, `${maxQueued} frames queued`)
  release()
  await under.untilFrames(total, 10_000)
  under.close()
  assert.equal(under.frames.length, total)
  assert.ok(under.frames.every((f) => decodeMessage(f.body).resultCode === ResultCode.OK))
})
