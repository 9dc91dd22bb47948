// The fake kubelet with real `aerolite start` processes and a real etcd: a StatefulSet of three
// OrderedReady pods forms one cluster, a deleted pod comes back with its ports and its volume,
// and a scale-down stops the highest pod with SIGTERM, keeps its claim and loses no record.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node'
import { parseInfoResponse } from '@aerolite/protocol'
import { requestInfo } from '../../../cli/src/info-request.ts'
import { EtcdProcess } from '../../../server/test/cluster/etcd-process.ts'
import { Aerospike, NS as AEROSPIKE_NS, type AerospikeClient } from '../../../../test/compat/helpers.ts'
import { FakeApiServer } from './api-server.ts'
import { FakeKubelet, SERVICE_PORT_ANNOTATION } from './kubelet.ts'

const NS = 'aerolite'
const SET = 'demo'
const RECORDS = 300
const WAIT_MS = 20_000
/** A test that hangs (a call that never answers) fails instead. */
const TEST = { timeout: 60_000 }
/** Retries that outlast the client's tend interval (1 s): a node that just left is not the test's problem. */
const CLIENT_POLICY = { totalTimeout: 5000, socketTimeout: 1000, maxRetries: 6, sleepBetweenRetries: 250 }
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

const CONFIG = `network {
    heartbeat {
        mode etcd
        etcd-endpoint 127.0.0.1:1
        interval 150
        timeout 10
    }
}
namespace test {
    replication-factor 2
    storage-engine device {
        file /var/lib/aerolite/test.dat
        filesize 64M
    }
}
`

let etcd: EtcdProcess
let api: FakeApiServer
let kubelet: FakeKubelet
let core: CoreV1Api
let apps: AppsV1Api
let client: AerospikeClient | undefined
/** Every change of a pod or of the set, in order: "ADDED demo-0", "Ready demo-0", ... */
const history: string[] = []
/** The last state of each pod object before it was removed, by uid. */
const lastSeen = new Map<string, V1Pod>()
/** Every status the set had: "replicas/ready". */
const setStatuses: string[] = []

before(async () => {
  etcd = await EtcdProcess.start()
  api = await FakeApiServer.start()
  kubelet = new FakeKubelet({ api, etcdEndpoint: `127.0.0.1:${etcd.clientPort}` })
  const kc = api.kubeConfig()
  core = kc.makeApiClient(CoreV1Api)
  apps = kc.makeApiClient(AppsV1Api)
  const readyUids = new Set<string>()
  api.onChange(({ type, resource, object }) => {
    if (resource === 'statefulsets') {
      const status = object.status as { replicas?: number; readyReplicas?: number } | undefined
      if (status !== undefined) setStatuses.push(`${status.replicas}/${status.readyReplicas}`)
    }
    if (resource !== 'pods') return
    const pod = object as V1Pod & { status?: { conditions?: { type: string; status: string }[] } }
    const uid = object.metadata.uid!
    if (type === 'ADDED' || type === 'DELETED') history.push(`${type} ${object.metadata.name}`)
    if (type === 'DELETED') readyUids.delete(uid)
    else lastSeen.set(uid, pod)
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && !readyUids.has(uid)) {
      readyUids.add(uid)
      history.push(`Ready ${object.metadata.name}`)
    }
  })
  kubelet.start()
})

after(async () => {
  await client?.close()
  await kubelet?.stop()
  await api?.stop()
  await etcd?.stop()
})

