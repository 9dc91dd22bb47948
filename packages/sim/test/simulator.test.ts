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
import { SimCluster } from '../src/sim-cluster.ts'
import { WORKLOAD_WITHOUT_BATCH_WRITES } from '../src/workload.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const SURVIVED: ReadonlySet<FaultKind> = new Set(['crash', 'slow-node'])

const schedule = (faults: Schedule['faults']): Schedule => ({ nodes: 3, replicationFactor: 2, workloadMs: 8000, faults })
/** A seed found before batch writes joined the workload, replayed exactly as it ran then. */
const replay = (seed: number, found: Schedule): Promise<RunResult> => runSchedule(seed, found, { workload: WORKLOAD_WITHOUT_BATCH_WRITES })

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

test('a seed with restarts and batch reads replays the same after other seeds ran in the process (the Lua VM compiles off the clock)', async () => {
  // Seed 5's batch reads right after a restart used to wait for the Lua VM, whose WebAssembly
  // compiles in real time: its outcome depended on how warm the process was.
  await runSchedule(4, generateSchedule(4))
  const warm = await runSchedule(5, generateSchedule(5))
  const fresh = spawnSync(process.execPath, [...process.execArgv, MAIN, '--seed', '5'], { encoding: 'utf8', timeout: 120_000 })
  assert.match(fresh.stdout, new RegExp(`event log hash: ${warm.eventLogHash}`), fresh.stdout + fresh.stderr)
})

test('without faults, through a crash and restart, a slow node, a pause past the lease, and a node cut off from the store, every invariant holds', async () => {
  const cases: Array<[string, Schedule]> = [
    ['no fault', schedule([])],
    ['a crash and restart', schedule([{ kind: 'crash', atMs: 1500, node: 1, forMs: 2000 }])],
    ['a slow node', schedule([{ kind: 'slow-node', atMs: 1000, node: 0, extraMs: 150, forMs: 4000 }])],
    ['a pause past the lease', schedule([{ kind: 'pause', atMs: 903, node: 0, forMs: 3873 }])],
    ['a node cut off from the membership store', schedule([{ kind: 'store-cut', atMs: 1000, node: 0, forMs: 5000 }])],
  ]
  for (const [name, faults] of cases) {
    const result = await runSchedule(3, faults)
    assert.deepEqual(result.violations, [], `${name}: ${explain(result)}`)
    assert.deepEqual(result.tags, [], `${name}: no copy was at risk`)
    assert.ok(result.batchWritesAcknowledged > 50, `${name}: batch writes ran (${result.batchWritesAcknowledged} rows acknowledged)`)
  }
})

test('a slow disk, a clean stop and fast restart, wall clocks stepped, and bad bytes in a killed node\'s newest blocks: every invariant holds, and the damage is reported', async () => {
  const cases: Array<[string, Schedule]> = [
    ['a slow disk', schedule([{ kind: 'disk-slow', atMs: 1000, node: 1, extraMs: 40, forMs: 4000 }])],
    ['a clean stop and fast restart', schedule([{ kind: 'restart', atMs: 2000, node: 0, forMs: 1500 }])],
    ['a wall clock stepped back 5 s, a crash of another node meanwhile', schedule([{ kind: 'clock-step', atMs: 1000, node: 0, stepMs: -5000, forMs: 4000 }, { kind: 'crash', atMs: 2000, node: 1, forMs: 1500 }])],
    ['a wall clock stepped forward 5 s while its node restarts', schedule([{ kind: 'clock-step', atMs: 1000, node: 2, stepMs: 5000, forMs: 4000 }, { kind: 'kill', atMs: 2000, node: 2, forMs: 1000 }])],
  ]
  for (const [name, faults] of cases) {
    const result = await runSchedule(3, faults)
    assert.deepEqual(result.violations, [], `${name}: ${explain(result)}`)
    assert.deepEqual(result.tags, [], `${name}: no copy was at risk`)
  }
  const corrupt = await runSchedule(3, schedule([{ kind: 'corrupt-block', atMs: 4000, node: 1, forMs: 1500, nth: 1, offset: 4096, lengthBytes: 64 }]))
  assert.deepEqual(corrupt.violations, [], `a corrupt block: ${explain(corrupt)}`)
  assert.deepEqual(corrupt.tags, [], 'a corrupt block: no copy was at risk')
  assert.match(corrupt.diskFaultErrors.join('\n'), /^node 1 .*record failed its checksum/m, 'the restarted node found the damage')
})

