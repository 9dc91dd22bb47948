// `aerolite cluster up|down`: a local cluster of real processes, one etcd and N nodes, for trying
// the cluster out and for fault tests. `up` records every PID in DATA_DIR/cluster.json as it goes,
// so `down` (or a failed `up` cleaning after itself) stops exactly those processes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseInfoResponse } from '@aerolite/protocol'
import { UsageError, parseArgs, parsePort } from './args.ts'
import {
  ETCD_MISSING, belongsToCluster, etcdInstalled, freePort, portFree, readState, sleep, startDetached, statePath, stopProcess, tail, writeState,
  type ClusterState, type Started,
} from './cluster-processes.ts'
import { requestInfo } from './info-request.ts'
import { SERVING_NODE_FLAGS } from './serving-node-flags.ts'

export const CLUSTER_USAGE = `usage: aerolite cluster up [--nodes N] [--port P] [--replication-factor R] [--data-dir DIR] [--timeout MS]
       aerolite cluster down [--data-dir DIR] [--timeout MS]

  up    starts etcd (it must be on PATH) and N nodes ("aerolite start --etcd ...") on service ports
        P..P+N-1, each logging to DIR/node-I.log; prints each node's address and waits until the
        cluster is stable (every node answers cluster-stable:size=N with the same cluster key)
  down  stops the nodes and etcd recorded in DIR/cluster.json (SIGTERM, then SIGKILL after --timeout)

  --nodes N               nodes (default 3)
  --port P                service port of the first node (default 3000)
  --replication-factor R  copies of each record in namespace "test" (in memory; default 2)
  --data-dir DIR          logs, node configs, etcd's data and the state file (default ./aerolite-cluster)
  --timeout MS            up: how long to wait for a stable cluster (default 60000);
                          down: how long each process may drain before SIGKILL (default 10000)
`

const MAX_NODES = 32

export async function cluster(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['nodes', 'port', 'replication-factor', 'data-dir', 'timeout'], switches: ['help'] })
  if (args.switches.has('help')) {
    process.stdout.write(CLUSTER_USAGE)
    return 0
  }
  const [action, ...extra] = args.positional
  if (extra.length > 0) throw new UsageError(`cluster ${action} takes no arguments, got "${extra[0]}"`)
  const dataDir = resolve(args.flags.get('data-dir') ?? 'aerolite-cluster')
  const timeout = (fallback: number): number => positive(args.flags.get('timeout') ?? String(fallback), 'timeout')
  if (action === 'down') {
    for (const flag of ['nodes', 'port', 'replication-factor']) if (args.flags.has(flag)) throw new UsageError(`--${flag} is an option of "cluster up", not "cluster down"`)
    return await down(dataDir, timeout(10_000))
  }
  if (action !== 'up') throw new UsageError(action === undefined ? 'cluster needs an action: up or down' : `unknown cluster action "${action}" (actions: up, down)`)
  const nodes = positive(args.flags.get('nodes') ?? '3', 'nodes')
  if (nodes > MAX_NODES) throw new UsageError(`--nodes ${nodes} is more than ${MAX_NODES} nodes on one machine`)
  const port = parsePort(args.flags.get('port') ?? '3000', 'port')
  if (port === 0 || port + nodes - 1 > 65535) throw new UsageError(`--port ${port}: the ports ${port}..${port + nodes - 1} must lie within 1..65535`)
  const replicationFactor = positive(args.flags.get('replication-factor') ?? '2', 'replication-factor')
  if (replicationFactor > nodes) throw new UsageError(`--replication-factor ${replicationFactor} is more than the ${nodes} node(s): at most one copy per node`)
  return await up({ nodes, port, replicationFactor, dataDir, stableTimeoutMs: timeout(60_000) })
}

function positive(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) === 0) throw new UsageError(`--${flag} "${text}" is not a positive whole number`)
  return Number(text)
}

interface UpOptions {
  nodes: number
  port: number
  replicationFactor: number
  dataDir: string
  stableTimeoutMs: number
}

const HOST = '127.0.0.1'

async function up(options: UpOptions): Promise<number> {
  const { nodes, port, dataDir } = options
  if (!etcdInstalled()) return fail(ETCD_MISSING)
  const previous = readState(dataDir)
  if (previous !== undefined && [previous.etcd, ...previous.nodes].some((p) => p !== undefined && belongsToCluster(p.pid, dataDir))) {
    return fail(`a cluster started from ${dataDir} is still running: stop it with "aerolite cluster down --data-dir ${dataDir}"`)
  }
  for (let i = 0; i < nodes; i++) {
    if (!(await portFree(HOST, port + i))) return fail(`port ${port + i} on ${HOST} is in use: choose other ports with --port`)
  }
  mkdirSync(dataDir, { recursive: true })
  const state: ClusterState = { dataDir, etcd: undefined, nodes: [] }
  writeState(state)
  const exits: Array<{ what: string; log: string; started: Started }> = []
  try {
    await startEtcd(state, exits)
    for (let i = 0; i < nodes; i++) startNode(state, options, i, exits)
    // Every node must serve before stability can be asked; a node that exits fails the whole up.
    for (const node of state.nodes) await untilServing(node.host, node.port, exits, 30_000)
    for (const node of state.nodes) process.stdout.write(`node ${node.index + 1}: ${node.host}:${node.port}  log ${node.log}\n`)
    const started = Date.now()
    const key = await untilStable(state, exits, options.stableTimeoutMs)
    process.stdout.write(`cluster of ${nodes} nodes stable (cluster key ${key}, replication factor ${options.replicationFactor}) after ${Date.now() - started} ms\n`)
    process.stdout.write(`etcd: ${HOST}:${state.etcd!.clientPort}  stop everything with: aerolite cluster down --data-dir ${dataDir}\n`)
    return 0
  } catch (err) {
    process.stderr.write(`aerolite: ${(err as Error).message}\n`)
    // Nothing half-started is left running: what was recorded is stopped again.
    await stopAll(state, 2000)
    return 1
  }
}

