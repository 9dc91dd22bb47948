import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle } from '@aerolite/protocol'
import { defaultNamespaceConfig } from '../../src/config/index.ts'
import { Namespace, type NewVersion } from '../../src/namespace/namespace.ts'
import { readBins } from '../../src/record/layout.ts'
import { limits } from '../../src/limits.ts'
import { BLOCK_HEADER_BYTES } from '../../src/storage/block-format.ts'
import { defragBlock } from '../../src/storage/defrag.ts'
import { expirePartition } from '../../src/namespace/nsup.ts'
import { envWithWallClock } from '../commands/harness.ts'

class ManualClock {
  ms = Date.UTC(2026, 0, 1)
  nowMs(): number {
    return this.ms
  }
}

function setup(blockBytes = 64 * 1024) {
  const config = defaultNamespaceConfig('test')
  config.storage.writeBlockSizeBytes = blockBytes
  const clock = new ManualClock()
  const ns = new Namespace(config, envWithWallClock(clock))
  const set = ns.sets.getOrCreate('demo')!
  const put = (key: number, value: number, voidTime = 0): Buffer => {
    const digest = computeDigest('demo', ParticleType.INTEGER, integerParticle(key))
    const version: NewVersion = {
      generation: 1, voidTime, lastUpdateMs: clock.ms, setId: set.id, key: undefined,
      bins: [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(value) }],
    }
    ns.store(digest, ns.findAny(digest), version, 'client')
    return digest
  }
  const valueOf = (digest: Buffer): number | undefined => {
    const id = ns.find(digest)
    if (id < 0) return undefined
    const { buf, at } = ns.location(id)
    return Number(readBins(buf, at)[0]!.value.readBigInt64BE(0))
  }
  return { ns, clock, set, put, valueOf }
}

const allPartitions = (fn: (pid: number) => number): number => {
  let n = 0
  for (let pid = 0; pid < limits.partitions; pid++) n += fn(pid)
  return n
}

describe('Namespace', () => {
  it('stores, overwrites and removes records, keeping set counters exact', () => {
    const { ns, set, put, valueOf } = setup()
    const d1 = put(1, 10)
    put(2, 20)
    put(1, 11)
    assert.equal(ns.objects, 2)
    assert.equal(set.objects, 2)
    assert.equal(valueOf(d1), 11)
    ns.remove(ns.find(d1), d1, 'client')
    assert.equal(valueOf(d1), undefined)
    assert.equal(set.objects, 1)
    assert.equal(set.dataUsedBytes, ns.blocks.liveBytes)
  })

  it('hides expired records at once and the sweep removes them', () => {
    const { ns, clock, put, valueOf } = setup()
    const now = ns.nowVoidTime()
    const shortLived = put(1, 1, now + 10)
    const forever = put(2, 2, 0)
    assert.equal(valueOf(shortLived), 1)
    clock.ms += 10_000
    // Aerospike expires once the void time is past, not during its own second.
    assert.equal(valueOf(shortLived), 1)
    clock.ms += 1_000
    assert.equal(valueOf(shortLived), undefined)
    assert.equal(ns.objects, 2)
    assert.equal(allPartitions((pid) => expirePartition(ns, pid)), 1)
    assert.equal(ns.objects, 1)
    assert.equal(ns.counters.expiredObjects, 1)
    assert.equal(valueOf(forever), 2)
  })

  it('truncates only records last updated before the cutoff', async () => {
    const { ns, clock, put, valueOf } = setup()
    const old = put(1, 1)
    clock.ms += 1
    const cutoff = clock.ms
    clock.ms += 1000
    const fresh = put(2, 2)
    ns.truncate('demo', cutoff)
    await ns.truncation.whenDone()
    assert.equal(ns.counters.truncatedRecords, 1)
    assert.equal(valueOf(old), undefined)
    assert.equal(valueOf(fresh), 2)
  })

  it('defrag moves live records out of sparse blocks and frees them, keeping every value', () => {
    const { ns, put, valueOf } = setup(4096)
    const digests: Buffer[] = []
    for (let i = 0; i < 400; i++) digests.push(put(i, i))
    // Overwrite most records so early blocks become sparse.
    for (let i = 0; i < 400; i++) if (i % 5 !== 0) put(i, i + 1000)
    const before = ns.blocks.blocksInUse
    for (const block of ns.blocks.sparseBlocks(50)) defragBlock(ns, block, ns.blocks.buffer(block), ns.blocks.seqOf(block))
    assert.ok(ns.blocks.blocksInUse < before, `blocks ${before} -> ${ns.blocks.blocksInUse}`)
    assert.ok(ns.counters.defragWrites > 0)
    for (let i = 0; i < 400; i++) assert.equal(valueOf(digests[i]!), i % 5 === 0 ? i : i + 1000)
    assert.deepEqual(ns.blocks.sparseBlocks(50).length <= 1, true)
  })

  it('defrag in slices of a byte budget, with writes in between, frees the block and keeps every value', () => {
    const { ns, put, valueOf } = setup(4096)
    const digests: Buffer[] = []
    for (let i = 0; i < 400; i++) digests.push(put(i, i))
    for (let i = 0; i < 400; i++) if (i % 5 !== 0) put(i, i + 1000)
    const [block] = ns.blocks.sparseBlocks(50)
    assert.ok(block !== undefined)
    const seq = ns.blocks.seqOf(block)
    let slices = 0
    for (let at = BLOCK_HEADER_BYTES, turn = 0; at >= 0; turn++) {
      at = defragBlock(ns, block, ns.blocks.buffer(block), seq, at, 100)
      slices++
      // A client write between slices moves one of the block's records away first.
      if (turn === 0) put(0, 7)
    }
    assert.ok(slices > 1, `one slice of 100 bytes cannot empty a block (${slices})`)
    assert.equal(ns.blocks.isAllocated(block) && ns.blocks.seqOf(block) === seq, false)
    for (let i = 0; i < 400; i++) assert.equal(valueOf(digests[i]!), i === 0 ? 7 : i % 5 === 0 ? i : i + 1000)
  })

  it('keeps memory bounded under a sustained overwrite load with defrag', () => {
    const { ns, put } = setup(4096)
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 100; i++) put(i, round)
      for (const block of ns.blocks.sparseBlocks(50)) defragBlock(ns, block, ns.blocks.buffer(block), ns.blocks.seqOf(block))
    }
    // 100 live records of ~60 bytes: a handful of 4 KiB blocks, not 50 rounds' worth.
    assert.ok(ns.blocks.allocatedBytes <= 4 * ns.blocks.liveBytes + 2 * 4096, `allocated ${ns.blocks.allocatedBytes} for live ${ns.blocks.liveBytes}`)
  })
})