// Seeds that failed through faults of the simulator itself, kept so they stay fixed: the checker
// once wanted appends in doubt in order (a crashed process hearing from the store: seeds 26, 54, 73 below).
test('seeds that once failed through the simulator\'s own faults pass', async () => {
  const cases: Array<[number, Schedule]> = [
    [6, schedule([{ kind: 'pause', atMs: 903, node: 0, forMs: 3873 }])],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed}: ${explain(result)}`)
  }
})

test('a node killed during a network partition: once the partition heals the cluster settles, and holds every invariant', async () => {
  // Found by the simulator, seeds 30, 46, 51, 65, 117, 159 of a sweep with partitions (not-stable:
  // every node held its lease in one view of 3, migrations left forever). A fault of the simulated
  // network: the FIN of a connection of the killed process waited on the cut link, and the network
  // forgot it once the socket was closed, so after the heal a peer kept sending its copy reports
  // into a dead connection and the restarted node never planned. TCP retransmits the FIN.
  const cases: Array<[number, Schedule]> = [
    [51, schedule([{ kind: 'partition', atMs: 4874, side: [0], oneWay: false, forMs: 452 }, { kind: 'crash', atMs: 4879, node: 1, forMs: 260 }])],
    [46, schedule([{ kind: 'partition', atMs: 3061, side: [2], oneWay: false, forMs: 737 }, { kind: 'crash', atMs: 3187, node: 0, forMs: 833 }])],
    [30, schedule([{ kind: 'partition', atMs: 624, side: [1], oneWay: false, forMs: 1988 }, { kind: 'crash', atMs: 1916, node: 0, forMs: 785 }])],
    [159, schedule([{ kind: 'partition', atMs: 3460, side: [1], oneWay: false, forMs: 2527 }, { kind: 'crash', atMs: 3760, node: 0, forMs: 1394 }])],
    // One way: the killed node itself could not send to the others (its FIN waited).
    [117, schedule([{ kind: 'partition', atMs: 1274, side: [0], oneWay: true, forMs: 1955 }, { kind: 'crash', atMs: 2575, node: 0, forMs: 1814 }])],
    [65, schedule([{ kind: 'partition', atMs: 1159, side: [2], oneWay: false, forMs: 3143 }, { kind: 'crash', atMs: 2324, node: 0, forMs: 1519 }, { kind: 'crash', atMs: 3310, node: 0, forMs: 836 }])],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed}: ${explain(result)}`)
  }
})

test('a second crash before the copies were restored is tagged, and its losses are counted instead of failing the run', async () => {
  const result = await runSchedule(5, schedule([{ kind: 'crash', atMs: 2000, node: 1, forMs: 1000 }, { kind: 'crash', atMs: 2500, node: 2, forMs: 1000 }]))
  assert.deepEqual(result.tags, ['copies-at-risk'])
  assert.deepEqual(result.violations, [], explain(result))
  assert.ok(result.losses.every((loss) => loss.kind === 'lost-write' || loss.kind === 'zombie'))
})