async function until(what: string, check: () => Promise<boolean> | boolean, withinMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + withinMs
  for (;;) {
    try {
      if (await check()) return
    } catch {
      // Not there yet (a node that does not answer, an object not created yet).
    }
    if (Date.now() > deadline) assert.fail(`not within ${withinMs} ms: ${what}\nhistory: ${history.join(', ')}\n${podLogTails()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The end of each pod's container log, for a failure message. */
function podLogTails(): string {
  return [0, 1, 2].map((i) => {
    const path = kubelet.podLogPath(NS, `${SET}-${i}`)
    return `--- ${SET}-${i}:\n${existsSync(path) ? readFileSync(path, 'utf8').trimEnd().split('\n').slice(-5).join('\n') : '(no log)'}`
  }).join('\n')
}

async function readSet(): Promise<V1StatefulSet> {
  return await apps.readNamespacedStatefulSet({ name: SET, namespace: NS })
}

function servicePort(pod: V1Pod): number {
  return Number(pod.metadata!.annotations![SERVICE_PORT_ANNOTATION])
}

async function podPorts(count: number): Promise<number[]> {
  const pods = await Promise.all(Array.from({ length: count }, (_, i) => core.readNamespacedPod({ name: `${SET}-${i}`, namespace: NS })))
  return pods.map(servicePort)
}

/** Every node answers cluster-stable:size=N with one and the same cluster key. */
async function stableAt(ports: readonly number[]): Promise<boolean> {
  const command = `cluster-stable:size=${ports.length}`
  const keys = new Set<string>()
  for (const port of ports) {
    const answer = parseInfoResponse(await requestInfo('127.0.0.1', port, [command], 2000)).get(command) ?? 'ERROR'
    if (answer.startsWith('ERROR')) return false
    keys.add(answer)
  }
  return keys.size === 1
}

function dataFile(ordinal: number): string {
  return join(kubelet.claimDirectory(NS, `data-${SET}-${ordinal}`), 'test.dat')
}

/** How many records read back with their value, once the client sees `nodes` nodes. */
async function readAll(nodes: number): Promise<number> {
  await until(`the client sees ${nodes} nodes`, () => client!.getNodes().length === nodes)
  let found = 0
  for (let i = 0; i < RECORDS; i++) {
    const record = await client!.get(new Aerospike.Key(AEROSPIKE_NS, 'fake-kube', `k-${i}`))
    if (record.bins.v === i) found++
  }
  return found
}

test('OrderedReady: three pods become Ready one after the other and form one cluster', TEST, async () => {
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: `${SET}-config` }, data: { 'aerolite.conf': CONFIG } } })
  await apps.createNamespacedStatefulSet({ namespace: NS, body: {
    metadata: { name: SET },
    spec: {
      replicas: 3,
      serviceName: SET,
      selector: { matchLabels: { app: SET } },
      updateStrategy: { type: 'OnDelete' },
      template: {
        metadata: { labels: { app: SET } },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [{
            name: 'aerolite',
            image: 'aerolite:test',
            args: ['start'],
            env: [
              { name: 'AEROLITE_CONFIG', value: '/etc/aerolite/aerolite.conf' },
              { name: 'AEROLITE_ACCESS_ADDRESS', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            ],
            volumeMounts: [{ name: 'config', mountPath: '/etc/aerolite' }, { name: 'data', mountPath: '/var/lib/aerolite' }],
          }],
          volumes: [{ name: 'config', configMap: { name: `${SET}-config` } }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  } })

  await until('3 ready replicas', async () => (await readSet()).status?.readyReplicas === 3)
  const order = history.filter((h) => /^(ADDED|Ready) /.test(h))
  assert.deepEqual(order, [`ADDED ${SET}-0`, `Ready ${SET}-0`, `ADDED ${SET}-1`, `Ready ${SET}-1`, `ADDED ${SET}-2`, `Ready ${SET}-2`])

  const set = await readSet()
  // A spread: the client deserializes into a V1StatefulSetStatus instance.
  assert.deepEqual({ ...set.status }, {
    observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3,
    currentRevision: set.status!.updateRevision, updateRevision: set.status!.updateRevision, collisionCount: 0,
  })
  const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${SET}` })).items
  for (const pod of pods) {
    assert.equal(pod.metadata!.labels!['controller-revision-hash'], set.status!.updateRevision)
    assert.equal(pod.metadata!.ownerReferences![0]!.uid, set.metadata!.uid)
    assert.deepEqual([pod.status!.phase, pod.status!.podIP, pod.status!.containerStatuses![0]!.restartCount], ['Running', '127.0.0.1', 0])
  }
  const claims = (await core.listNamespacedPersistentVolumeClaim({ namespace: NS })).items
  assert.deepEqual(claims.map((c) => [c.metadata!.name, c.status!.phase, c.status!.capacity!.storage]), [0, 1, 2].map((i) => [`data-${SET}-${i}`, 'Bound', '1Gi']))

  const ports = await podPorts(3)
  await until('cluster-stable:size=3 on every node', () => stableAt(ports))
})

