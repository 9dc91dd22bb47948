// A run's faults, drawn from its seed: what happens, when, and for how long. A schedule is plain
// data, so a failing one can be printed, shrunk (faults removed one by one) and replayed as given.
import { SeededRandom } from '@aerolite/server'
import { SIM_WRITE_BLOCKS, SIM_WRITE_BLOCK_BYTES } from './sim-cluster.ts'

export type Fault =
  /** kill -9 of a node (unsynced writes lost); it restarts after `forMs` on what its disk kept. */
  | { kind: 'crash'; atMs: number; node: number; forMs: number }
  /** SIGSTOP then SIGCONT after `forMs`. */
  | { kind: 'pause'; atMs: number; node: number; forMs: number }
  /** The nodes in `side` cannot reach the others (or, one way, cannot send to them). */
  | { kind: 'partition'; atMs: number; side: number[]; oneWay: boolean; forMs: number }
  /** Every link of a node gets extra latency. */
  | { kind: 'slow-node'; atMs: number; node: number; extraMs: number; forMs: number }
  /** The membership store (etcd) is unreachable for everyone. */
  | { kind: 'store-down'; atMs: number; forMs: number }
  /** One node cannot reach the membership store (etcd); it still reaches its peers and clients. */
  | { kind: 'store-cut'; atMs: number; node: number; forMs: number }
  /** kill -9 of the process alone: what it wrote to its files survives in the page cache, synced or not. */
  | { kind: 'kill'; atMs: number; node: number; forMs: number }
  /** A crash whose power cut also tears the last unsynced write of one file. */
  | { kind: 'torn-crash'; atMs: number; node: number; forMs: number }
  /** A node's disk is full (ENOSPC on every write and sync) for a while. */
  | { kind: 'disk-full'; atMs: number; node: number; forMs: number }
  /** A node's next sync fails (EIO), once. */
  | { kind: 'sync-fail'; atMs: number; node: number; forMs: number }
  /** A node's disk answers every read, write and sync `extraMs` late for a while. */
  | { kind: 'disk-slow'; atMs: number; node: number; extraMs: number; forMs: number }
  /** kill -9, and while the node is down `lengthBytes` at `offset` of its `nth` newest write block on disk go bad. */
  | { kind: 'corrupt-block'; atMs: number; node: number; forMs: number; nth: number; offset: number; lengthBytes: number }
  /** SIGTERM: the node drains (leaves the view, writes its index snapshot) and restarts fast from the snapshot after `forMs`. */
  | { kind: 'restart'; atMs: number; node: number; forMs: number }
  /** A node's wall clock steps by `stepMs` (forwards or back, as NTP steps it), and back after `forMs`. */
  | { kind: 'clock-step'; atMs: number; node: number; stepMs: number; forMs: number }

/** A node's clocks against simulated time: its wall clock offset, and how fast both run. */
export interface Skew {
  wallOffsetMs: number
  rate: number
}

export interface Schedule {
  nodes: number
  replicationFactor: number
  /** Writes are acknowledged once synced (crashes alone then lose nothing acknowledged). */
  commitToDevice?: boolean
  /** How long the workload runs; every fault ends before it does. */
  workloadMs: number
  faults: Fault[]
  /** Per node, when the clocks are skewed. */
  skews?: Skew[]
}

export const FAULT_KINDS = ['crash', 'kill', 'pause', 'partition', 'slow-node', 'store-down', 'store-cut', 'torn-crash', 'disk-full', 'sync-fail', 'clock-skew', 'disk-slow', 'corrupt-block', 'restart', 'clock-step'] as const
/** The faults that act on disks: a node may log errors and answer errors for them. */
export const DISK_FAULTS: ReadonlySet<Fault['kind']> = new Set(['torn-crash', 'disk-full', 'sync-fail', 'corrupt-block'])

export type FaultKind = (typeof FAULT_KINDS)[number]