test('after two crashes of different nodes the cluster settles, and holds every invariant', async () => {
  // Found by the simulator. Seeds 26, 54 and 73: a crashed node's process went on receiving the
  // store's views and sent copy reports of what it held when it died, so the members planned from
  // different reports. Seed 3: a member dropped the partition events that came before it had
  // computed the view's plans, and saw an owner of an empty partition unfilled forever.
  const cases: Array<[number, Schedule]> = [
    [26, schedule([{ kind: 'crash', atMs: 1129, node: 1, forMs: 3118 }, { kind: 'crash', atMs: 4037, node: 2, forMs: 2509 }])],
    [54, schedule([{ kind: 'crash', atMs: 1602, node: 2, forMs: 2387 }, { kind: 'crash', atMs: 3630, node: 0, forMs: 2373 }, { kind: 'crash', atMs: 3694, node: 1, forMs: 3260 }])],
    [73, schedule([{ kind: 'crash', atMs: 1248, node: 1, forMs: 3858 }, { kind: 'crash', atMs: 3459, node: 2, forMs: 2631 }])],
    [3, schedule([{ kind: 'crash', atMs: 500, node: 0, forMs: 800 }, { kind: 'crash', atMs: 5000, node: 2, forMs: 1500 }])],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed}: ${explain(result)}`)
  }
})

test('a crashed node runs no more code: the views that come after its crash do not reach it', async () => {
  const cluster = new SimCluster({ seed: 1, nodes: 3, replicationFactor: 2 })
  const advance = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 10) await cluster.env.scheduler.advance(10)
  }
  let started = false
  void Promise.all(cluster.slots.map((slot) => cluster.start(slot.index))).then(() => { started = true })
  for (let t = 0; !started; t += 10) {
    assert.ok(t < 30_000, 'the cluster started')
    await cluster.env.scheduler.advance(10)
  }
  await advance(3000)
  const dead = cluster.slots[1]!.node!.cluster!
  const revision = dead.currentView()!.revision
  cluster.crash(1)
  await advance(3000)
  void cluster.start(1)
  await advance(3000)
  assert.ok(cluster.slots[0]!.node!.cluster!.currentView()!.revision > revision, 'the others saw views after the crash')
  assert.equal(dead.currentView()?.revision, revision, 'the crashed process adopted no later view')
})

test('the membership store down for everyone, past the lease TTL or just short of it: every lease may expire, yet no write is lost and no surplus copy stays', async () => {
  const cases: Array<[string, number, Schedule]> = [
    // Every lease expires; the first node back forms a view alone. Its empty copies must not replace the others'.
    ['3 s, past the TTL', 3, schedule([{ kind: 'store-down', atMs: 2000, forMs: 3000 }])],
    // 1812 ms, but the last renewal came before the outage and the next only after it: every lease expires too.
    ['1812 ms, just short of the TTL', 1, schedule([{ kind: 'store-down', atMs: 2519, forMs: 1812 }])],
    // Overlapping outages are one: the store is back (and writes acknowledged again) only when the last ends.
    ['two overlapping outages', 8, schedule([{ kind: 'store-down', atMs: 3599, forMs: 2708 }, { kind: 'store-down', atMs: 4965, forMs: 1018 }])],
  ]
  for (const [name, seed, faults] of cases) {
    assert.ok(faults.faults.every((fault) => fault.kind === 'store-down'), name)
    const result = await replay(seed, faults)
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

test('the planted fault accept-stale-view is caught within 25 seeds with pauses', async () => {
  // A node that continues after a pause still speaks for its old view until it hears of the new one.
  const kinds = new Set<FaultKind>(['crash', 'pause', 'slow-node'])
  for (let seed = 1; seed <= 25; seed++) {
    const result = await runSchedule(seed, generateSchedule(seed, kinds), { plants: new Set(['accept-stale-view']) })
    if (result.violations.length > 0) return
  }
  assert.fail('accept-stale-view went unnoticed through seeds 1..25')
})

// Found by the simulator and fixed: each must keep holding every invariant.
test('seed 16: one crash and restart loses no acknowledged list append (a fill waiting for a slot on the restarted node read its batch before a replica write it then undid)', async () => {
  const result = await replay(16, schedule([{ kind: 'crash', atMs: 4979, node: 2, forMs: 1440 }]))
  assert.deepEqual(result.violations, [], explain(result))
  assert.deepEqual(result.tags, [], 'no copy was at risk')
})

test('seed 39: a replica whose disk is full for a while is refilled once it has room again (its storage refused replica writes, which nothing made up)', async () => {
  const result = await replay(39, schedule([{ kind: 'disk-full', atMs: 4663, node: 1, forMs: 2125 }]))
  assert.deepEqual(result.violations, [], explain(result))
  assert.deepEqual(result.tags, [], 'no copy was at risk')
})

test('seed 115: a node paused past its lease, back when the cluster had settled without it, drops the copies it holds of partitions it no longer owns (settled from the start of the view, no fill or handover dropped them)', async () => {
  const result = await replay(115, {
    ...schedule([{ kind: 'crash', atMs: 2195, node: 1, forMs: 2940 }, { kind: 'sync-fail', atMs: 3315, node: 0, forMs: 2203 }, { kind: 'pause', atMs: 4755, node: 0, forMs: 2245 }]),
    skews: [{ wallOffsetMs: -498, rate: 0.9962 }, { wallOffsetMs: 3696, rate: 0.9987 }, { wallOffsetMs: -1503, rate: 0.9976 }],
  })
  assert.deepEqual(result.violations, [], explain(result))
  assert.deepEqual(result.losses, [], `${result.losses.length} losses in a run tagged ${result.tags.join(', ')}`)
})

test('seeds 241 and 207: a full disk, alone or with a crash or a partition, leaves no copies that differ once the cluster says it is settled', async () => {
  // The copy that missed replica writes was refilled only at the view its node asks for once its
  // storage takes writes again (up to a second or two after the disk had room), but the cluster
  // counted itself settled meanwhile, and the copies were compared in that window.
  const skewed = (faults: Schedule['faults'], skews: Schedule['skews']): Schedule => ({ ...schedule(faults), skews })
  const skews241 = [{ wallOffsetMs: -302, rate: 0.9974 }, { wallOffsetMs: -192, rate: 0.9974 }, { wallOffsetMs: 2301, rate: 0.997 }]
  const skews207 = [{ wallOffsetMs: -4776, rate: 0.999 }, { wallOffsetMs: 1652, rate: 0.997 }, { wallOffsetMs: -3632, rate: 0.9952 }]
  const cases: Array<[number, Schedule]> = [
    [241, skewed([{ kind: 'crash', atMs: 1773, node: 1, forMs: 1920 }, { kind: 'disk-full', atMs: 4374, node: 0, forMs: 2232 }], skews241)],
    [241, skewed([{ kind: 'disk-full', atMs: 4374, node: 0, forMs: 2232 }], skews241)],
    [207, skewed([{ kind: 'crash', atMs: 4737, node: 0, forMs: 493 }, { kind: 'disk-full', atMs: 4769, node: 1, forMs: 2231 }, { kind: 'partition', atMs: 4823, side: [2], oneWay: false, forMs: 863 }], skews207)],
    [207, skewed([{ kind: 'disk-full', atMs: 4769, node: 1, forMs: 2231 }], skews207)],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed} (${faults.faults.map((f) => f.kind).join(', ')}): ${explain(result)}`)
  }
})

