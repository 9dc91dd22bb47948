// The partition table: the same view gives the same table on every node, owners are distinct and
// spread over racks, masters are balanced, and a join or leave moves about the ideal share.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { PARTITION_COUNT } from '@aerolite/protocol'
import { computePartitionTable, type PartitionTable } from '../../src/cluster/partition-table.ts'
import { SuccessionOrder, naturalSuccession } from '../../src/cluster/succession.ts'
import { makeView, type MemberInfo, type View } from '../../src/cluster/view.ts'

const NS = 'test'

function member(nodeId: string, rack?: number): MemberInfo {
  return {
    nodeId,
    service: { host: '127.0.0.1', port: 3000 },
    fabric: { host: '127.0.0.1', port: 3001 },
    rackIds: rack === undefined ? {} : { [NS]: rack },
    build: 'test',
  }
}

function viewOf(ids: readonly string[], racks: readonly number[] = []): View {
  return makeView(7, ids.map((id, i) => member(id, racks[i])))
}

const nodeId = fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }).map((id) => id.toString(16).toUpperCase())
const nodeIds = (minLength: number, maxLength: number): fc.Arbitrary<string[]> => fc.uniqueArray(nodeId, { minLength, maxLength })

const ownerIds = (table: PartitionTable, pid: number): string[] => [...table.owners(pid)].map((i) => table.members[i]!.nodeId)
const successionIds = (table: PartitionTable, pid: number): string[] => [...table.succession(pid)].map((i) => table.members[i]!.nodeId)

function masterCounts(table: PartitionTable): number[] {
  const counts = new Array<number>(table.members.length).fill(0)
  for (let pid = 0; pid < PARTITION_COUNT; pid++) counts[table.master(pid)]!++
  return counts
}

/** Fraction of partitions whose owner set (as node ids) differs between two tables. */
function ownersMoved(a: PartitionTable, b: PartitionTable): number {
  let moved = 0
  for (let pid = 0; pid < PARTITION_COUNT; pid++) {
    if (ownerIds(a, pid).sort().join() !== ownerIds(b, pid).sort().join()) moved++
  }
  return moved / PARTITION_COUNT
}

// The reference of the succession hash in BigInt arithmetic: FNV-1a 64 of the 8 big-endian id
// bytes, then SplitMix64's finaliser of seed + (pid + 1) * gamma.
const MASK64 = (1n << 64n) - 1n
function referenceHash(nodeIdHex: string, pid: number): bigint {
  const id = BigInt(`0x${nodeIdHex}`)
  let h = 0xcbf29ce484222325n
  for (let shift = 56n; shift >= 0n; shift -= 8n) h = ((h ^ ((id >> shift) & 0xffn)) * 0x100000001b3n) & MASK64
  let z = (h + BigInt(pid + 1) * 0x9e3779b97f4a7c15n) & MASK64
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64
  return z ^ (z >> 31n)
}

test('succession hash: the 32-bit arithmetic equals the 64-bit reference', () => {
  fc.assert(fc.property(nodeIds(1, 6), fc.integer({ min: 0, max: PARTITION_COUNT - 1 }), (ids, pid) => {
    const order = new SuccessionOrder(ids)
    ids.forEach((id, i) => assert.equal(order.hash(i, pid), referenceHash(id, pid)))
  }), { numRuns: 200 })
})

test('natural succession: ascending hash, ties by node id', () => {
  fc.assert(fc.property(nodeIds(1, 20), fc.integer({ min: 0, max: PARTITION_COUNT - 1 }), (ids, pid) => {
    const expected = ids.map((id, i) => ({ i, hash: referenceHash(id, pid), id: BigInt(`0x${id}`) }))
      .sort((a, b) => (a.hash !== b.hash ? (a.hash < b.hash ? -1 : 1) : a.id < b.id ? -1 : 1))
      .map((entry) => entry.i)
    assert.deepEqual(naturalSuccession(pid, ids), expected)
  }), { numRuns: 200 })
})

test('succession refuses malformed and repeated node ids', () => {
  assert.throws(() => new SuccessionOrder(['XYZ']), /hex/)
  assert.throws(() => new SuccessionOrder(['12345678901234567']), /hex/)
  assert.throws(() => new SuccessionOrder(['0A', 'A']), /twice/)
})

test('pinned: the table of a fixed view does not change between builds (nodes of two builds must agree)', () => {
  const table = computePartitionTable(viewOf(['BB9020011AC4202', 'BB9030011AC4202', 'BB9040011AC4202', 'BB9050011AC4202'], [1, 1, 2, 2]), NS, 2)
  const hash = createHash('sha256')
  for (let pid = 0; pid < PARTITION_COUNT; pid++) hash.update(`${successionIds(table, pid).join(',')};`)
  const three = ['BB9020011AC4202', 'BB9030011AC4202', 'BB9040011AC4202']
  assert.deepEqual([0, 1, 2, 3].map((pid) => naturalSuccession(pid, three)), [[0, 1, 2], [2, 1, 0], [1, 0, 2], [0, 2, 1]])
  assert.equal(hash.digest('hex').slice(0, 16), '34115e06ed44dfbb')
})

