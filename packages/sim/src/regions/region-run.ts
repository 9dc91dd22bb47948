// Two regions and a global entry point in network namespaces, and what a region's loss costs:
// region A and region B (one `aerolite start` each, shipping to each other with XDR), HAProxy from
// `aerolite deploy global-lb` in the client's namespace, and the application there (region-client.ts)
// writing through it. The run measures the lag from A to B while healthy, cuts A off (every frame
// to or from it dropped at the bridge), measures how long until the application is served by B
// (RTO) and how many writes A acknowledged that B lacks (RPO), heals A and measures how long until
// both regions hold the same records. The active-active run has a writer in region B too, writing
// every key again shortly after the application wrote it in A, with conflict-resolve-writes on both
// sides: both regions must end with the later write of every record. Needs root, ip, nft and haproxy.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'
import type * as AerospikeModule from 'aerospike'
import { renderHaproxyConfig } from '../../../cli/src/deploy/global-lb.ts'
import { NetNamespaces, netNamespacesUsable } from '../net-namespaces.ts'
import { NodeChild, info, sleep } from '../real-processes.ts'
import type { RegionClientOptions } from './region-client.ts'

const Aerospike = createRequire(import.meta.url)('aerospike') as typeof AerospikeModule
const CLIENT_SCRIPT = fileURLToPath(new URL('./region-client.ts', import.meta.url))
const SERVICE_PORT = 3000
const ENTRY_PORT = 3100
const SET = 'w'
/** The entry point's health checks: a dead region is passed over within fall × 2 × interval. */
const CHECK = { intervalMs: 500, fall: 2, rise: 2 }

export interface RegionRunOptions {
  /** Region B takes writes of the same records too (conflict resolution on in both regions). */
  activeActive: boolean
  ratePerSecond: number
  /** Writing with both regions up, before the cut. */
  healthyMs: number
  /** Region A cut off. */
  outageMs: number
  /** XDR period-ms of both regions. */
  periodMs: number
  /** The application's client tend interval (the official clients' default: 1000). */
  clientTendIntervalMs: number
  /** Its connect timeout (the official clients' default: 1000). */
  clientConnectTimeoutMs: number
  /** After the heal: the most the regions may take to hold the same records. */
  convergeLimitMs: number
}

export interface RegionRunReport {
  options: RegionRunOptions
  lag: { samples: number; p50Ms: number; p99Ms: number; maxMs: number; notSeenWithin5s: number }
  /** From the cut to the first write the application got acknowledged by region B. */
  rtoMs: number
  /** The steps of the failover, in ms after the cut: the entry point passes A over, the client drops A's node, finds B's. */
  failover: { entryMarkedADownMs: number; clientDroppedAMs: number; clientFoundBMs: number }
  /** Writes that failed or timed out between the cut and the first one B acknowledged. */
  failedWrites: number
  rpo: { ackedByA: number; missingInB: number; oldestMissingMsBeforeCut: number }
  converge: { ms: number; recordsA: number; recordsB: number; identical: boolean; ackedMissing: number }
  /**
   * The final version of records no write of which failed (a timed-out one may have landed).
   * Where the last write was sent after every other write of the record was acknowledged, it is
   * the latest by any clock and must win: `checked` such records, `wrong` held at another version.
   * Where writes overlapped, either may win: `overlapping`. `unknown`: records held at a version
   * no acknowledged write made.
   */
  latestWins: { checked: number; wrong: number; overlapping: number; unknown: number }
  /** Shipped versions each region refused as older than its own (fail_xdr_lost_conflict). */
  lostConflicts: { a: number; b: number }
  /** Records each region shipped: each its own writes, nothing back (no loop). */
  shipped: { fromA: number; fromB: number; writtenInA: number; writtenInB: number }
}

/** Why this machine cannot run it, or undefined. */
export function regionsUnusable(): string | undefined {
  const namespaces = netNamespacesUsable()
  if (namespaces !== undefined) return namespaces
  return spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).error === undefined ? undefined : 'the global entry point needs `haproxy` (apt-get install haproxy)'
}