test('the membership store down for everyone, with skewed clocks and other faults: the first node back does not plan alone from copies none of which is full while members of its last cluster may come back', async () => {
  const cases: Array<[string, number, Schedule]> = [
    // Node 0 renewed its lease just before the store expired it; the others' expired. Node 0, alone
    // in a view, made itself full of the partitions it held nothing of and took writes there; the
    // others, seeing it had kept its lease, let it fill (replace) their copies.
    ['1812 ms, one lease kept', 1, { ...schedule([{ kind: 'sync-fail', atMs: 1845, node: 2, forMs: 1756 }, { kind: 'store-down', atMs: 2519, forMs: 1812 }]), skews: [{ wallOffsetMs: -1918, rate: 0.996 }, { wallOffsetMs: 39, rate: 0.9978 }, { wallOffsetMs: 2052, rate: 0.9987 }] }],
    // Every lease expired; node 1, back first and alone, took a put on a record it held nothing of
    // (generation 1); the merge with the others' dirty copies kept their older version (a higher generation).
    ['2940 ms, every lease lost, the older version wins the merge', 203, { ...schedule([{ kind: 'store-down', atMs: 4060, forMs: 2940 }]), skews: [{ wallOffsetMs: -2097, rate: 1.0041 }, { wallOffsetMs: -354, rate: 0.999 }, { wallOffsetMs: 3435, rate: 1.0045 }] }],
    ['3698 ms', 67, { ...schedule([{ kind: 'store-down', atMs: 1379, forMs: 3698 }]), skews: [{ wallOffsetMs: 4873, rate: 0.999 }, { wallOffsetMs: 3607, rate: 0.9966 }, { wallOffsetMs: -4905, rate: 1.0015 }] }],
    ['with a pause and a slow node', 302, { ...schedule([{ kind: 'store-down', atMs: 3645, forMs: 2333 }, { kind: 'pause', atMs: 4379, node: 0, forMs: 1085 }, { kind: 'slow-node', atMs: 4681, node: 1, extraMs: 19, forMs: 1224 }]), skews: [{ wallOffsetMs: -257, rate: 0.9975 }, { wallOffsetMs: 712, rate: 1.002 }, { wallOffsetMs: 4042, rate: 0.9998 }] }],
    ['with a full disk', 223, { ...schedule([{ kind: 'store-down', atMs: 561, forMs: 3753 }, { kind: 'disk-full', atMs: 2223, node: 1, forMs: 1485 }]), skews: [{ wallOffsetMs: 183, rate: 0.9999 }, { wallOffsetMs: -4400, rate: 0.9953 }, { wallOffsetMs: 3551, rate: 1.0025 }] }],
    // Node 0 crashed just before the outage; the others' first view without it came after every lease was lost.
    ['after a crash, with a slow node', 199, { ...schedule([{ kind: 'slow-node', atMs: 4181, node: 2, extraMs: 104, forMs: 2819 }, { kind: 'crash', atMs: 4370, node: 0, forMs: 1796 }, { kind: 'store-down', atMs: 4666, forMs: 2334 }]), skews: [{ wallOffsetMs: -4521, rate: 0.9987 }, { wallOffsetMs: -1043, rate: 1.004 }, { wallOffsetMs: -3999, rate: 1.0007 }] }],
  ]
  const failed: string[] = []
  for (const [name, seed, faults] of cases) {
    const result = await replay(seed, faults)
    if (result.violations.length > 0) failed.push(`seed ${seed} (${name}): ${explain(result)}`)
  }
  assert.deepEqual(failed, [])
})