test('deterministic: the same member set in any order gives the same table', () => {
  fc.assert(fc.property(
    nodeIds(1, 10).chain((ids) => fc.tuple(fc.constant(ids), fc.shuffledSubarray(ids, { minLength: ids.length }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: ids.length, maxLength: ids.length }))),
    fc.integer({ min: 1, max: 4 }),
    ([ids, shuffled, racks], rf) => {
      const rackOf = new Map(ids.map((id, i) => [id, racks[i]!]))
      const a = computePartitionTable(viewOf(ids, racks), NS, rf)
      // Members deliberately not in node-id order: the table must not depend on it.
      const b = computePartitionTable({ revision: 9, clusterKey: 1n, members: shuffled.map((id) => member(id, rackOf.get(id))) }, NS, rf)
      for (let pid = 0; pid < PARTITION_COUNT; pid++) assert.deepEqual(successionIds(b, pid), successionIds(a, pid))
    },
  ), { numRuns: 40 })
})

test('owners: distinct, RF capped by the cluster size, the head of a succession that holds every member', () => {
  fc.assert(fc.property(nodeIds(1, 9), fc.integer({ min: 1, max: 5 }), (ids, rf) => {
    const table = computePartitionTable(viewOf(ids), NS, rf)
    const effective = Math.min(rf, ids.length)
    assert.equal(table.replicationFactor, effective)
    for (let pid = 0; pid < PARTITION_COUNT; pid++) {
      const owners = [...table.owners(pid)]
      const succession = [...table.succession(pid)]
      assert.equal(owners.length, effective)
      assert.equal(new Set(owners).size, effective)
      assert.deepEqual([...succession].sort((a, b) => a - b), ids.map((_, i) => i))
      assert.deepEqual(succession.slice(0, effective), owners)
      assert.equal(table.master(pid), owners[0])
      owners.forEach((owner, replica) => assert.equal(table.owner(pid, replica), owner))
    }
  }), { numRuns: 40 })
})

test('one node owns every partition', () => {
  const table = computePartitionTable(viewOf(['BB9020011AC4202']), NS, 2)
  assert.equal(table.replicationFactor, 1)
  for (let pid = 0; pid < PARTITION_COUNT; pid++) assert.deepEqual([...table.owners(pid)], [0])
  assert.deepEqual(masterCounts(table), [PARTITION_COUNT])
})

test('masters: every member masters floor or ceil of 4096/n (no racks)', () => {
  fc.assert(fc.property(nodeIds(1, 40), fc.integer({ min: 1, max: 4 }), (ids, rf) => {
    const counts = masterCounts(computePartitionTable(viewOf(ids), NS, rf))
    const floor = Math.floor(PARTITION_COUNT / ids.length)
    for (const count of counts) assert.ok(count === floor || count === floor + 1, `master counts ${counts.join(' ')} for ${ids.length} nodes`)
  }), { numRuns: 40 })
})

test('owners: every member owns floor or ceil of RF·4096/n partitions, and holds each replica index about evenly (no racks)', () => {
  fc.assert(fc.property(nodeIds(1, 40), fc.integer({ min: 1, max: 4 }), (ids, rf) => {
    const table = computePartitionTable(viewOf(ids), NS, rf)
    const owned = new Array<number>(ids.length).fill(0)
    for (let pid = 0; pid < PARTITION_COUNT; pid++) for (const owner of table.owners(pid)) owned[owner]!++
    const floor = Math.floor((PARTITION_COUNT * table.replicationFactor) / ids.length)
    for (const count of owned) assert.ok(count === floor || count === floor + 1, `owned counts ${owned.join(' ')} for ${ids.length} nodes, RF ${rf}`)
    // Per replica index: each index but the last is balanced on its own; the last is what remains
    // of the owned count, within a few of the mean.
    const perIndex = floor / table.replicationFactor
    for (let replica = 0; replica < table.replicationFactor; replica++) {
      const held = new Array<number>(ids.length).fill(0)
      for (let pid = 0; pid < PARTITION_COUNT; pid++) held[table.owner(pid, replica)]!++
      const slack = replica < table.replicationFactor - 1 ? 1 : 3
      for (const count of held) assert.ok(Math.abs(count - perIndex) <= slack, `replica index ${replica} counts ${held.join(' ')}`)
    }
  }), { numRuns: 40 })
})

