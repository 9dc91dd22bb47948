// The simulator's own guarantees: a seed replays exactly (in this process and in a fresh one),
// runs without faults and with the faults that the cluster survives today hold every invariant,
// and the planted bugs are caught within a few seeds. Seeds the simulator found failing are kept
// at the end as `todo` tests until their bugs are fixed (docs/simulation.md, "Found so far").
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { PlantName } from '@aerolite/server'
import { runSchedule, type RunResult } from '../src/run-seed.ts'
import { generateSchedule, type FaultKind, type Schedule } from '../src/schedule.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const SURVIVED: ReadonlySet<FaultKind> = new Set(['crash', 'slow-node'])

const schedule = (faults: Schedule['faults']): Schedule => ({ nodes: 3, replicationFactor: 2, workloadMs: 8000, faults })

function explain(result: RunResult): string {
  return `${result.violations.length} violations, first: ${result.violations[0]?.kind} ${result.violations[0]?.detail}`
}

test('a seed replays exactly: the same event log hash twice in one process and once in a fresh process', async () => {
  const first = await runSchedule(7, generateSchedule(7, SURVIVED))
  const again = await runSchedule(7, generateSchedule(7, SURVIVED))
  assert.equal(again.eventLogHash, first.eventLogHash)
  assert.ok(first.operations > 500, `the workload ran (${first.operations} operations)`)
  const fresh = spawnSync(process.execPath, [...process.execArgv, MAIN, '--seed', '7', '--faults', [...SURVIVED].join(',')], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(fresh.status, 0, fresh.stdout + fresh.stderr)
  assert.match(fresh.stdout, new RegExp(`event log hash: ${first.eventLogHash}`))
  const other = await runSchedule(8, generateSchedule(8, SURVIVED))
  assert.notEqual(other.eventLogHash, first.eventLogHash, 'another seed is another run')
})

test('without faults, through a crash and restart, and with a slow node, every invariant holds', async () => {
  const cases: Array<[string, Schedule]> = [
    ['no fault', schedule([])],
    ['a crash and restart', schedule([{ kind: 'crash', atMs: 1500, node: 1, forMs: 2000 }])],
    ['a slow node', schedule([{ kind: 'slow-node', atMs: 1000, node: 0, extraMs: 150, forMs: 4000 }])],
  ]
  for (const [name, faults] of cases) {
    const result = await runSchedule(3, faults)
    assert.deepEqual(result.violations, [], `${name}: ${explain(result)}`)
    assert.deepEqual(result.tags, [], `${name}: no copy was at risk`)
  }
})

test('a second crash before the copies were restored is tagged, and its losses are counted instead of failing the run', async () => {
  const result = await runSchedule(5, schedule([{ kind: 'crash', atMs: 2000, node: 1, forMs: 1000 }, { kind: 'crash', atMs: 2500, node: 2, forMs: 1000 }]))
  assert.deepEqual(result.tags, ['copies-at-risk'])
  assert.deepEqual(result.violations, [], explain(result))
  assert.ok(result.losses.every((loss) => loss.kind === 'lost-write' || loss.kind === 'zombie'))
})

test('the membership store down for everyone, past the lease TTL or just short of it: every lease may expire, yet no write is lost and no surplus copy stays', async () => {
  const cases: Array<[string, number, Schedule]> = [
    // Every lease expires; the first node back forms a view alone. Its empty copies must not replace the others'.
    ['3 s, past the TTL', 3, schedule([{ kind: 'store-down', atMs: 2000, forMs: 3000 }])],
    // 1812 ms, but the last renewal came before the outage and the next only after it: every lease expires too.
    ['1812 ms, just short of the TTL', 1, generateSchedule(1)],
    // Overlapping outages are one: the store is back (and writes acknowledged again) only when the last ends.
    ['two overlapping outages', 8, schedule([{ kind: 'store-down', atMs: 3599, forMs: 2708 }, { kind: 'store-down', atMs: 4965, forMs: 1018 }])],
  ]
  for (const [name, seed, faults] of cases) {
    assert.ok(faults.faults.every((fault) => fault.kind === 'store-down'), name)
    const result = await runSchedule(seed, faults)
    assert.deepEqual(result.tags, [], `${name}: a store outage is no excuse for a loss`)
    assert.deepEqual(result.violations, [], `${name}: ${explain(result)}`)
  }
})

for (const plant of ['ack-before-replica', 'skip-last-migrated', 'no-tombstone-replication'] as PlantName[]) {
  test(`the planted fault ${plant} is caught within 10 seeds`, async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = await runSchedule(seed, generateSchedule(seed, new Set(['crash'])), { plants: new Set([plant]) })
      if (result.violations.length > 0) return
    }
    assert.fail(`${plant} went unnoticed through seeds 1..10`)
  })
}

test('the planted fault accept-stale-view is caught', { todo: 'no schedule yet makes a stale fabric message change an outcome (0 of 20 seeds with crashes and slow nodes)' }, async () => {
  for (let seed = 1; seed <= 10; seed++) {
    const result = await runSchedule(seed, generateSchedule(seed, SURVIVED), { plants: new Set(['accept-stale-view']) })
    if (result.violations.length > 0) return
  }
  assert.fail('accept-stale-view went unnoticed through seeds 1..10')
})

// Found by the simulator and still open: each runs, and reports, until its bug is fixed.
const FOUND: Array<[string, number, Schedule]> = [
  ['one crash and restart loses an acknowledged list append', 16, schedule([{ kind: 'crash', atMs: 4979, node: 2, forMs: 1440 }])],
  ['a node restarted during a store outage past the TTL registers first, alone, and acknowledges an append that the merge with the others\' newer copy drops', 47, schedule([{ kind: 'crash', atMs: 1602, node: 1, forMs: 3536 }, { kind: 'store-down', atMs: 3793, forMs: 2427 }])],
  ['a fill into a node restarted during a store outage drops a replica write that arrived before the fill was admitted (owners differ, a put lost)', 199, schedule([{ kind: 'crash', atMs: 4370, node: 0, forMs: 1796 }, { kind: 'store-down', atMs: 4666, forMs: 2334 }])],
  ['a node paused past its lease applies a buffered write after later ones (a list out of order)', 6, generateSchedule(6)],
  ['two crashes in a row: the cluster does not settle within 60 s', 26, generateSchedule(26)],
  ['a second crash well after migrations: one node never sees an empty partition settle', 3, schedule([{ kind: 'crash', atMs: 500, node: 0, forMs: 800 }, { kind: 'crash', atMs: 5000, node: 2, forMs: 1500 }])],
]
for (const [name, seed, found] of FOUND) {
  test(`seed ${seed}: ${name}`, { todo: 'open bug found by the simulator' }, async () => {
    const result = await runSchedule(seed, found)
    assert.deepEqual(result.violations, [], explain(result))
    assert.deepEqual(result.losses, [], `${result.losses.length} losses in a run tagged ${result.tags.join(', ')}`)
  })
}