test('records written with the official client land in the claims\' directories', TEST, async () => {
  const ports = await podPorts(3)
  client = await Aerospike.connect({
    hosts: ports.map((port) => ({ addr: '127.0.0.1', port })),
    policies: { read: CLIENT_POLICY, write: CLIENT_POLICY },
    log: { level: Aerospike.log.OFF },
  })
  for (let i = 0; i < RECORDS; i++) await client.put(new Aerospike.Key(AEROSPIKE_NS, 'fake-kube', `k-${i}`), { v: i })
  for (let i = 0; i < 3; i++) assert.ok(existsSync(dataFile(i)), `the data file of pod ${i} is in its claim's directory`)
})

test('a deleted pod comes back from the template: new uid, restartCount 0, same ports, same volume', TEST, async () => {
  const before = await core.readNamespacedPod({ name: `${SET}-1`, namespace: NS })
  const fileBefore = statSync(dataFile(1))
  const statusesBefore = setStatuses.length
  const terminating = await core.deleteNamespacedPod({ name: `${SET}-1`, namespace: NS })
  assert.ok(terminating.metadata?.deletionTimestamp, 'a running pod is terminating first, not gone')

  await until('pod 1 back and Ready', async () => {
    const pod = await core.readNamespacedPod({ name: `${SET}-1`, namespace: NS })
    return pod.metadata!.uid !== before.metadata!.uid && pod.status?.containerStatuses?.[0]?.ready === true
  })
  const after = await core.readNamespacedPod({ name: `${SET}-1`, namespace: NS })
  assert.equal(after.status!.containerStatuses![0]!.restartCount, 0)
  assert.equal(servicePort(after), servicePort(before))
  const old = lastSeen.get(before.metadata!.uid!) as { status?: { containerStatuses?: { state?: { terminated?: { exitCode: number } } }[] } }
  assert.equal(old.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0, 'the old process drained on SIGTERM and exited 0')
  assert.equal(statSync(dataFile(1)).ino, fileBefore.ino, 'the same data file, kept across the pod')

  await until('set status back to 3 ready', async () => {
    const { status } = await readSet()
    return status?.replicas === 3 && status.readyReplicas === 3 && status.updatedReplicas === 3
  })
  const during = setStatuses.slice(statusesBefore)
  assert.ok(during.some((s) => s.startsWith('3/') && Number(s.split('/')[1]) < 3), `pod 1 terminating: 3 replicas, fewer ready (${during.join(' ')})`)
  // While pod 1 is gone the other two may be briefly unready too (their cluster view changed and
  // its partition plans are being made), so only the replica count is certain.
  assert.ok(during.some((s) => s.startsWith('2/')), `pod 1 gone: 2 replicas (${during.join(' ')})`)
  await until('cluster-stable:size=3 again', async () => stableAt(await podPorts(3)))
  assert.equal(await readAll(3), RECORDS)
})