// Found with a crash then the store down past the TTL (the first node back serving alone); they
// pass since a view waits for the absent members of the last cluster (seed 199 with every fault kind above).
test('a crash, then the store down past the TTL: no write is lost', async () => {
  const cases: Array<[number, Schedule]> = [
    [47, schedule([{ kind: 'crash', atMs: 1602, node: 1, forMs: 3536 }, { kind: 'store-down', atMs: 3793, forMs: 2427 }])],
    [199, schedule([{ kind: 'crash', atMs: 4370, node: 0, forMs: 1796 }, { kind: 'store-down', atMs: 4666, forMs: 2334 }])],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed}: ${explain(result)}`)
    assert.deepEqual(result.losses, [], `seed ${seed}: ${result.losses.length} losses in a run tagged ${result.tags.join(', ')}`)
  }
})

// The store down for everyone, and a node killed during the outage: it restarted on what its disk had
// synced (nothing), was back first and alone, and, holding no data, named no last cluster, so it
// planned alone at once, counted itself full of every partition and took writes; the merge with the
// others' dirty copies kept their older versions. Seed 341 (two crashes, the second in the outage) too.
test('seeds 477 and 341: a node restarted on an empty disk while every lease is lost does not plan alone', async () => {
  const cases: Array<[number, Schedule]> = [
    [477, { ...schedule([{ kind: 'store-down', atMs: 2768, forMs: 2597 }, { kind: 'crash', atMs: 3818, node: 1, forMs: 1407 }]), skews: [{ wallOffsetMs: -4435, rate: 1.0028 }, { wallOffsetMs: -1103, rate: 0.9963 }, { wallOffsetMs: 4059, rate: 1.0021 }] }],
    [341, { ...schedule([{ kind: 'crash', atMs: 1170, node: 1, forMs: 660 }, { kind: 'store-down', atMs: 3524, forMs: 3476 }, { kind: 'crash', atMs: 4017, node: 0, forMs: 2983 }]), skews: [{ wallOffsetMs: 3079, rate: 0.9988 }, { wallOffsetMs: -1182, rate: 1.0022 }, { wallOffsetMs: 4729, rate: 0.9954 }] }],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed}: ${explain(result)}`)
    assert.deepEqual(result.losses, [], `seed ${seed}: ${result.losses.length} losses in a run tagged ${result.tags.join(', ')}`)
  }
})

