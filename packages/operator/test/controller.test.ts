// The controller against the fake API server, whose pods are real `aerolite start` processes
// joined through a real etcd (test/fake-kube/README.md says what that does not prove). An
// AeroliteCluster of 3 nodes is created; records are written with the official client; the size
// goes to 2: the operator quiesces the leaving node, reclusters, waits for the migrations, then
// shrinks the StatefulSet, and every record is still there. A dynamic setting goes out by
// set-config and a bigger volume is a patch of the claims, neither restarting a pod; an image
// change restarts the pods one at a time, drained, and again nothing is lost.
// OPERATOR_TEST_RECORDS sets the records (default 20000; bench/operator-scale-down.ts measures).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { V1Pod } from '@kubernetes/client-node'
import { EtcdProcess, etcdInstalled } from '../../server/test/cluster/etcd-process.ts'
import { Aerospike, type AerospikeClient } from '../../../test/compat/helpers.ts'
import { requestInfo } from '../../cli/src/info-request.ts'
import { Controller } from '../src/controller/controller.ts'
import type { AeroliteClusterStatus } from '../src/types.ts'
import { FakeApiServer } from './fake-kube/api-server.ts'
import { FakeKubelet, SERVICE_PORT_ANNOTATION } from './fake-kube/kubelet.ts'

const NAMESPACE = 'databases'
const NAME = 'orders'
const RECORDS = Number(process.env.OPERATOR_TEST_RECORDS ?? 20_000)
const POLICY = { totalTimeout: 10_000, maxRetries: 5, sleepBetweenRetries: 100 }