async function startEtcd(state: ClusterState, exits: Array<{ what: string; log: string; started: Started }>): Promise<void> {
  const clientPort = await freePort(HOST)
  const peerPort = await freePort(HOST)
  const etcdDir = join(state.dataDir, 'etcd')
  // A fresh etcd each time: member keys of an earlier run would show nodes that no longer exist.
  rmSync(etcdDir, { recursive: true, force: true })
  const log = join(state.dataDir, 'etcd.log')
  const client = `http://${HOST}:${clientPort}`
  const peer = `http://${HOST}:${peerPort}`
  const started = startDetached('etcd', [
    '--name', 'aerolite', '--data-dir', etcdDir,
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `aerolite=${peer}`,
  ], log)
  state.etcd = { pid: started.pid, log, clientPort, peerPort, dataDir: etcdDir }
  writeState(state)
  exits.push({ what: 'etcd', log, started })
  const deadline = Date.now() + 15_000
  for (;;) {
    await checkExits(exits)
    try {
      if ((await fetch(`${client}/health`, { signal: AbortSignal.timeout(1000) })).ok) return
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`etcd did not answer ${client}/health within 15 s; its log ${log}:\n${tail(log)}`)
    await sleep(100)
  }
}

function startNode(state: ClusterState, options: UpOptions, index: number, exits: Array<{ what: string; log: string; started: Started }>): void {
  const config = join(options.dataDir, `node-${index + 1}.conf`)
  writeFileSync(config, [
    '# written by aerolite cluster up',
    'namespace test {',
    `    replication-factor ${options.replicationFactor}`,
    '    storage-engine memory',
    '}',
    '',
  ].join('\n'))
  const log = join(options.dataDir, `node-${index + 1}.log`)
  const port = options.port + index
  // The nodes run the same aerolite entry as this command; fabric port 0 lets each node take a
  // free port itself (no gap between choosing a port and binding it).
  const started = startDetached(process.execPath, [
    ...SERVING_NODE_FLAGS, process.argv[1]!, 'start', '--config', config, '--port', String(port), '--address', HOST,
    '--etcd', `${HOST}:${state.etcd!.clientPort}`, '--fabric-port', '0',
  ], log)
  state.nodes.push({ index, pid: started.pid, log, host: HOST, port, config })
  writeState(state)
  exits.push({ what: `node ${index + 1}`, log, started })
}

/** Throws naming the first started process that has exited, with the end of its log. */
async function checkExits(exits: ReadonlyArray<{ what: string; log: string; started: Started }>): Promise<void> {
  const exited = await Promise.race([
    ...exits.map(async (e) => ({ e, how: await e.started.exited })),
    sleep(0).then(() => undefined),
  ])
  if (exited !== undefined) throw new Error(`${exited.e.what} ${exited.how}; its log ${exited.e.log}:\n${tail(exited.e.log)}`)
}

async function untilServing(host: string, port: number, exits: ReadonlyArray<{ what: string; log: string; started: Started }>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs
  for (;;) {
    await checkExits(exits)
    try {
      await requestInfo(host, port, ['status'], 1000)
      return
    } catch {
      if (Date.now() > deadline) throw new Error(`the node on ${host}:${port} did not answer within ${withinMs} ms`)
      await sleep(100)
    }
  }
}

/** Waits until every node answers cluster-stable:size=N with one cluster key; returns the key. */
async function untilStable(state: ClusterState, exits: ReadonlyArray<{ what: string; log: string; started: Started }>, withinMs: number): Promise<string> {
  const command = `cluster-stable:size=${state.nodes.length}`
  const deadline = Date.now() + withinMs
  let last = ''
  for (;;) {
    await checkExits(exits)
    const keys = new Set<string>()
    for (const node of state.nodes) {
      try {
        const answer = parseInfoResponse(await requestInfo(node.host, node.port, [command], 2000)).get(command) ?? ''
        keys.add(answer)
        if (answer.startsWith('ERROR')) last = `${node.host}:${node.port} answers ${answer}`
      } catch (err) {
        keys.add('')
        last = (err as Error).message
      }
    }
    const [key] = keys
    if (keys.size === 1 && key !== undefined && key !== '' && !key.startsWith('ERROR')) return key
    if (Date.now() > deadline) throw new Error(`the cluster was not stable within ${withinMs} ms (last: ${last || 'the nodes answer different cluster keys'})`)
    await sleep(200)
  }
}

async function down(dataDir: string, graceMs: number): Promise<number> {
  const state = readState(dataDir)
  if (state === undefined) return fail(`no cluster is recorded in ${dataDir} (${statePath(dataDir)} does not exist): give the --data-dir that "cluster up" used`)
  const results = await stopAll(state, graceMs)
  for (const line of results) process.stdout.write(`${line}\n`)
  rmSync(statePath(dataDir), { force: true })
  return 0
}

/** Stops the nodes (in parallel), then etcd: nodes leave the membership while etcd still answers. */
async function stopAll(state: ClusterState, graceMs: number): Promise<string[]> {
  const lines = await Promise.all(state.nodes.map(async (node) => `node ${node.index + 1} (${node.host}:${node.port}, pid ${node.pid}): ${await stopProcess(node.pid, state.dataDir, graceMs)}`))
  if (state.etcd !== undefined) lines.push(`etcd (pid ${state.etcd.pid}): ${await stopProcess(state.etcd.pid, state.dataDir, graceMs)}`)
  return lines
}

function fail(message: string): number {
  process.stderr.write(`aerolite: ${message}\n`)
  return 1
}