test('racks: owners on distinct racks when there are at least RF racks, else on every rack', () => {
  fc.assert(fc.property(
    nodeIds(1, 10).chain((ids) => fc.tuple(fc.constant(ids), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: ids.length, maxLength: ids.length }))),
    fc.integer({ min: 1, max: 4 }),
    ([ids, racks], rf) => {
      const table = computePartitionTable(viewOf(ids, racks), NS, rf)
      const rackCount = new Set(racks).size
      const spread = Math.min(table.replicationFactor, rackCount)
      for (let pid = 0; pid < PARTITION_COUNT; pid++) {
        const ownerRacks = [...table.owners(pid)].map((i) => table.members[i]!.rackIds[NS]!)
        assert.equal(new Set(ownerRacks).size, spread, `partition ${pid}: owner racks ${ownerRacks.join(' ')}, ${rackCount} racks, RF ${rf}`)
      }
    },
  ), { numRuns: 60 })
})

test('racks: a member without a rack id for the namespace is on rack 0', () => {
  const ids = ['A1', 'A2', 'A3', 'A4']
  const members = [member('A1', 0), member('A2'), member('A3', 5), member('A4', 5)]
  const table = computePartitionTable(makeView(1, members), NS, 2)
  for (let pid = 0; pid < PARTITION_COUNT; pid++) {
    const owners = ownerIds(table, pid)
    // Two racks: {A1, A2} (0, and 0 by default) and {A3, A4} (5): one owner on each.
    assert.equal(owners.filter((id) => id === 'A1' || id === 'A2').length, 1, `partition ${pid}: ${owners.join(' ')} of ${ids.join(' ')}`)
  }
})

test('racks: masters still balanced with a rack layout that allows it', () => {
  const ids = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6']
  const counts = masterCounts(computePartitionTable(viewOf(ids, [1, 1, 1, 2, 2, 3]), NS, 2))
  for (const count of counts) assert.ok(count === 682 || count === 683, counts.join(' '))
})

test('racks: a node alone on its rack owns every partition; the others share the rest evenly', () => {
  const ids = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6']
  const table = computePartitionTable(viewOf(ids, [1, 0, 0, 0, 0, 0]), NS, 2)
  const owned = new Array<number>(ids.length).fill(0)
  for (let pid = 0; pid < PARTITION_COUNT; pid++) for (const owner of table.owners(pid)) owned[owner]!++
  assert.equal(owned[table.indexOf('C1')], PARTITION_COUNT)
  for (const id of ids.slice(1)) assert.ok([819, 820].includes(owned[table.indexOf(id)]!), owned.join(' '))
  for (const count of masterCounts(table)) assert.ok(count === 682 || count === 683, masterCounts(table).join(' '))
})

test('movement: a join or a leave changes the owners of about RF/n of the partitions, not all', () => {
  fc.assert(fc.property(nodeIds(3, 9), fc.integer({ min: 1, max: 3 }), (ids, rf) => {
    const larger = computePartitionTable(viewOf(ids), NS, rf)
    const smaller = computePartitionTable(viewOf(ids.slice(1)), NS, rf)
    const ideal = Math.min(1, rf / ids.length)
    // Hashing alone moves the ideal share give or take ~1% (binomial); the balance adds about as
    // much again. A reshuffle would move 1 - (share of owner sets kept by chance), far above this.
    const moved = ownersMoved(smaller, larger)
    assert.ok(moved <= ideal + 0.05, `${ids.length - 1} <-> ${ids.length} nodes, RF ${rf}: ${moved} moved, ideal ${ideal}`)
    assert.ok(moved >= ideal - 0.05, `${ids.length - 1} <-> ${ids.length} nodes, RF ${rf}: ${moved} moved, ideal ${ideal}`)
    let mastersMoved = 0
    for (let pid = 0; pid < PARTITION_COUNT; pid++) {
      if (smaller.members[smaller.master(pid)]!.nodeId !== larger.members[larger.master(pid)]!.nodeId) mastersMoved++
    }
    const idealMasters = 1 / ids.length
    assert.ok(mastersMoved / PARTITION_COUNT <= idealMasters + 0.05, `${mastersMoved} masters moved, ideal ${idealMasters * PARTITION_COUNT}`)
  }), { numRuns: 40 })
})

test('movement: the partitions the leaving node did not own keep their owners, nearly all', () => {
  fc.assert(fc.property(nodeIds(3, 9), fc.integer({ min: 1, max: 3 }), (ids, rf) => {
    const before = computePartitionTable(viewOf(ids), NS, rf)
    const after = computePartitionTable(viewOf(ids.slice(1)), NS, rf)
    const leaving = ids[0]!
    let untouched = 0
    let kept = 0
    for (let pid = 0; pid < PARTITION_COUNT; pid++) {
      if (ownerIds(before, pid).includes(leaving)) continue
      untouched++
      if (ownerIds(before, pid).sort().join() === ownerIds(after, pid).sort().join()) kept++
    }
    assert.ok(kept >= untouched * 0.95, `${kept} of ${untouched} partitions without the leaving node kept their owners`)
  }), { numRuns: 40 })
})