function regionConfig(host: string, srcId: number, other: { name: string; host: string }, options: RegionRunOptions): string[] {
  return [
    `service { node-id ${srcId === 1 ? 'A' : 'B'}00000000000001 }`,
    `network { service { access-address ${host} } }`,
    `namespace test { conflict-resolve-writes ${options.activeActive} }`,
    'xdr {',
    `    src-id ${srcId}`,
    `    dc ${other.name} {`,
    `        node-address-port ${other.host} ${SERVICE_PORT}`,
    `        period-ms ${options.periodMs}`,
    '        namespace test { }',
    '    }',
    '}',
  ]
}

function percentile(sorted: number[], fraction: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!
}

interface ClientEvent { t: string; i?: number; by?: 'a' | 'b'; sentAt?: number; ackAt?: number; ms?: number; at?: number; address?: string }

/** The records of the run's set in one region, as i → the write time it carries. */
async function recordsOf(host: string): Promise<Map<number, number>> {
  const client = await Aerospike.connect({ hosts: [{ addr: host, port: SERVICE_PORT }], log: { level: Aerospike.log.OFF } })
  try {
    const records = await client.scan('test', SET).results()
    return new Map(records.map((r) => [r.bins.i as number, r.bins.at as number]))
  } finally {
    client.close()
  }
}

/** One number out of a region's answer to an info command of name=value pairs. */
async function statOf(host: string, command: string, name: string): Promise<number> {
  const answer = (await info(host, SERVICE_PORT, [command])).values().next().value ?? ''
  return Number(new RegExp(`(?:^|;)${name}=(\\d+)`).exec(answer)?.[1] ?? NaN)
}

const xdrStat = (host: string, dc: string, name: string): Promise<number> => statOf(host, `get-stats:context=xdr;dc=${dc}`, name)
const lostConflicts = (host: string): Promise<number> => statOf(host, 'namespace/test', 'fail_xdr_lost_conflict')

/** Nothing waiting to ship, nothing awaiting the DC's answer. */
async function shipperIdle(host: string, dc: string): Promise<boolean> {
  return await xdrStat(host, dc, 'in_queue') === 0 && await xdrStat(host, dc, 'in_progress') === 0
}

/** Which version of each record both regions hold, against the writes the application made (see RegionRunReport.latestWins). */
function checkLatestWins(events: readonly ClientEvent[], a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): RegionRunReport['latestWins'] {
  const failed = new Set(events.filter((e) => e.t === 'fail').map((e) => e.i!))
  const writes = new Map<number, ClientEvent[]>()
  for (const e of events) {
    if (e.t !== 'write' || failed.has(e.i!)) continue
    const made = writes.get(e.i!) ?? []
    made.push(e)
    writes.set(e.i!, made)
  }
  const result = { checked: 0, wrong: 0, overlapping: 0, unknown: 0 }
  for (const [i, made] of writes) {
    const held = a.get(i)
    if (held !== b.get(i) || !made.some((e) => e.sentAt === held)) result.unknown++
    const last = made.reduce((x, y) => (y.sentAt! > x.sentAt! ? y : x))
    if (made.some((e) => e !== last && e.ackAt! >= last.sentAt!)) {
      result.overlapping++
      continue
    }
    result.checked++
    if (held !== last.sentAt) result.wrong++
  }
  return result
}