test('seed 802: a replica write refused by a member still in the view (its channel redialling after a crash) is repaired by a new view before the cluster says it is settled', async () => {
  // Node 1 restarted and was in the view's plan as an owner of an empty partition (counted full),
  // but node 0's fabric channel to it was still backing off after the refused redials of its
  // crash: node 0, the master, wrote a record, the replica write failed fast, its copy turned dirty,
  // and no later view came to refill node 1. The master now asks for one once it reaches everyone.
  const result = await replay(802, {
    ...schedule([
      { kind: 'crash', atMs: 1523, node: 0, forMs: 1238 },
      { kind: 'partition', atMs: 2475, side: [1], oneWay: false, forMs: 2573 },
      { kind: 'torn-crash', atMs: 2807, node: 1, forMs: 1893 },
      { kind: 'crash', atMs: 4942, node: 1, forMs: 1483 },
    ]),
    skews: [{ wallOffsetMs: 1737, rate: 0.9976 }, { wallOffsetMs: 2687, rate: 1.0035 }, { wallOffsetMs: -4593, rate: 1.0001 }],
  })
  assert.deepEqual(result.violations, [], explain(result))
})

// A write that reached the master before its lease deadline but whose replicas confirmed it after
// (a slow or cut link, a pause) was acknowledged past the deadline; such a write is answered in
// doubt now. Seeds 1835, 1910, 2478 (the schedules `npm run sim -- --seed S` prints).
test('seeds 1835, 1910, 2478: no write is acknowledged past the lease deadline, even one whose replicas confirm it late', async () => {
  const cases: Array<[number, Schedule]> = [
    [1835, { ...schedule([{ kind: 'torn-crash', atMs: 2987, node: 0, forMs: 1817 }, { kind: 'partition', atMs: 2994, side: [2], oneWay: true, forMs: 3692 }, { kind: 'slow-node', atMs: 3694, node: 1, extraMs: 192, forMs: 593 }, { kind: 'store-down', atMs: 4489, forMs: 2511 }]), skews: [{ wallOffsetMs: 2162, rate: 1.0001 }, { wallOffsetMs: -261, rate: 1.0024 }, { wallOffsetMs: -1943, rate: 1.0013 }] }],
    [1910, { ...schedule([{ kind: 'store-down', atMs: 517, forMs: 2596 }, { kind: 'partition', atMs: 1053, side: [0], oneWay: true, forMs: 1614 }, { kind: 'partition', atMs: 2003, side: [2], oneWay: false, forMs: 1573 }, { kind: 'disk-full', atMs: 2214, node: 0, forMs: 530 }]), skews: [{ wallOffsetMs: -2802, rate: 1.0019 }, { wallOffsetMs: -4103, rate: 0.9954 }, { wallOffsetMs: 4992, rate: 0.9996 }] }],
    [2478, { ...schedule([{ kind: 'store-down', atMs: 2069, forMs: 2712 }, { kind: 'pause', atMs: 2763, node: 0, forMs: 1029 }, { kind: 'partition', atMs: 3451, side: [2], oneWay: true, forMs: 816 }, { kind: 'torn-crash', atMs: 4025, node: 1, forMs: 1394 }]), skews: [{ wallOffsetMs: -325, rate: 1.0034 }, { wallOffsetMs: -798, rate: 1.0032 }, { wallOffsetMs: 2637, rate: 0.9981 }] }],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations.filter((v) => v.kind === 'ack-while-fenced'), [], `seed ${seed}: ${explain(result)}`)
  }
})

