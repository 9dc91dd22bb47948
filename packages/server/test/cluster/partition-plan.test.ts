import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PARTITION_COUNT } from '@aerolite/protocol'
import { PartitionPlan, newPartitionBits, setBit, type CopyReport, type Ownership } from '../../src/cluster/partition-plan.ts'

/** Succession order rotated by partition id: partition p starts at member p mod n. */
function rotating(memberCount: number, replicationFactor: number): Ownership {
  return {
    members: Array.from({ length: memberCount }),
    replicationFactor: Math.min(replicationFactor, memberCount),
    succession: (pid) => Array.from({ length: memberCount }, (_, i) => (pid + i) % memberCount),
  }
}

function report(options: { full?: boolean; hasData?: boolean; dirty?: boolean } = {}): CopyReport {
  const bits = (on: boolean | undefined) => {
    const b = newPartitionBits()
    if (on === true) for (let pid = 0; pid < PARTITION_COUNT; pid++) setBit(b, pid, true)
    return b
  }
  return { full: bits(options.full), hasData: bits(options.hasData ?? options.full), dirty: bits(options.dirty) }
}

describe('partition plan', () => {
  it('a fresh cluster: nothing anywhere, so every owner is full at once and nothing moves', () => {
    const plan = new PartitionPlan(rotating(3, 2), [report(), report(), report()])
    for (const pid of [0, 1, 2, 4095]) {
      assert.equal(plan.master(pid), pid % 3)
      assert.ok(plan.isFull(pid % 3, pid) && plan.isFull((pid + 1) % 3, pid))
      assert.equal(plan.isMerging(pid), false)
      assert.deepEqual(plan.fillTargets(pid), [])
      assert.deepEqual(plan.writeTargets(pid), [(pid + 1) % 3])
      assert.ok(plan.isSettled(pid))
    }
  })

  it('an empty full copy makes every clean empty copy full: a joining node masters its empty partitions at once', () => {
    // Members 1 and 2 held the cluster; member 0 joins with nothing. Partition 0 holds records on 1
    // and 2; partition 3 is empty but member 0 holds a stale record of it; the others are empty.
    const old = (): CopyReport => {
      const r = report({ full: true })
      r.hasData = newPartitionBits()
      setBit(r.hasData, 0, true)
      return r
    }
    const joining = report()
    setBit(joining.hasData, 3, true)
    const plan = new PartitionPlan(rotating(3, 2), [joining, old(), old()])
    assert.equal(plan.master(0), 1, 'with records, the joining natural master is filled first')
    assert.deepEqual(plan.fillTargets(0), [0])
    assert.equal(plan.isFull(0, 3), false, 'a stale copy is not full: it is filled (replaced)')
    assert.equal(plan.master(3), 1)
    assert.deepEqual(plan.fillTargets(3), [0])
    for (const pid of [6, 9, 4095]) {
      assert.equal(plan.master(pid), pid % 3, `partition ${pid}: the natural master acts`)
      assert.deepEqual(plan.fillTargets(pid), [], `partition ${pid}: no fill`)
      assert.ok(plan.isSettled(pid), `partition ${pid}: settled`)
    }
  })

  it('a dirty empty full copy makes no other copy full', () => {
    const dirtyEmpty = report({ full: true, dirty: true })
    dirtyEmpty.hasData = newPartitionBits()
    const plan = new PartitionPlan(rotating(2, 2), [report(), dirtyEmpty])
    assert.equal(plan.master(0), 1)
    assert.deepEqual(plan.fillTargets(0), [0])
  })

  it('every copy full: settled, nothing moves', () => {
    const plan = new PartitionPlan(rotating(3, 2), [report({ full: true }), report({ full: true }), report({ full: true })])
    for (let pid = 0; pid < PARTITION_COUNT; pid++) {
      assert.ok(plan.isSettled(pid))
      assert.deepEqual(plan.fillTargets(pid), [])
      assert.equal(plan.isMerging(pid), false)
    }
    // The third member of each partition holds a copy no write reaches any more: no longer full, surplus.
    assert.equal(plan.isFull(2, 0), false)
    assert.deepEqual(plan.surplusHolders(0), [2])
  })

  it('a returning natural master is filled by the first full copy, which hands mastership back', () => {
    const plan = new PartitionPlan(rotating(3, 2), [report(), report({ full: true }), report({ full: true })])
    // Partition 0: succession 0, 1, 2; member 0 came back empty.
    assert.equal(plan.master(0), 1)
    assert.deepEqual(plan.fillTargets(0), [0])
    assert.deepEqual(plan.writeTargets(0), [0])
    assert.equal(plan.handoverTarget(0), 0)
    assert.equal(plan.isSettled(0), false)
    assert.throws(() => plan.handOver(0, 0), /full copy/)
    plan.fillDone(0, 0)
    plan.handOver(0, 0)
    assert.equal(plan.master(0), 0)
    assert.equal(plan.handoverTarget(0), undefined)
    assert.ok(plan.isSettled(0))
  })

  it('a former owner acts for partitions whose owners are all new', () => {
    // Member 2 alone holds full copies; partition 0's owners are 0 and 1.
    const plan = new PartitionPlan(rotating(3, 2), [report(), report(), report({ full: true })])
    assert.equal(plan.master(0), 2)
    assert.deepEqual(plan.fillTargets(0), [0, 1])
    assert.deepEqual(plan.writeTargets(0), [0, 1])
    assert.equal(plan.handoverTarget(0), 0)
    plan.fillDone(0, 0)
    plan.fillDone(1, 0)
    plan.handOver(0, 0)
    assert.ok(plan.isSettled(0))
    // No write reaches the former master any more: its copy is no longer full, and it is dropped.
    assert.equal(plan.isFull(2, 0), false)
    assert.deepEqual(plan.surplusHolders(0), [2])
  })

  it('a former master that reported an empty copy is a surplus holder once it hands over: it took writes and merged records meanwhile', () => {
    // Member 2 holds full empty copies (it came back first after every lease was lost and formed a
    // view alone); members 0 and 1 hold dirty copies (full before the leases were lost). Partition
    // 0's owners are 0 and 1: member 2 masters it, gathers both copies, fills them and hands over.
    const plan = new PartitionPlan(rotating(3, 2), [report({ hasData: true, dirty: true }), report({ hasData: true, dirty: true }), report({ full: true, hasData: false })])
    assert.equal(plan.master(0), 2)
    assert.deepEqual(plan.mergeSources(0), [0, 1])
    assert.deepEqual(plan.surplusHolders(0), [], 'nothing to drop yet: the master reported holding nothing')
    plan.mergeDone(0)
    plan.fillDone(0, 0)
    plan.fillDone(1, 0)
    plan.handOver(0, 0)
    assert.ok(plan.isSettled(0))
    assert.deepEqual(plan.surplusHolders(0), [2], 'the former master drops what it gathered and wrote')
  })

  it('no full copy anywhere: the natural master gathers every copy before it takes writes', () => {
    const plan = new PartitionPlan(rotating(3, 2), [report({ hasData: true }), report({ hasData: true }), report()])
    assert.equal(plan.master(0), 0)
    assert.ok(plan.isMerging(0))
    assert.deepEqual(plan.mergeSources(0), [1])
    // Partition 2 (succession 2, 0, 1): member 2 has nothing, the other two are gathered.
    assert.deepEqual(plan.mergeSources(2), [0, 1])
    plan.mergeDone(0)
    assert.equal(plan.isMerging(0), false)
    assert.deepEqual(plan.mergeSources(0), [])
    assert.deepEqual(plan.fillTargets(0), [1])
  })

  it('a dirty copy is gathered by the master even when full copies exist', () => {
    const plan = new PartitionPlan(rotating(2, 2), [report({ full: true }), report({ full: true, dirty: true })])
    assert.equal(plan.master(0), 0)
    assert.ok(plan.isMerging(0))
    assert.deepEqual(plan.mergeSources(0), [1])
    // Member 1 is the master of odd partitions: its own dirt needs no gathering, but the other
    // owner may lack its changes and is filled again.
    assert.equal(plan.isMerging(1), false)
    assert.equal(plan.isFull(0, 1), false)
    assert.deepEqual(plan.fillTargets(1), [0])
    assert.equal(plan.isSettled(1), false)
    plan.mergeDone(0)
    assert.ok(plan.isSettled(0))
  })

  it('asks for one report per member', () => {
    assert.throws(() => new PartitionPlan(rotating(3, 2), [report()]), /one copy report per member/)
  })
})
