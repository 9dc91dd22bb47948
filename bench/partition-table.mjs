#!/usr/bin/env node
// The partition table (packages/server/src/cluster/partition-table.ts) in one process:
//
//   time       ms to compute a table of one namespace, RF 2, for 3, 8, 32 and 64 nodes: the first
//              computation in the process (cold, as after a view change on an idle node) and the
//              median of 20 more (warm)
//   balance    per node: partitions mastered (min..max) and held as replica (min..max)
//   movement   fraction of partitions whose owner set changed when a node joins (n -> n+1) or
//              leaves (n -> n-1), against the ideal RF/(larger n); mean over 20 random id sets
//
// Usage: node --import tsx bench/partition-table.mjs   (from the repository root)
import { computePartitionTable } from '../packages/server/src/cluster/partition-table.ts'
import { makeView } from '../packages/server/src/cluster/view.ts'

const PARTITIONS = 4096

// A fixed-seed generator (xorshift32): the same node ids, so the same figures, on every run.
let state = 0x2545f491
function random32() {
  state ^= state << 13
  state ^= state >>> 17
  state ^= state << 5
  return state >>> 0
}

function nodeIds(count) {
  const ids = new Set()
  while (ids.size < count) ids.add(`${random32().toString(16)}${random32().toString(16).padStart(8, '0')}`.toUpperCase())
  return [...ids]
}

function member(nodeId, rack = 0) {
  return { nodeId, service: { host: '127.0.0.1', port: 3000 }, fabric: { host: '127.0.0.1', port: 3001 }, rackIds: { test: rack }, build: 'bench' }
}

function table(ids, rf, racks = []) {
  return computePartitionTable(makeView(1, ids.map((id, i) => member(id, racks[i] ?? 0))), 'test', rf)
}

function ownerSets(t) {
  const sets = []
  for (let pid = 0; pid < PARTITIONS; pid++) sets.push([...t.owners(pid)].map((i) => t.members[i].nodeId).sort().join())
  return sets
}

function changedFraction(a, b) {
  const before = ownerSets(a)
  const after = ownerSets(b)
  let changed = 0
  for (let pid = 0; pid < PARTITIONS; pid++) if (before[pid] !== after[pid]) changed++
  return changed / PARTITIONS
}

function masterChangedFraction(a, b) {
  let changed = 0
  for (let pid = 0; pid < PARTITIONS; pid++) if (a.members[a.master(pid)].nodeId !== b.members[b.master(pid)].nodeId) changed++
  return changed / PARTITIONS
}

function spreads(t) {
  const masters = new Array(t.members.length).fill(0)
  const replicas = new Array(t.members.length).fill(0)
  for (let pid = 0; pid < PARTITIONS; pid++) {
    const owners = t.owners(pid)
    masters[owners[0]]++
    for (let i = 1; i < owners.length; i++) replicas[owners[i]]++
  }
  return { masters: `${Math.min(...masters)}..${Math.max(...masters)}`, replicas: `${Math.min(...replicas)}..${Math.max(...replicas)}` }
}

console.log('time (ms), RF 2')
for (const n of [3, 8, 32, 64]) {
  const ids = nodeIds(n)
  let start = performance.now()
  table(ids, 2)
  const cold = performance.now() - start
  const warm = []
  for (let i = 0; i < 20; i++) {
    start = performance.now()
    table(ids, 2)
    warm.push(performance.now() - start)
  }
  warm.sort((a, b) => a - b)
  console.log(`  ${String(n).padStart(2)} nodes: cold ${cold.toFixed(1)}, warm median ${warm[10].toFixed(1)}`)
}

console.log('balance (min..max per node)')
for (const [n, rf, racks] of [[3, 1], [3, 2], [4, 2], [8, 2], [8, 3], [32, 2], [64, 2], [6, 2, [1, 1, 1, 2, 2, 2]], [5, 2, [1, 1, 1, 1, 2]], [9, 3, [1, 1, 1, 2, 2, 2, 3, 3, 3]]]) {
  const { masters, replicas } = spreads(table(nodeIds(n), rf, racks))
  console.log(`  ${n} nodes RF ${rf}${racks ? ` racks ${racks.join('')}` : ''}: masters ${masters} (ideal ${Math.floor(PARTITIONS / n)}..${Math.ceil(PARTITIONS / n)}), replicas ${replicas} (mean ${((PARTITIONS * (rf - 1)) / n).toFixed(1)})`)
}

console.log('movement (owner set changed; master changed), mean of 20 id sets')
for (const rf of [1, 2, 3]) {
  for (const [from, to] of [[3, 4], [4, 3], [5, 6], [6, 5], [8, 9], [32, 33], [64, 65], [65, 64]]) {
    let owners = 0
    let masters = 0
    for (let run = 0; run < 20; run++) {
      const ids = nodeIds(Math.max(from, to))
      owners += changedFraction(table(ids.slice(0, from), rf), table(ids.slice(0, to), rf))
      masters += masterChangedFraction(table(ids.slice(0, from), rf), table(ids.slice(0, to), rf))
    }
    const ideal = Math.min(1, rf / Math.max(from, to))
    console.log(`  RF ${rf} ${from} -> ${to}: owners ${(owners / 20).toFixed(3)} (ideal ${ideal.toFixed(3)}), masters ${(masters / 20).toFixed(3)} (ideal ${(1 / Math.max(from, to)).toFixed(3)})`)
  }
}