/** The faults of a seed, drawn among `kinds` (all by default; the draws do not depend on which are allowed). */
export function generateSchedule(seed: number, kinds: ReadonlySet<FaultKind> = new Set(FAULT_KINDS)): Schedule {
  const random = streamOf(seed, 0xfa017)
  const pick = random.pick
  // The cluster's shape, from a stream of its own: mostly 3 nodes, sometimes 4 or 5; some runs with
  // commit-to-device.
  const shape = streamOf(seed, 0x54a9)
  const shapeDraw = shape.float()
  const nodes = shapeDraw < 0.1 ? 5 : shapeDraw < 0.2 ? 4 : 3
  const commitToDevice = shape.float() < 0.15
  const workloadMs = 8000
  const faults: Fault[] = []
  const count = pick(1, 3)
  for (let i = 0; i < count; i++) {
    const atMs = pick(500, 5000)
    // Every fault ends a second before the workload does, so the last writes meet a whole cluster.
    const forMs = Math.min(pick(300, 4000), workloadMs - 1000 - atMs)
    const node = pick(0, nodes - 1)
    const draw = random.float()
    const oneWay = random.float() < 0.3
    const extraMs = pick(5, 200)
    let fault: Fault
    if (draw < 0.35) fault = { kind: 'crash', atMs, node, forMs }
    else if (draw < 0.5) fault = { kind: 'pause', atMs, node, forMs }
    else if (draw < 0.7) fault = { kind: 'partition', atMs, side: [node], oneWay, forMs }
    else if (draw < 0.85) fault = { kind: 'slow-node', atMs, node, extraMs, forMs }
    // The one-way draw picks, among store faults, the outage of one node rather than of all.
    else fault = oneWay ? { kind: 'store-cut', atMs, node, forMs } : { kind: 'store-down', atMs, forMs }
    if (kinds.has(fault.kind)) faults.push(fault)
  }
  // Disk faults and skews come from streams of their own, so adding them left the other draws as they were.
  const disk = streamOf(seed, 0xd15c)
  const diskPick = disk.pick
  const diskDraw = disk.float()
  const diskAtMs = diskPick(500, 5000)
  const diskForMs = Math.min(diskPick(300, 3000), workloadMs - 1000 - diskAtMs)
  const diskNode = diskPick(0, nodes - 1)
  const diskKind = diskDraw < 0.2 ? 'torn-crash' : diskDraw < 0.35 ? 'disk-full' : diskDraw < 0.5 ? 'sync-fail' : undefined
  if (diskKind !== undefined && kinds.has(diskKind)) faults.push({ kind: diskKind, atMs: diskAtMs, node: diskNode, forMs: diskForMs })
  // Process kills, too, from a stream of their own.
  const kill = streamOf(seed, 0x4b11)
  const killPick = kill.pick
  const killDraw = kill.float()
  const killAtMs = killPick(500, 5000)
  const killFault: Fault = { kind: 'kill', atMs: killAtMs, node: killPick(0, nodes - 1), forMs: Math.min(killPick(300, 3000), workloadMs - 1000 - killAtMs) }
  if (killDraw < 0.3 && kinds.has('kill')) faults.push(killFault)
  // Slow disks, bad blocks and clean restarts, from a stream of their own as well.
  const more = streamOf(seed, 0x5107)
  const morePick = more.pick
  const moreDraw = more.float()
  const moreAtMs = morePick(500, 5000)
  const moreForMs = Math.min(morePick(300, 3000), workloadMs - 1000 - moreAtMs)
  const moreNode = morePick(0, nodes - 1)
  const extraMs = morePick(1, 50)
  const nth = morePick(0, SIM_WRITE_BLOCKS - 1)
  const lengthBytes = morePick(1, 4096)
  const offset = morePick(0, SIM_WRITE_BLOCK_BYTES - lengthBytes)
  const moreFault: Fault | undefined = moreDraw < 0.15 ? { kind: 'disk-slow', atMs: moreAtMs, node: moreNode, extraMs, forMs: moreForMs }
    : moreDraw < 0.25 ? { kind: 'corrupt-block', atMs: moreAtMs, node: moreNode, forMs: moreForMs, nth, offset, lengthBytes }
      : moreDraw < 0.4 ? { kind: 'restart', atMs: moreAtMs, node: moreNode, forMs: moreForMs }
        : undefined
  if (moreFault !== undefined && kinds.has(moreFault.kind)) faults.push(moreFault)
  // Clock steps during the run, from a stream of their own too.
  const step = streamOf(seed, 0xc1c2)
  const stepPick = step.pick
  const stepDraw = step.float()
  const stepAtMs = stepPick(500, 5000)
  const stepFault: Fault = {
    kind: 'clock-step', atMs: stepAtMs, node: stepPick(0, nodes - 1), stepMs: (step.float() < 0.5 ? -1 : 1) * stepPick(100, 5000),
    forMs: Math.min(stepPick(300, 3000), workloadMs - 1000 - stepAtMs),
  }
  if (stepDraw < 0.15 && kinds.has('clock-step')) faults.push(stepFault)
  faults.sort((a, b) => a.atMs - b.atMs)
  const clock = streamOf(seed, 0xc10c)
  // Up to 5 s off in wall time, and clocks up to 0.5% fast or slow (NTP keeps real ones far closer).
  const skews = Array.from({ length: nodes }, () => ({ wallOffsetMs: Math.round((clock.float() * 2 - 1) * 5000), rate: 1 + Math.round((clock.float() * 2 - 1) * 50) / 10_000 }))
  return { nodes, replicationFactor: 2, workloadMs, faults, ...(commitToDevice ? { commitToDevice } : {}), ...(kinds.has('clock-skew') ? { skews } : {}) }
}

