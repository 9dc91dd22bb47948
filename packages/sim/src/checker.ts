// The invariants a run must hold, checked against the history and the final copies:
//   - durability: a key ends at its last acknowledged write (or at a later write in doubt), and a
//     list holds every acknowledged append exactly once, in order, with its counter equal to its
//     length; a deleted record does not come back (no zombie);
//   - reads during the run see only values some write wrote;
//   - no write is acknowledged past the lease deadline while the membership store is unreachable;
//   - no answer is SERVER_ERROR and no simulated process logs an error.
// Durability findings of runs that may lose data by design (AP under a network partition, or a
// second node lost before migrations restored the copies) are counted as losses, not violations.
import type { RecordState } from './copies.ts'
import type { History, KeyInfo, OpRecord } from './workload.ts'

export interface Finding {
  kind: 'lost-write' | 'zombie' | 'phantom' | 'duplicate' | 'bad-read' | 'ack-while-fenced' | 'server-error' | 'process-error' | 'copies-differ' | 'not-stable'
  detail: string
}

export interface StoreOutage {
  fromMs: number
  toMs: number
}

export interface CheckInput {
  keys: readonly KeyInfo[]
  history: History
  /** The final state of each key (by name) as the master holds it; undefined: absent. */
  finalState: ReadonlyMap<string, RecordState | undefined>
  outages: readonly StoreOutage[]
  /** Lease TTL plus the longest delivery delay: acks later than this after an outage began are violations. */
  fenceBoundMs: number
}

export function checkKeys(input: CheckInput): Finding[] {
  const findings: Finding[] = []
  for (const key of input.keys) {
    const ops = input.history.of(key.key)
    const final = input.finalState.get(key.key)
    if (key.kind === 'register') findings.push(...checkRegister(key.key, ops, final))
    else findings.push(...checkList(key.key, ops, final))
  }
  for (const op of input.history.serverErrors) findings.push({ kind: 'server-error', detail: `${describe(op)} answered SERVER_ERROR` })
  findings.push(...checkFencing(input))
  return findings
}

function checkRegister(key: string, ops: readonly OpRecord[], final: RecordState | undefined): Finding[] {
  const findings: Finding[] = []
  const written = new Set(ops.filter((op) => op.kind === 'put').map((op) => op.value!))
  for (const op of ops) {
    const seen = op.read?.v
    if (op.kind === 'get' && seen !== undefined && !written.has(seen)) findings.push({ kind: 'bad-read', detail: `${describe(op)} read ${seen}, which no write of ${key} wrote` })
  }
  const writes = ops.filter((op) => op.kind === 'put' || op.kind === 'delete')
  let lastDefinite = -1
  writes.forEach((op, i) => { if (op.verdict !== 'in-doubt') lastDefinite = i })
  const allowed = new Set<number | 'absent'>()
  const base = writes[lastDefinite]
  allowed.add(base === undefined || base.kind === 'delete' ? 'absent' : base.value!)
  for (const op of writes.slice(lastDefinite + 1)) allowed.add(op.kind === 'delete' ? 'absent' : op.value!)
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
  const attempted = new Set(appends.map((op) => op.value!))
  for (const op of ops) {
    if (op.kind !== 'get' || op.read === undefined) continue
    const problem = listProblem(op.read, attempted)
    if (problem !== undefined) findings.push({ kind: 'bad-read', detail: `${describe(op)} read ${key} = ${JSON.stringify(op.read)}: ${problem}` })
  }
  const list = final?.l ?? []
  const problem = final === undefined ? undefined : listProblem(final, attempted)
  if (problem !== undefined) findings.push({ kind: problem.startsWith('duplicate') ? 'duplicate' : 'phantom', detail: `${key} ends as ${JSON.stringify(final)}: ${problem}` })
  const present = new Set(list)
  for (const op of appends) {
    if (op.verdict === 'ok' && !present.has(op.value!)) findings.push({ kind: 'lost-write', detail: `${key} lacks ${op.value} of ${describe(op)}` })
  }
  return findings
}

/** What is wrong with a list record's state, if anything. */
function listProblem(state: RecordState, attempted: ReadonlySet<number>): string | undefined {
  const list = state.l ?? []
  for (let i = 0; i < list.length; i++) {
    if (!attempted.has(list[i]!)) return `${list[i]} was never appended`
    if (i > 0 && list[i]! <= list[i - 1]!) return list[i] === list[i - 1] ? `duplicate ${list[i]}` : `out of order at ${list[i]}`
  }
  if ((state.c ?? 0) !== list.length) return `counter ${state.c ?? 0} is not the list's length ${list.length} (append and increment are one operation)`
  return undefined
}

function checkFencing(input: CheckInput): Finding[] {
  const findings: Finding[] = []
  for (const outage of input.outages) {
    const deadline = outage.fromMs + input.fenceBoundMs
    for (const op of input.history.ops) {
      if (op.kind === 'get' || op.verdict !== 'ok') continue
      if (op.endMs > deadline && op.endMs < outage.toMs) {
        findings.push({ kind: 'ack-while-fenced', detail: `${describe(op)} was acknowledged ${(op.endMs - outage.fromMs).toFixed(1)} ms after the membership store became unreachable (bound ${input.fenceBoundMs} ms)` })
      }
    }
  }
  return findings
}

export function describe(op: OpRecord): string {
  const what = op.value === undefined ? op.kind : `${op.kind} ${op.value}`
  return `${what} on ${op.key} (${op.startMs.toFixed(1)}..${op.endMs.toFixed(1)} ms, ${op.verdict}${op.resultCode === undefined ? '' : `, code ${op.resultCode}`}${op.node === undefined ? '' : ` from ${op.node}`})`
}
