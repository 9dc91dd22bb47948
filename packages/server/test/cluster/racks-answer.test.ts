// `racks:` in a cluster lists, per namespace, the view's members by their rack for that namespace
// (racks ascending, node ids ascending by value); a single node lists itself on its own rack.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { makeView, type MemberInfo } from '../../src/cluster/view.ts'
import type { NodeContext } from '../../src/info/context.ts'
import { racksAnswer } from '../../src/info/cluster-info.ts'

function member(nodeId: string, rackIds: Record<string, number>): MemberInfo {
  return { nodeId, service: { host: '127.0.0.1', port: 3000 }, fabric: { host: '127.0.0.1', port: 3001 }, rackIds, build: 'test' }
}

function context(nodeId: string, racks: Record<string, number>, members: MemberInfo[] | undefined): NodeContext {
  const namespaces = new Map(Object.entries(racks).map(([name, rackId]) => [name, { name, config: { rackId } }]))
  const cluster = members === undefined ? undefined : { currentView: () => makeView(5, members) }
  return { nodeId, namespaces, cluster } as unknown as NodeContext
}

test('racks in a cluster: per namespace, racks ascending, node ids ascending by value', () => {
  const members = [
    member('BB9', { test: 2, bar: 1 }),
    member('1A', { test: 1, bar: 1 }),
    member('C0', { test: 2 }),
    member('B', { test: 1, bar: 0 }),
  ]
  const answer = racksAnswer(context('1A', { test: 1, bar: 1 }, members))
  // 'B' < '1A' < 'C0' < 'BB9' by value; a namespace a member does not list puts it on rack 0.
  assert.equal(answer, 'ns=test:rack_1=B,1A:rack_2=C0,BB9;ns=bar:rack_0=B,C0:rack_1=1A,BB9')
})

test('racks on a single node: itself, on its configured rack', () => {
  assert.equal(racksAnswer(context('A1', { test: 0, bar: 3 }, undefined)), 'ns=test:rack_0=A1;ns=bar:rack_3=A1')
})