/** A seeded stream of its own: a family of faults drawn from it leaves the others' draws as they were. */
function streamOf(seed: number, salt: number): { float: () => number; pick: (low: number, high: number) => number } {
  const random = new SeededRandom(seed ^ salt)
  return { float: () => random.float(), pick: (low, high) => low + Math.floor(random.float() * (high - low + 1)) }
}

export function describeFault(fault: Fault): string {
  const when = `at ${fault.atMs} ms for ${fault.forMs} ms`
  switch (fault.kind) {
    case 'crash': return `crash node ${fault.node} ${when}`
    case 'kill': return `kill -9 node ${fault.node} (its files keep what it wrote) ${when}`
    case 'pause': return `pause node ${fault.node} ${when}`
    case 'partition': return `partition [${fault.side.join(',')}] ${fault.oneWay ? 'cannot send to' : 'from'} the rest ${when}`
    case 'slow-node': return `slow node ${fault.node} (+${fault.extraMs} ms per message) ${when}`
    case 'store-down': return `membership store down ${when}`
    case 'store-cut': return `node ${fault.node} cut off from the membership store ${when}`
    case 'torn-crash': return `crash node ${fault.node}, tearing its last unsynced write, ${when}`
    case 'disk-full': return `node ${fault.node}'s disk full ${when}`
    case 'sync-fail': return `node ${fault.node}'s next sync fails at ${fault.atMs} ms`
    case 'disk-slow': return `node ${fault.node}'s disk slow (+${fault.extraMs} ms per read, write and sync) ${when}`
    case 'corrupt-block': return `kill -9 node ${fault.node} and corrupt ${fault.lengthBytes} bytes of its write block ${fault.nth} from the newest (at ${fault.offset}) ${when}`
    case 'restart': return `stop node ${fault.node} cleanly (SIGTERM) and restart it fast ${when}`
    case 'clock-step': return `step node ${fault.node}'s wall clock by ${fault.stepMs} ms ${when}`
  }
}