async function waitFor(what: string, check: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = Date.now()
  while (!(await check().catch(() => false))) {
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms: ${what}`)
    await sleep(100)
  }
  return Date.now() - started
}

export async function runRegions(options: RegionRunOptions, log: (line: string) => void = () => undefined): Promise<RegionRunReport> {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-regions-'))
  const nets = new NetNamespaces(3)
  const [a, b, app] = nets.nodes as [typeof nets.nodes[0], typeof nets.nodes[0], typeof nets.nodes[0]]
  const nodes = [
    new NodeChild({ name: 'region-a', host: a.host, dir, wrap: a.wrap, port: SERVICE_PORT, config: regionConfig(a.host, 1, { name: 'regionB', host: b.host }, options) }),
    new NodeChild({ name: 'region-b', host: b.host, dir, wrap: b.wrap, port: SERVICE_PORT, config: regionConfig(b.host, 2, { name: 'regionA', host: a.host }, options) }),
  ]
  const children: ChildProcess[] = []
  try {
    await Promise.all(nodes.map((node) => node.start()))
    const haproxyConfig = join(dir, 'haproxy.cfg')
    writeFileSync(haproxyConfig, renderHaproxyConfig({
      sites: [{ name: 'a', nodes: [{ host: a.host, port: SERVICE_PORT }] }, { name: 'b', nodes: [{ host: b.host, port: SERVICE_PORT }] }],
      listen: { host: app.host, port: ENTRY_PORT }, checkIntervalMs: CHECK.intervalMs, fall: CHECK.fall, rise: CHECK.rise, maxConnections: 2000,
    }, 'the two-region run'))
    const haproxy = spawn(app.wrap[0]!, [...app.wrap.slice(1), 'haproxy', '-f', haproxyConfig, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] })
    children.push(haproxy)
    let entryMarkedADownAt = 0
    haproxy.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (entryMarkedADownAt === 0 && /Server region_a\/\S+ is DOWN/.test(chunk)) entryMarkedADownAt = Date.now()
    })
    await waitFor('the entry point to answer', async () => (await info(app.host, ENTRY_PORT, ['status'])).get('status') === 'ok', 10_000)

    const clientOptions: RegionClientOptions = {
      entry: { host: app.host, port: ENTRY_PORT }, regionB: { host: b.host, port: SERVICE_PORT }, ratePerSecond: options.ratePerSecond, set: SET,
      // Active-active: B writes each key again 50 ms after A did (a conflict on most), and the lag
      // from A to B cannot be sampled (B holds the key already).
      probeEvery: options.activeActive ? 0 : 5, writerInBAfterTicks: options.activeActive ? Math.max(1, Math.round(options.ratePerSecond / 20)) : undefined, tendIntervalMs: options.clientTendIntervalMs, connectTimeoutMs: options.clientConnectTimeoutMs,
    }
    const client = spawn(app.wrap[0]!, [...app.wrap.slice(1), process.execPath, '--import', 'tsx', CLIENT_SCRIPT, JSON.stringify(clientOptions)], { stdio: ['pipe', 'pipe', 'pipe'] })
    children.push(client)
    let clientErrors = ''
    client.stderr!.setEncoding('utf8').on('data', (chunk: string) => { clientErrors += chunk })
    const events: ClientEvent[] = []
    const lines = createInterface({ input: client.stdout! })
    const clientDone = new Promise<void>((resolve) => lines.on('line', (line) => {
      const event = JSON.parse(line) as ClientEvent
      events.push(event)
      if (event.t === 'done') resolve()
    }))
    await waitFor('the application to connect through the entry point', async () => events.some((e) => e.t === 'ready'), 20_000)
      .catch((err: Error) => { throw new Error(`${err.message}; its stderr: ${clientErrors.trim()}`) })

    log(`writing ${options.ratePerSecond}/s through the entry point (region A)${options.activeActive ? ' and again in region B' : ''} for ${options.healthyMs} ms`)
    await sleep(options.healthyMs - 1000)
    // Samples still unseen when A is cut would be lost with it: stop sampling a second before.
    client.stdin!.write('probes-off\n')
    await sleep(1000)
    nets.cut(0)
    const cutAt = Date.now()
    log(`region A cut off at ${cutAt}`)
    const byApplication = (e: ClientEvent): boolean => e.by === 'a'
    await waitFor('the application to be served by region B', async () => events.some((e) => e.t === 'write' && byApplication(e) && e.sentAt! >= cutAt), options.outageMs + 30_000)
    const rtoMs = Math.min(...events.filter((e) => e.t === 'write' && byApplication(e) && e.sentAt! >= cutAt).map((e) => e.ackAt!)) - cutAt
    log(`served by region B ${rtoMs} ms after the cut`)
    const nodeEventMs = (t: string, host: string): number => (events.find((e) => e.t === t && e.at! >= cutAt && e.address?.startsWith(`${host}:`) === true)?.at ?? NaN) - cutAt
    const failover = { entryMarkedADownMs: entryMarkedADownAt - cutAt, clientDroppedAMs: nodeEventMs('nodeRemoved', a.host), clientFoundBMs: nodeEventMs('nodeAdded', b.host) }
    await sleep(Math.max(0, cutAt + options.outageMs - Date.now()))

    // RPO: what A acknowledged before the cut and B holds neither as it is nor replaced by a later
    // write (B hears nothing from A now).
    const ackedByA = events.filter((e) => e.t === 'write' && byApplication(e) && e.ackAt! <= cutAt)
    const inB = await recordsOf(b.host)
    const missing = ackedByA.filter((e) => (inB.get(e.i!) ?? -Infinity) < e.sentAt!)
    nets.heal(0)
    const healAt = Date.now()
    log(`region A back; ${missing.length} acknowledged writes of A were not in B`)
    client.stdin!.write('stop\n')
    await Promise.race([clientDone, sleep(10_000).then(() => { throw new Error(`the application did not stop; its stderr: ${clientErrors.trim()}`) })])

    const acked = events.filter((e) => e.t === 'write')
    let last = { a: new Map<number, number>(), b: new Map<number, number>() }
    const same = (x: Map<number, number>, y: Map<number, number>): boolean => x.size === y.size && [...x].every(([i, at]) => y.get(i) === at)
    await waitFor('both regions to hold the same records, every acknowledged write among them', async () => {
      last = { a: await recordsOf(a.host), b: await recordsOf(b.host) }
      return same(last.a, last.b) && acked.every((e) => last.a.has(e.i!)) && await shipperIdle(a.host, 'regionB') && await shipperIdle(b.host, 'regionA')
    }, options.convergeLimitMs).catch(() => undefined)
    const convergeMs = Date.now() - healAt
    const lags = events.filter((e) => e.t === 'lag').map((e) => e.ms!).sort((x, y) => x - y)
    const latestWins = checkLatestWins(events, last.a, last.b)
    const writtenInA = acked.filter((e) => byApplication(e) && e.ackAt! <= cutAt).length
    return {
      options,
      lag: { samples: lags.length, p50Ms: percentile(lags, 0.5), p99Ms: percentile(lags, 0.99), maxMs: lags.at(-1) ?? 0, notSeenWithin5s: events.filter((e) => e.t === 'lost-probe').length },
      rtoMs,
      failover,
      failedWrites: events.filter((e) => e.t === 'fail' && byApplication(e) && e.sentAt! >= cutAt - 1000 && e.sentAt! <= cutAt + rtoMs).length,
      rpo: { ackedByA: ackedByA.length, missingInB: missing.length, oldestMissingMsBeforeCut: missing.length === 0 ? 0 : cutAt - Math.min(...missing.map((e) => e.ackAt!)) },
      converge: {
        ms: convergeMs, recordsA: last.a.size, recordsB: last.b.size, identical: same(last.a, last.b), ackedMissing: acked.filter((e) => !last.a.has(e.i!) || !last.b.has(e.i!)).length,
      },
      latestWins,
      lostConflicts: { a: await lostConflicts(a.host), b: await lostConflicts(b.host) },
      shipped: { fromA: await xdrStat(a.host, 'regionB', 'success'), fromB: await xdrStat(b.host, 'regionA', 'success'), writtenInA, writtenInB: acked.length - writtenInA },
    }
  } finally {
    for (const child of children) child.kill('SIGKILL')
    await Promise.all(nodes.map((node) => node.stop()))
    nets.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}