const quiescedView = (ids: readonly string[], quiesced: ReadonlySet<string>, racks: readonly number[] = []): View =>
  makeView(7, ids.map((id, i) => ({ ...member(id, racks[i]), ...(quiesced.has(id) ? { quiesced: true } : {}) })))

/** Node ids, some of them (at least one, not all) quiesced, and a rack per node. */
const withQuiesced = nodeIds(2, 12).chain((ids) => fc.tuple(
  fc.constant(ids),
  fc.shuffledSubarray(ids, { minLength: 1, maxLength: ids.length - 1 }),
  fc.array(fc.integer({ min: 0, max: 2 }), { minLength: ids.length, maxLength: ids.length }),
))

test('quiesced: last in every partition, masters none, owns none when the others number RF or more; the others are placed as if it were not there', () => {
  fc.assert(fc.property(withQuiesced, fc.integer({ min: 1, max: 4 }), ([ids, quiescedIds, racks], rf) => {
    const quiesced = new Set(quiescedIds)
    const table = computePartitionTable(quiescedView(ids, quiesced, racks), NS, rf)
    const active = ids.filter((id) => !quiesced.has(id))
    const without = computePartitionTable(viewOf(active, ids.map((id, i) => (quiesced.has(id) ? -1 : racks[i]!)).filter((rack) => rack >= 0)), NS, rf)
    assert.equal(table.replicationFactor, Math.min(rf, ids.length))
    for (let pid = 0; pid < PARTITION_COUNT; pid++) {
      const order = successionIds(table, pid)
      assert.deepEqual(order.slice(0, active.length), successionIds(without, pid), `partition ${pid}: the others as in a view without the quiesced`)
      assert.ok(order.slice(active.length).every((id) => quiesced.has(id)))
      assert.ok(!quiesced.has(table.members[table.master(pid)]!.nodeId), `partition ${pid} mastered by a quiesced node`)
      if (active.length >= rf) assert.ok(ownerIds(table, pid).every((id) => !quiesced.has(id)), `partition ${pid} owned by a quiesced node`)
    }
  }), { numRuns: 40 })
})

test('quiesced: masters and owners balanced over the others (no racks)', () => {
  fc.assert(fc.property(withQuiesced, fc.integer({ min: 1, max: 3 }), ([ids, quiescedIds], rf) => {
    const quiesced = new Set(quiescedIds)
    const table = computePartitionTable(quiescedView(ids, quiesced), NS, rf)
    const active = ids.length - quiesced.size
    const owned = new Array<number>(ids.length).fill(0)
    for (let pid = 0; pid < PARTITION_COUNT; pid++) for (const owner of table.owners(pid)) owned[owner]!++
    const masters = masterCounts(table)
    const ownerFloor = Math.floor((PARTITION_COUNT * Math.min(rf, active)) / active)
    const masterFloor = Math.floor(PARTITION_COUNT / active)
    table.members.forEach((m, i) => {
      if (quiesced.has(m.nodeId)) return assert.equal(masters[i], 0)
      assert.ok(masters[i] === masterFloor || masters[i] === masterFloor + 1, `master counts ${masters.join(' ')}`)
      assert.ok(owned[i] === ownerFloor || owned[i] === ownerFloor + 1, `owned counts ${owned.join(' ')}`)
    })
  }), { numRuns: 40 })
})

test('quiesced: every member quiesced is the same table as none', () => {
  const ids = ['BB9020011AC4202', 'BB9030011AC4202', 'BB9040011AC4202']
  const all = computePartitionTable(quiescedView(ids, new Set(ids)), NS, 2)
  const none = computePartitionTable(viewOf(ids), NS, 2)
  for (let pid = 0; pid < PARTITION_COUNT; pid++) assert.deepEqual(successionIds(all, pid), successionIds(none, pid))
})

test('bad arguments are refused', () => {
  assert.throws(() => computePartitionTable(viewOf([]), NS, 2), /without members/)
  assert.throws(() => computePartitionTable(viewOf(['A']), NS, 0), RangeError)
  const table = computePartitionTable(viewOf(['A', 'B']), NS, 2)
  assert.throws(() => table.owners(PARTITION_COUNT), RangeError)
  assert.throws(() => table.master(-1), RangeError)
  assert.throws(() => table.owner(0, 2), RangeError)
  assert.throws(() => table.owner(0, 0.5), RangeError)
  assert.equal(table.indexOf('C'), -1)
  assert.equal(table.members[table.indexOf('B')]!.nodeId, 'B')
})
