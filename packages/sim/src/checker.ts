// The invariants a run must hold, checked against the history and the final copies:
//   - durability: a key ends at its last acknowledged write (or at a write in doubt, which may land
//     late), and a list holds every acknowledged append exactly once, acknowledged ones in order,
//     with its counter equal to its length; a deleted record does not come back (no zombie);
//   - reads during the run see only values some write wrote;
//   - no write is acknowledged past the lease deadline while the membership store is unreachable;
//   - no answer is SERVER_ERROR and no simulated process logs an error.
// Durability findings of runs that may lose data by design (AP under a network partition, or a
// second node lost before migrations restored the copies) are counted as losses, not violations.
import { partitionId } from '@aerolite/protocol'
import type { RecordState } from './copies.ts'
import type { History, KeyInfo, OpRecord } from './workload.ts'

export interface Finding {
  kind: 'lost-write' | 'zombie' | 'phantom' | 'duplicate' | 'out-of-order' | 'counter-mismatch' | 'bad-read' | 'ack-while-fenced' | 'server-error' | 'process-error' | 'copies-differ' | 'not-stable'
  detail: string
}

/** The store unreachable: for every node, or (host set) for one node, which mastered `pids` then. */
export interface StoreOutage {
  fromMs: number
  toMs: number
  host?: string
  pids?: ReadonlySet<number>
}

export interface CheckInput {
  keys: readonly KeyInfo[]
  history: History
  /** The final state of each key (by name) as the master holds it; undefined: absent. */
  finalState: ReadonlyMap<string, RecordState | undefined>
  outages: readonly StoreOutage[]
  /** Lease TTL plus the longest delivery delay: acks later than this after an outage began are violations. */
  fenceBoundMs: number
  /**
   * Nodes given a disk fault, from when: SERVER_ERROR answers since then are the right answer, from
   * them or from any node (one may relay the answer of the master it proxied the command to).
   */
  diskFaults?: ReadonlyArray<{ host: string; fromMs: number }>
}

export function checkKeys(input: CheckInput): Finding[] {
  const findings: Finding[] = []
  for (const key of input.keys) {
    const ops = input.history.of(key.key)
    const final = input.finalState.get(key.key)
    if (key.kind === 'register') findings.push(...checkRegister(key.key, ops, final))
    else findings.push(...checkList(key.key, ops, final))
  }
  for (const op of input.history.serverErrors) {
    if (input.diskFaults?.some((fault) => op.endMs >= fault.fromMs) === true) continue
    findings.push({ kind: 'server-error', detail: `${describe(op)} answered SERVER_ERROR` })
  }
  findings.push(...checkFencing(input))
  return findings
}

function checkRegister(key: string, ops: readonly OpRecord[], final: RecordState | undefined): Finding[] {
  const findings: Finding[] = []
  const written = new Set(ops.filter((op) => op.kind === 'put').map((op) => op.value!))
  for (const op of ops) {
    const seen = op.read?.v
    if ((op.kind === 'get' || op.kind === 'batch-get') && seen !== undefined && !written.has(seen)) findings.push({ kind: 'bad-read', detail: `${describe(op)} read ${seen}, which no write of ${key} wrote` })
  }
  const writes = ops.filter((op) => op.kind === 'put' || op.kind === 'delete')
  let lastDefinite = -1
  writes.forEach((op, i) => { if (op.verdict !== 'in-doubt') lastDefinite = i })
  const allowed = new Set<number | 'absent'>()
  const base = writes[lastDefinite]
  allowed.add(base === undefined || base.kind === 'delete' ? 'absent' : base.value!)
  // A write in doubt may take effect any time after it was sent, even after later writes (a node
  // stopped with the request in its socket buffer runs it when it continues, as Aerospike would).
  for (const op of writes) if (op.verdict === 'in-doubt') allowed.add(op.kind === 'delete' ? 'absent' : op.value!)
  const actual = final?.v ?? 'absent'
  if (allowed.has(actual)) return findings
  const expected = [...allowed].join(' or ')
  if (actual !== 'absent' && !written.has(actual)) findings.push({ kind: 'phantom', detail: `${key} holds ${actual}, which no write wrote (expected ${expected})` })
  else if (base?.kind === 'delete' && actual !== 'absent') findings.push({ kind: 'zombie', detail: `${key} holds ${actual} after ${describe(base)} (expected ${expected})` })
  else findings.push({ kind: 'lost-write', detail: `${key} holds ${actual}, expected ${expected} after ${base === undefined ? 'no acknowledged write' : describe(base)}` })
  return findings
}

