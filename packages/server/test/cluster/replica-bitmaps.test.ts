// The `replicas` bitmaps of a partition table, read back with the client's own parser.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PARTITION_COUNT } from '@aerolite/protocol'
import { PartitionMap, holdsPartition, parseReplicas } from '@aerolite/client'
import { computePartitionTable } from '../../src/cluster/partition-table.ts'
import { replicaBitmaps, replicasEntry, tableReplicaBitmaps, withoutMastership } from '../../src/cluster/replica-bitmaps.ts'
import { makeView, type MemberInfo } from '../../src/cluster/view.ts'

function member(nodeId: string): MemberInfo {
  return { nodeId, service: { host: '127.0.0.1', port: 3000 }, fabric: { host: '127.0.0.1', port: 3001 }, rackIds: {}, build: 'test' }
}

const table = computePartitionTable(makeView(3, ['BB9020011AC4202', 'BB9030011AC4202', 'BB9040011AC4202'].map(member)), 'test', 2)

test('round trip: the client reading every node of a 3-node table gets the table owners', () => {
  // owners[pid][replica] as the client learns it from the nodes' answers.
  const learned = Array.from({ length: PARTITION_COUNT }, () => [-1, -1])
  const map = new PartitionMap()
  table.members.forEach((node, index) => {
    const answer = `${replicasEntry('test', 0, tableReplicaBitmaps(table, node.nodeId))};`
    const parsed = parseReplicas(answer)
    assert.equal(parsed.length, 1)
    const [entry] = parsed
    assert.equal(entry!.namespace, 'test')
    assert.equal(entry!.regime, 0)
    assert.equal(entry!.bitmaps.length, 2)
    entry!.bitmaps.forEach((bitmap, replica) => {
      for (let pid = 0; pid < PARTITION_COUNT; pid++) {
        if (!holdsPartition(bitmap, pid)) continue
        assert.equal(learned[pid]![replica], -1, `partition ${pid} replica ${replica} claimed twice`)
        learned[pid]![replica] = index
      }
    })
    map.apply(index, parsed)
  })
  for (let pid = 0; pid < PARTITION_COUNT; pid++) assert.deepEqual(learned[pid], [...table.owners(pid)], `partition ${pid}`)
  assert.equal(map.unownedCount('test'), 0)
  const masters = map.masterTable('test')!
  for (let pid = 0; pid < PARTITION_COUNT; pid++) assert.equal(masters[pid], table.master(pid))
})

test('bit order: partition p is bit 0x80 >> (p & 7) of byte p >> 3', () => {
  // Node 1 masters partitions 0 and 9 only; node 2 is replica of partition 4095 only.
  const acting = (pid: number): number[] => (pid === 0 || pid === 9 ? [1, 0] : pid === 4095 ? [0, 2] : [0, 1])
  const [master] = replicaBitmaps(1, 2, acting).map((text) => Buffer.from(text, 'base64'))
  assert.equal(master!.length, PARTITION_COUNT / 8)
  assert.equal(master![0], 0x80)
  assert.equal(master![1], 0x40)
  assert.equal(master!.subarray(2).every((byte) => byte === 0), true)
  const [none, replica] = replicaBitmaps(2, 2, acting).map((text) => Buffer.from(text, 'base64'))
  assert.equal(none!.every((byte) => byte === 0), true)
  assert.equal(replica![PARTITION_COUNT / 8 - 1], 0x01)
})

test('acting owners: nobody (-1), short and long lists; a non-member holds nothing', () => {
  // While partition 5 is filled, its master acts alone; partition 6 has nobody acting; partition 7
  // lists a third node beyond the two replica indexes asked for.
  const acting = (pid: number): number[] => (pid === 5 ? [2] : pid === 6 ? [-1, -1] : pid === 7 ? [0, 1, 2] : [0, 1])
  const read = (index: number): Buffer[] => replicaBitmaps(index, 2, acting).map((text) => Buffer.from(text, 'base64'))
  const [master2, replica2] = read(2)
  assert.equal(holdsPartition(master2!, 5), true)
  assert.equal(master2!.filter((byte) => byte !== 0).length, 1)
  assert.equal(replica2!.every((byte) => byte === 0), true)
  const [master0, replica1] = [read(0)[0]!, read(1)[1]!]
  assert.equal(holdsPartition(master0, 5) || holdsPartition(master0, 6), false)
  assert.equal(holdsPartition(replica1, 6) || holdsPartition(replica1, 5), false)
  assert.equal(holdsPartition(master0, 7) && holdsPartition(replica1, 7), true)
  for (const text of replicaBitmaps(-1, 2, acting)) assert.equal(Buffer.from(text, 'base64').every((byte) => byte === 0), true)
  for (const text of tableReplicaBitmaps(table, 'FFFF')) assert.equal(Buffer.from(text, 'base64').every((byte) => byte === 0), true)
})

test('replicas entry: the shape the client accepts', () => {
  const bitmaps = tableReplicaBitmaps(table, table.members[0]!.nodeId)
  const entry = replicasEntry('test', 0, bitmaps)
  assert.equal(entry, `test:0,2,${bitmaps[0]},${bitmaps[1]}`)
  assert.throws(() => replicaBitmaps(0, 0, () => [0]), RangeError)
})

test('without its lease a node claims no mastership: what it masters and replicates is claimed as replica 1', () => {
  const node = table.members[0]!.nodeId
  const [master, replica] = tableReplicaBitmaps(table, node).map((text) => Buffer.from(text, 'base64'))
  const [fencedMaster, fencedReplica, ...rest] = withoutMastership(tableReplicaBitmaps(table, node)).map((text) => Buffer.from(text, 'base64'))
  assert.equal(rest.length, 0, 'as many bitmaps as the replication factor')
  assert.equal(fencedMaster!.every((byte) => byte === 0), true, 'no partition claimed as master')
  for (let pid = 0; pid < PARTITION_COUNT; pid++) {
    assert.equal(holdsPartition(fencedReplica!, pid), holdsPartition(master!, pid) || holdsPartition(replica!, pid), `partition ${pid}`)
  }
  // Replication factor 1: the copies it masters still show, as replica 1.
  const single = withoutMastership(replicaBitmaps(0, 1, () => [0]))
  assert.equal(single.length, 2)
  assert.equal(Buffer.from(single[1]!, 'base64').every((byte) => byte === 0xff), true)
  assert.equal(parseReplicas(`${replicasEntry('test', 0, single)};`)[0]!.bitmaps.length, 2, 'the client reads both bitmaps')
})