// A simulator bug: a node restarted while cut off from the store came back connected (the cut lived
// in the crashed process's link), so its acknowledgements looked fenced-through. Seeds 1413, 2289.
test('seeds 1413, 2289: a node restarted during its cut from the store is still cut off', async () => {
  const cases: Array<[number, Schedule]> = [
    [1413, { ...schedule([{ kind: 'store-cut', atMs: 1560, node: 0, forMs: 2661 }, { kind: 'crash', atMs: 2516, node: 0, forMs: 994 }, { kind: 'partition', atMs: 4661, side: [0], oneWay: false, forMs: 2196 }, { kind: 'disk-full', atMs: 4752, node: 1, forMs: 1788 }]), skews: [{ wallOffsetMs: 2140, rate: 0.9958 }, { wallOffsetMs: 1227, rate: 0.9985 }, { wallOffsetMs: -820, rate: 0.9971 }] }],
    [2289, { ...schedule([{ kind: 'sync-fail', atMs: 2572, node: 1, forMs: 1048 }, { kind: 'store-cut', atMs: 3185, node: 0, forMs: 3815 }, { kind: 'crash', atMs: 4672, node: 0, forMs: 848 }, { kind: 'store-down', atMs: 4819, forMs: 1608 }]), skews: [{ wallOffsetMs: 1306, rate: 0.9985 }, { wallOffsetMs: -1806, rate: 1.0006 }, { wallOffsetMs: -4498, rate: 0.9956 }] }],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed}: ${explain(result)}`)
  }
})

test('seeds 2002, 2095, 2218, 2242, 2291: a record deleted and written again survives a kill -9 of its master, whose disk brings the delete back', async () => {
  // The master's unflushed write was lost with its process; its disk still held the tombstone of
  // the delete before it. The new record restarted at generation 1 and lost the merge to it.
  const cases: Array<[number, Schedule]> = [
    [2002, { ...schedule([{ kind: 'store-down', atMs: 3172, forMs: 3220 }, { kind: 'kill', atMs: 3836, node: 2, forMs: 489 }]), skews: [{ wallOffsetMs: -1796, rate: 0.9992 }, { wallOffsetMs: 575, rate: 0.9952 }, { wallOffsetMs: -3167, rate: 0.9994 }] }],
    [2095, { ...schedule([{ kind: 'kill', atMs: 2993, node: 2, forMs: 1325 }, { kind: 'store-down', atMs: 3954, forMs: 1931 }]), skews: [{ wallOffsetMs: -1717, rate: 0.9995 }, { wallOffsetMs: -3283, rate: 1.0033 }, { wallOffsetMs: -4466, rate: 1.0007 }] }],
    [2218, { ...schedule([{ kind: 'kill', atMs: 1001, node: 1, forMs: 2028 }, { kind: 'store-down', atMs: 1335, forMs: 3291 }]), skews: [{ wallOffsetMs: -2454, rate: 1.0049 }, { wallOffsetMs: 189, rate: 1.0031 }, { wallOffsetMs: 4748, rate: 1.0048 }] }],
    [2242, { ...schedule([{ kind: 'store-down', atMs: 1754, forMs: 3246 }, { kind: 'kill', atMs: 2509, node: 2, forMs: 1416 }]), skews: [{ wallOffsetMs: -3208, rate: 0.9977 }, { wallOffsetMs: -1123, rate: 1.0024 }, { wallOffsetMs: -3871, rate: 1.0001 }] }],
    [2291, { ...schedule([{ kind: 'kill', atMs: 1395, node: 0, forMs: 2557 }, { kind: 'disk-full', atMs: 2119, node: 2, forMs: 1929 }, { kind: 'store-down', atMs: 2810, forMs: 3842 }]), skews: [{ wallOffsetMs: 4721, rate: 1.0014 }, { wallOffsetMs: 963, rate: 0.9963 }, { wallOffsetMs: 782, rate: 0.9969 }] }],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed}: ${explain(result)}`)
  }
})