function checkList(key: string, ops: readonly OpRecord[], final: RecordState | undefined): Finding[] {
  const findings: Finding[] = []
  const appends = ops.filter((op) => op.kind === 'append')
  const attempted = new Map(appends.map((op) => [op.value!, op]))
  for (const op of ops) {
    if ((op.kind !== 'get' && op.kind !== 'batch-get') || op.read === undefined) continue
    const problem = listProblem(op.read, attempted)
    if (problem !== undefined) findings.push({ kind: 'bad-read', detail: `${describe(op)} read ${key} = ${JSON.stringify(op.read)}: ${problem.detail}` })
  }
  const list = final?.l ?? []
  const problem = final === undefined ? undefined : listProblem(final, attempted)
  if (problem !== undefined) findings.push({ kind: problem.kind, detail: `${key} ends as ${JSON.stringify(final)}: ${problem.detail}` })
  const present = new Set(list)
  for (const op of appends) {
    if (op.verdict === 'ok' && !present.has(op.value!)) findings.push({ kind: 'lost-write', detail: `${key} lacks ${op.value} of ${describe(op)}` })
  }
  return findings
}

/**
 * What is wrong with a list record's state, if anything: a value never appended, a value twice,
 * acknowledged appends out of their order (appends in doubt may land late, anywhere after), or a
 * counter that is not the list's length.
 */
function listProblem(state: RecordState, appends: ReadonlyMap<number, OpRecord>): Pick<Finding, 'kind' | 'detail'> | undefined {
  const list = state.l ?? []
  const seen = new Set<number>()
  let lastAcknowledged = -Infinity
  for (const value of list) {
    const op = appends.get(value)
    if (op === undefined) return { kind: 'phantom', detail: `${value} was never appended` }
    if (seen.has(value)) return { kind: 'duplicate', detail: `${value} twice` }
    seen.add(value)
    if (op.verdict !== 'ok') continue
    if (value < lastAcknowledged) return { kind: 'out-of-order', detail: `acknowledged appends out of order at ${value}` }
    lastAcknowledged = value
  }
  if ((state.c ?? 0) !== list.length) return { kind: 'counter-mismatch', detail: `counter ${state.c ?? 0} is not the list's length ${list.length} (append and increment are one operation)` }
  return undefined
}

/**
 * No write acknowledged past the lease deadline while the store is out of reach: from any node when
 * it is down for all; when one node is cut off, from that node as the master it still believes it
 * is (it may relay the answers of the nodes that took over, which hold their leases).
 */
function checkFencing(input: CheckInput): Finding[] {
  const findings: Finding[] = []
  const pidOf = new Map(input.keys.map((key) => [key.key, partitionId(key.digest)]))
  for (const outage of input.outages) {
    const deadline = outage.fromMs + input.fenceBoundMs
    for (const op of input.history.ops) {
      if (op.kind === 'get' || op.kind === 'batch-get' || op.verdict !== 'ok' || op.endMs <= deadline || op.endMs >= outage.toMs) continue
      if (outage.host !== undefined && (op.node !== outage.host || outage.pids?.has(pidOf.get(op.key)!) !== true)) continue
      const whose = outage.host === undefined ? 'the membership store became unreachable' : `${outage.host} was cut off from the membership store`
      findings.push({ kind: 'ack-while-fenced', detail: `${describe(op)} was acknowledged ${(op.endMs - outage.fromMs).toFixed(1)} ms after ${whose} (bound ${input.fenceBoundMs} ms)` })
    }
  }
  return findings
}

export function describe(op: OpRecord): string {
  const kind = op.batch === true ? `batch ${op.kind}` : op.kind
  const what = op.value === undefined ? kind : `${kind} ${op.value}`
  return `${what} on ${op.key} (${op.startMs.toFixed(1)}..${op.endMs.toFixed(1)} ms, ${op.verdict}${op.resultCode === undefined ? '' : `, code ${op.resultCode}`}${op.node === undefined ? '' : ` from ${op.node}`})`
}
