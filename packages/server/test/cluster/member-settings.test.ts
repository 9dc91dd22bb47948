// A member's service settings at the ClusterMember level: below min-cluster-size it joins without
// forming the cluster (no plans, rebalance-generation stays 0) and forms it as soon as the setting
// is lowered; rebalance-generation counts the plans adopted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ClusterMember } from '../../src/cluster/cluster-member.ts'
import { makeView, type View } from '../../src/cluster/view.ts'
import { defaultNamespaceConfig } from '../../src/config/index.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { memoryLogger } from '../storage/harness.ts'
import { fakeMembership, memberInfo } from './member-harness.ts'

async function memberAlone(minClusterSize: number) {
  const env = manualEnv()
  const { log } = memoryLogger()
  const namespace = new Namespace(defaultNamespaceConfig('test'), env, log)
  await namespace.open(log)
  const view: View = makeView(2, [memberInfo('A1')])
  const membership = fakeMembership(view)
  const fabric = { request: () => Promise.reject(new Error('no peer')), onMessage: () => {}, setView: () => {} }
  const settings = { migrateThreads: 1, migrateMaxNumIncoming: 4, minClusterSize }
  const cluster = new ClusterMember({ env, log, namespaces: new Map([['test', namespace]]), membership, fabric, keepServingWithoutLease: false, settings, runProxied: () => Promise.reject(new Error('unused')) })
  return { cluster, settings }
}

test('a view below min-cluster-size: joined without plans; lowering the setting forms the cluster at once', async () => {
  const { cluster, settings } = await memberAlone(2)
  await cluster.join(memberInfo('A1'))
  assert.equal(cluster.belowMinClusterSize, true)
  assert.equal(cluster.hasPlans, false)
  assert.equal(cluster.rebalanceGeneration, 0)
  assert.equal(cluster.partitionMastery('test', 0), 'unsettled')
  settings.minClusterSize = 1
  cluster.settingsChanged()
  assert.equal(cluster.belowMinClusterSize, false)
  assert.equal(cluster.hasPlans, true)
  assert.equal(cluster.rebalanceGeneration, 1)
  assert.equal(cluster.partitionMastery('test', 0), 'master')
  cluster.stop()
})

test('a view at min-cluster-size forms the cluster when joining', async () => {
  const { cluster } = await memberAlone(1)
  await cluster.join(memberInfo('A1'))
  assert.equal(cluster.hasPlans, true)
  assert.equal(cluster.rebalanceGeneration, 1)
  cluster.stop()
})
