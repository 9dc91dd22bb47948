// The copy report message: per namespace the full, has-data and dirty bits, then the members of
// the sender's last cluster (a report without them, from an older build, names none).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PayloadWriter } from '../../src/cluster/fabric/codec.ts'
import { ViewExchange, decodeCopyReports, encodeCopyReports } from '../../src/cluster/exchange.ts'
import { newPartitionBits, setBit, type CopyReport } from '../../src/cluster/partition-plan.ts'
import { makeView } from '../../src/cluster/view.ts'
import { memberInfo } from './member-harness.ts'

function report(pid: number): CopyReport {
  const full = newPartitionBits()
  setBit(full, pid, true)
  return { full, hasData: Uint8Array.from(full), dirty: newPartitionBits() }
}

test('a copy report carries the members of its sender\'s last cluster; one without them names none', () => {
  const reports = new Map([['test', report(7)]])
  const decoded = decodeCopyReports(encodeCopyReports(reports, ['A1', 'B2']))
  assert.deepEqual(decoded.lastMembers, ['A1', 'B2'])
  assert.deepEqual(decoded.reports, reports)
  const older = new PayloadWriter(64).u8(1).string('test').raw(reports.get('test')!.full).raw(reports.get('test')!.hasData).raw(reports.get('test')!.dirty).finish()
  assert.deepEqual(decodeCopyReports(older), { reports, lastMembers: [] })
})

test('the absent members of the last cluster are the ones some member names and the view lacks, the same on every node', () => {
  const view = makeView(5, ['A1', 'C3'].map(memberInfo))
  const onA = new ViewExchange(view, 'A1', new Map(), ['A1', 'B2', 'C3'])
  const onC = new ViewExchange(view, 'C3', new Map(), ['C3', '?'])
  onA.receive('C3', new Map(), ['C3', '?'])
  onC.receive('A1', new Map(), ['A1', 'B2', 'C3'])
  assert.deepEqual(onA.absentLastMembers(), ['?', 'B2'])
  assert.deepEqual(onC.absentLastMembers(), onA.absentLastMembers())
})