test('seeds 85, 211 (5 nodes): a dirty master stays dirty until it has refilled the other owners, so a view that cuts the refill short refills them again', async () => {
  // The master cleared its dirty mark when it planned; the owner it was refilling had not planned
  // that view before the next came, still counted its stale copy full, and the copies differed.
  const five = (faults: Schedule['faults'], skews: Schedule['skews'], commitToDevice = false): Schedule => ({ ...schedule(faults), nodes: 5, skews, ...(commitToDevice ? { commitToDevice } : {}) })
  const cases: Array<[number, Schedule]> = [
    [85, five(
      [{ kind: 'pause', atMs: 2519, node: 2, forMs: 1269 }, { kind: 'partition', atMs: 3849, side: [3], oneWay: false, forMs: 3151 }, { kind: 'kill', atMs: 3867, node: 1, forMs: 1263 }, { kind: 'restart', atMs: 4512, node: 1, forMs: 460 }, { kind: 'slow-node', atMs: 4542, node: 0, extraMs: 14, forMs: 2458 }, { kind: 'disk-full', atMs: 4738, node: 1, forMs: 468 }],
      [{ wallOffsetMs: 4235, rate: 1.0046 }, { wallOffsetMs: 2062, rate: 0.9954 }, { wallOffsetMs: 4770, rate: 1.0007 }, { wallOffsetMs: -3929, rate: 1.0003 }, { wallOffsetMs: -3608, rate: 0.9998 }],
    )],
    [211, five(
      [{ kind: 'slow-node', atMs: 1263, node: 3, extraMs: 135, forMs: 789 }, { kind: 'sync-fail', atMs: 2752, node: 0, forMs: 202 }, { kind: 'kill', atMs: 3057, node: 4, forMs: 1531 }, { kind: 'partition', atMs: 4781, side: [1], oneWay: false, forMs: 2219 }],
      [{ wallOffsetMs: 3227, rate: 0.9969 }, { wallOffsetMs: 4152, rate: 0.9981 }, { wallOffsetMs: -373, rate: 1.002 }, { wallOffsetMs: 1246, rate: 0.9966 }, { wallOffsetMs: 424, rate: 0.9957 }],
      true,
    )],
  ]
  for (const [seed, faults] of cases) {
    const result = await replay(seed, faults)
    assert.deepEqual(result.violations, [], `seed ${seed}: ${explain(result)}`)
  }
})

test('a stepped wall clock jumps by the step at once, leaves the monotonic clock alone, and outlives a restart of the node', async () => {
  const cluster = new SimCluster({ seed: 1, nodes: 1, replicationFactor: 1 })
  let started = false
  void cluster.start(0).then(() => { started = true })
  for (let t = 0; !started; t += 10) {
    assert.ok(t < 30_000, 'the node started')
    await cluster.env.scheduler.advance(10)
  }
  const clock = (): { now: number; mono: number } => ({ now: cluster.slots[0]!.env!.clock.nowMs(), mono: cluster.slots[0]!.env!.clock.monotonicMs() })
  const before = clock()
  cluster.stepClock(0, -5000)
  const after = clock()
  assert.equal(after.now - before.now, -5000)
  assert.equal(after.mono, before.mono)
  cluster.crash(0)
  let restarted = false
  void cluster.start(0).then(() => { restarted = true })
  for (let t = 0; !restarted; t += 10) await cluster.env.scheduler.advance(10)
  assert.ok(Math.abs(cluster.slots[0]!.env!.clock.nowMs() - (cluster.env.clock.nowMs() - 5000)) < 1, 'the restarted process reads the stepped clock')
})