interface PodObject {
  metadata: { name: string; uid: string; annotations?: Record<string, string>; deletionTimestamp?: string }
  status?: { phase?: string; containerStatuses?: Array<{ containerID?: string; restartCount?: number }> }
  spec?: { containers: Array<{ image: string }> }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

describe('the operator\'s controller with real node processes', { skip: etcdInstalled() ? false : 'etcd is not installed', timeout: 10 * 60_000 }, () => {
  let etcd: EtcdProcess
  let api: FakeApiServer
  let kubelet: FakeKubelet
  let controller: Controller
  let client: AerospikeClient | undefined
  const steps: string[] = []

  const cluster = () => api.get('aeroliteclusters', NAMESPACE, NAME) as unknown as { spec: { size: number; image: string }; status?: AeroliteClusterStatus; metadata: { generation: number } }
  const pods = () => (api.list('pods', { namespace: NAMESPACE }) as unknown as PodObject[]).filter((p) => p.metadata.name.startsWith(`${NAME}-`))
  const podUids = () => Object.fromEntries(pods().map((p) => [p.metadata.name, p.metadata.uid]))

  async function until(what: string, check: () => boolean, withinMs: number): Promise<number> {
    const startedMs = Date.now()
    while (!check()) {
      if (Date.now() - startedMs > withinMs) throw new Error(`timed out after ${withinMs} ms waiting until ${what}; status: ${JSON.stringify(cluster()?.status?.conditions)}; steps: ${steps.slice(-10).join(', ')}`)
      await sleep(100)
    }
    return Date.now() - startedMs
  }

  /** Settled: the spec's generation applied, every node ready, the cluster stable, nothing migrating. */
  function settled(size: number): boolean {
    const { status, metadata } = cluster()
    return status?.observedGeneration === metadata.generation && status.phase === 'Completed' && status.readyPods === size && status.size === size && !status.migrating
  }

  /**
   * Records found. Not found counts as lost; any other error (a client that still routes to a node
   * just removed, until its next tend) is retried for a while and then fails the test.
   */
  async function countRecords(expectedNodes: number): Promise<number> {
    await until(`the client sees ${expectedNodes} nodes`, () => client!.getNodes().length === expectedNodes, 30_000)
    let found = 0
    for (let i = 0; i < RECORDS; i++) {
      const key = new Aerospike.Key('test', 'orders', i)
      for (let attempt = 0; ; attempt++) {
        try {
          if ((await client!.get(key)).bins.i === i) found++
          break
        } catch (error) {
          if ((error as { code?: number }).code === Aerospike.status.ERR_RECORD_NOT_FOUND) break
          if (attempt >= 20) throw error
          await sleep(250)
        }
      }
    }
    return found
  }

  before(async () => {
    etcd = await EtcdProcess.start()
    api = await FakeApiServer.start()
    kubelet = new FakeKubelet({ api, etcdEndpoint: `127.0.0.1:${etcd.clientPort}` })
    kubelet.start()
    controller = await Controller.create({
      kubeConfig: api.kubeConfig(),
      namespace: NAMESPACE,
      resyncMs: 500,
      // In this fake every pod is 127.0.0.1 with ports of its own.
      nodeAddress: (pod: V1Pod) => ({ host: '127.0.0.1', port: Number(pod.metadata?.annotations?.[SERVICE_PORT_ANNOTATION]) }),
      // The fake's container is the node's process: SIGTERM drains it and the kubelet restarts it.
      warmRestart: async (namespace, podName) => {
        const pod = api.get('pods', namespace, podName) as unknown as PodObject
        process.kill(Number(pod.status?.containerStatuses?.[0]?.containerID?.replace('fake://', '')), 'SIGTERM')
      },
      log: (message, fields) => {
        if (message === 'step') steps.push(String(fields?.action))
        else process.stdout.write(`# ${message} ${JSON.stringify(fields)}\n`)
      },
    })
    controller.start()
  })

  after(async () => {
    await client?.close()
    await controller?.stop()
    await kubelet?.stop()
    await api?.stop()
    await etcd?.stop()
  })

  it('creates a cluster of 3 nodes from an AeroliteCluster', async () => {
    api.create('aeroliteclusters', NAMESPACE, {
      apiVersion: 'aerolite.dev/v1alpha1',
      kind: 'AeroliteCluster',
      metadata: { name: NAME, namespace: NAMESPACE },
      spec: {
        size: 3,
        image: 'aerolite:0.1.0',
        maxUnavailable: 1,
        etcd: { endpoints: [`127.0.0.1:${etcd.clientPort}`] },
        storage: { volumes: [{ name: 'data', path: '/var/lib/aerolite', size: '1Gi' }] },
        config: {
          network: { heartbeat: { interval: 150, timeout: 10 } },
          // One copy: a node that left before its partitions moved would take records with it.
          namespaces: [{ name: 'test', replicationFactor: 1, storage: { type: 'device', files: ['/var/lib/aerolite/test.dat'], fileSize: '256M' } }],
        },
      },
    })
    const ms = await until('3 nodes are ready and stable', () => settled(3), 90_000)
    process.stdout.write(`# 3 nodes created and stable in ${ms} ms\n`)
    assert.deepEqual(pods().map((p) => p.metadata.name).sort(), [`${NAME}-0-0`, `${NAME}-0-1`, `${NAME}-0-2`])
    const seed = pods()[0]!
    client = await Aerospike.connect({ hosts: [{ addr: '127.0.0.1', port: Number(seed.metadata.annotations![SERVICE_PORT_ANNOTATION]) }], policies: { read: POLICY, write: POLICY }, log: { level: Aerospike.log.OFF } })
    for (let i = 0; i < RECORDS; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, RECORDS - i) }, (_, j) => client!.put(new Aerospike.Key('test', 'orders', i + j), { i: i + j })))
    }
  })

  it('scales 3 → 2: quiesce, recluster, migrations, shrink; no record lost', async () => {
    steps.length = 0
    const startedMs = Date.now()
    api.patch('aeroliteclusters', NAMESPACE, NAME, { spec: { size: 2 } })
    const ms = await until('the cluster is 2 settled nodes', () => settled(2) && pods().length === 2, 5 * 60_000)
    process.stdout.write(`# scale-down 3 -> 2 with ${RECORDS} records: ${ms} ms\n`)
    assert.ok(Date.now() - startedMs >= ms)
    // The drain came before the shrink.
    const order = ['quiesceNodes', 'recluster', 'scaleStatefulSet'].map((kind) => steps.indexOf(kind))
    assert.ok(order.every((i) => i >= 0) && order[0]! < order[1]! && order[1]! < order[2]!, `steps: ${steps.join(', ')}`)
    assert.deepEqual(pods().map((p) => p.metadata.name).sort(), [`${NAME}-0-0`, `${NAME}-0-1`])
    assert.equal(await countRecords(2), RECORDS)
  })

  it('a dynamic config change goes out by set-config, no pod restarts', async () => {
    steps.length = 0
    const uids = podUids()
    api.patch('aeroliteclusters', NAMESPACE, NAME, { spec: { config: { service: { 'migrate-threads': 2 } } } })
    await until('every node runs migrate-threads 2 and the cluster settled', () => settled(2) && steps.includes('setConfig'), 60_000)
    for (const pod of pods()) {
      const answer = await requestInfo('127.0.0.1', Number(pod.metadata.annotations![SERVICE_PORT_ANNOTATION]), ['get-config:context=service'], 5000)
      assert.match(answer, /[\t;]migrate-threads=2[;\n]/, pod.metadata.name)
    }
    assert.ok(!steps.includes('deletePod'), `steps: ${steps.join(', ')}`)
    assert.deepEqual(podUids(), uids)
    const configMap = api.get('configmaps', NAMESPACE, `${NAME}-0-config`) as unknown as { data: Record<string, string> }
    assert.match(configMap.data['aerolite.conf']!, /migrate-threads 2/)
  })

  it('volume growth patches the claims and re-creates the StatefulSet around its pods', async () => {
    steps.length = 0
    const uids = podUids()
    api.patch('aeroliteclusters', NAMESPACE, NAME, { spec: { storage: { volumes: [{ name: 'data', path: '/var/lib/aerolite', size: '2Gi' }] } } })
    const claims = () => (api.list('persistentvolumeclaims', { namespace: NAMESPACE }) as unknown as Array<{ metadata: { name: string }; spec: { resources: { requests: { storage: string } } } }>)
      .filter((c) => /-0-[01]$/.test(c.metadata.name))
    await until('the claims ask for 2Gi and the cluster settled', () => settled(2) && claims().length === 2 && claims().every((c) => c.spec.resources.requests.storage === '2Gi'), 60_000)
    const set = api.get('statefulsets', NAMESPACE, `${NAME}-0`) as unknown as { spec: { volumeClaimTemplates: Array<{ spec: { resources: { requests: { storage: string } } } }> } }
    assert.equal(set.spec.volumeClaimTemplates[0]!.spec.resources.requests.storage, '2Gi')
    assert.ok(steps.includes('patchPvcSize') && steps.includes('recreateStatefulSetOrphan'), `steps: ${steps.join(', ')}`)
    assert.deepEqual(podUids(), uids, 'no pod was restarted')
    assert.equal(await countRecords(2), RECORDS)
  })

  it('an image change restarts the pods one at a time, drained; no record lost', async () => {
    steps.length = 0
    const before = new Map(pods().map((p) => [p.metadata.name, p.metadata]))
    api.patch('aeroliteclusters', NAMESPACE, NAME, { spec: { image: 'aerolite:0.1.1' } })
    await until('every pod runs the new image and the cluster settled', () => settled(2) && pods().every((p) => p.spec?.containers[0]?.image === 'aerolite:0.1.1'), 5 * 60_000)
    assert.equal(steps.filter((s) => s === 'deletePod').length, 2, `steps: ${steps.join(', ')}`)
    // Each restart was drained first: quiesce before every delete.
    const deletes = steps.flatMap((s, i) => (s === 'deletePod' ? [i] : []))
    for (const at of deletes) assert.ok(steps.slice(0, at).includes('quiesceNodes'), `steps: ${steps.join(', ')}`)
    for (const pod of pods()) assert.ok(before.has(pod.metadata.name))
    assert.equal(await countRecords(2), RECORDS)
  })
})
