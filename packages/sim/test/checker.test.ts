// The checker on histories written by hand: each invariant reports its violation, and what the
// clients were told leaves room for (writes in doubt, landing late) is accepted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { partitionId } from '@aerolite/protocol'
import { checkKeys, type CheckInput, type StoreOutage } from '../src/checker.ts'
import type { RecordState } from '../src/copies.ts'
import { History, workloadKeys, type OpRecord } from '../src/workload.ts'

const KEYS = workloadKeys({ clients: 1, registerKeys: 1, listKeys: 1, meanThinkMs: 1, batchReadShare: 0, batchWriteShare: 0 })
let clock = 0

function op(key: string, kind: OpRecord['kind'], value: number | undefined, verdict: OpRecord['verdict'] = 'ok', extra: Partial<OpRecord> = {}): OpRecord {
  clock += 10
  return { key, kind, value, verdict, resultCode: verdict === 'ok' ? 0 : undefined, startMs: clock, endMs: clock + 1, node: '10.0.0.1', ...extra }
}

function kinds(ops: OpRecord[], final: Record<string, RecordState | undefined>, outages: StoreOutage[] = [], diskFaults: CheckInput['diskFaults'] = []): string[] {
  const history = new History()
  for (const o of ops) history.add(o)
  return checkKeys({ keys: KEYS, history, finalState: new Map(Object.entries(final)), outages, fenceBoundMs: 2002, diskFaults }).map((f) => f.kind)
}

test('a register ends at its last acknowledged write, or at a write in doubt', () => {
  const ops = [op('r0', 'put', 1), op('r0', 'put', 2, 'in-doubt'), op('r0', 'put', 3)]
  assert.deepEqual(kinds(ops, { r0: { v: 3 } }), [])
  assert.deepEqual(kinds(ops, { r0: { v: 2 } }), [], 'the write in doubt landed late')
  assert.deepEqual(kinds(ops, { r0: { v: 1 } }), ['lost-write'])
  assert.deepEqual(kinds(ops, { r0: undefined }), ['lost-write'])
  assert.deepEqual(kinds(ops, { r0: { v: 99 } }), ['phantom'])
})

test('a deleted register stays deleted', () => {
  const ops = [op('r0', 'put', 1), op('r0', 'delete', undefined)]
  assert.deepEqual(kinds(ops, { r0: undefined }), [])
  assert.deepEqual(kinds(ops, { r0: { v: 1 } }), ['zombie'])
})

test('a list holds every acknowledged append once, in order, with its counter', () => {
  const ops = [op('l0', 'append', 1), op('l0', 'append', 2, 'in-doubt'), op('l0', 'append', 3)]
  assert.deepEqual(kinds(ops, { l0: { l: [1, 3], c: 2 } }), [])
  assert.deepEqual(kinds(ops, { l0: { l: [1, 3, 2], c: 3 } }), [], 'the append in doubt landed late')
  assert.deepEqual(kinds(ops, { l0: { l: [1], c: 1 } }), ['lost-write'])
  assert.deepEqual(kinds(ops, { l0: { l: [1, 3, 3], c: 3 } }), ['duplicate'])
  assert.deepEqual(kinds(ops, { l0: { l: [3, 1], c: 2 } }), ['out-of-order'])
  assert.deepEqual(kinds(ops, { l0: { l: [1, 3], c: 3 } }), ['counter-mismatch'])
  assert.deepEqual(kinds(ops, { l0: { l: [1, 3, 9], c: 3 } }), ['phantom'])
})

test('reads see only written values', () => {
  const ops = [op('r0', 'put', 1), op('r0', 'get', undefined, 'ok', { read: { v: 7 } })]
  assert.deepEqual(kinds(ops, { r0: { v: 1 } }), ['bad-read'])
})

test('no write is acknowledged past the lease deadline while the store is out of reach', () => {
  clock = 0
  const late = op('r0', 'put', 1, 'ok', { startMs: 3000, endMs: 3001 })
  assert.deepEqual(kinds([late], { r0: { v: 1 } }, [{ fromMs: 500, toMs: 4000 }]), ['ack-while-fenced'])
  assert.deepEqual(kinds([late], { r0: { v: 1 } }, [{ fromMs: 2000, toMs: 4000 }]), [], 'within the bound')
  const pid = partitionId(KEYS[0]!.digest)
  const cut = (pids: number[], host = '10.0.0.1'): StoreOutage => ({ fromMs: 500, toMs: 4000, host, pids: new Set(pids) })
  assert.deepEqual(kinds([late], { r0: { v: 1 } }, [cut([pid])]), ['ack-while-fenced'], 'the cut-off node as master')
  assert.deepEqual(kinds([late], { r0: { v: 1 } }, [cut([])]), [], 'the cut-off node relaying another master')
  assert.deepEqual(kinds([late], { r0: { v: 1 } }, [cut([pid], '10.0.0.2')]), [], 'another node')
})

test('SERVER_ERROR answers are violations, unless a disk fault began before them (on any node: an answer may be relayed from the master)', () => {
  const failed = op('r0', 'put', 1, 'in-doubt', { resultCode: 1 })
  assert.deepEqual(kinds([failed], { r0: { v: 1 } }), ['server-error'])
  assert.deepEqual(kinds([failed], { r0: { v: 1 } }, [], [{ host: '10.0.0.3', fromMs: failed.endMs - 5 }]), [], 'relayed from a node whose sync failed')
  assert.deepEqual(kinds([failed], { r0: { v: 1 } }, [], [{ host: '10.0.0.1', fromMs: failed.endMs + 5 }]), ['server-error'], 'before the fault began')
})