test('a process that dies by itself is restarted: same pod, restartCount 1, back in the cluster', TEST, async () => {
  const before = await core.readNamespacedPod({ name: `${SET}-0`, namespace: NS })
  const pid = Number(before.status!.containerStatuses![0]!.containerID!.replace('fake://', ''))
  process.kill(pid, 'SIGKILL')
  await until('pod 0 restarted and Ready', async () => {
    const status = (await core.readNamespacedPod({ name: `${SET}-0`, namespace: NS })).status?.containerStatuses?.[0]
    return status?.restartCount === 1 && status.ready
  })
  const after = await core.readNamespacedPod({ name: `${SET}-0`, namespace: NS })
  assert.equal(after.metadata!.uid, before.metadata!.uid)
  assert.equal(after.status!.containerStatuses![0]!.lastState!.terminated!.exitCode, 137)
  assert.notEqual(after.status!.containerStatuses![0]!.containerID, before.status!.containerStatuses![0]!.containerID)
  await until('cluster-stable:size=3 after the crash', async () => stableAt(await podPorts(3)))
  assert.equal(await readAll(3), RECORDS)
})

test('scale to 2: pod 2 terminates with SIGTERM and exits 0, its claim stays, no record is lost', TEST, async () => {
  const pod2 = await core.readNamespacedPod({ name: `${SET}-2`, namespace: NS })
  await apps.patchNamespacedStatefulSet({ name: SET, namespace: NS, body: { spec: { replicas: 2 } } }, mergePatch)
  await until('pod 2 gone', async () => (await core.listNamespacedPod({ namespace: NS })).items.every((p) => p.metadata!.name !== `${SET}-2`))
  const last = lastSeen.get(pod2.metadata!.uid!) as { metadata?: { deletionTimestamp?: string }; status?: { containerStatuses?: { state?: { terminated?: { exitCode: number } } }[] } }
  assert.ok(last.metadata?.deletionTimestamp)
  assert.equal(last.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0)
  assert.equal(history.filter((h) => h.startsWith('DELETED')).at(-1), `DELETED ${SET}-2`)

  const claim = await core.readNamespacedPersistentVolumeClaim({ name: `data-${SET}-2`, namespace: NS })
  assert.equal(claim.status?.phase, 'Bound')
  assert.ok(existsSync(dataFile(2)), 'the claim of a scaled-down pod keeps its data')

  await until('set status at 2', async () => {
    const { status } = await readSet()
    return status?.observedGeneration === 2 && status.replicas === 2 && status.readyReplicas === 2 && status.currentReplicas === 2
  })
  await until('cluster-stable:size=2', async () => stableAt(await podPorts(2)))
  assert.equal(await readAll(2), RECORDS)
})

test('a pod the fake cannot run is reported (waiting reason, Warning event) and deleted at once', TEST, async () => {
  await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'bench' }, spec: { containers: [{ name: 'aerolite', image: 'aerolite:test', args: ['bench'] }] } } })
  await until('the pod waits with CreateContainerError', async () => {
    const status = (await core.readNamespacedPod({ name: 'bench', namespace: NS })).status?.containerStatuses?.[0]
    return status?.state?.waiting?.reason === 'CreateContainerError'
  })
  const events = (await core.listNamespacedEvent({ namespace: NS })).items.filter((e) => e.involvedObject.name === 'bench')
  assert.deepEqual(events.map((e) => [e.type, e.reason]), [['Warning', 'Failed']])
  assert.match(events[0]!.message!, /only "aerolite start"/)
  await core.deleteNamespacedPod({ name: 'bench', namespace: NS })
  await until('the pod without a process is gone', async () => (await core.listNamespacedPod({ namespace: NS, fieldSelector: 'metadata.name=bench' })).items.length === 0, 2000)

  // Bound and deleted before the kubelet got to it: nothing to stop, so it goes too.
  api.create('pods', NS, { metadata: { name: 'never-started' }, spec: { nodeName: 'fake-node', containers: [{ name: 'aerolite', image: 'aerolite:test' }] } })
  assert.ok(api.delete('pods', NS, 'never-started').metadata.deletionTimestamp)
  await until('the never-started pod is gone', () => api.get('pods', NS, 'never-started') === undefined, 2000)
})
