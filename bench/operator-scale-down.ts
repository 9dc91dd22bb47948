// How long the operator takes to scale an AeroliteCluster from 3 nodes to 2 with N records: the
// controller against the fake API server (packages/operator/test/fake-kube), pods as real
// `aerolite start` processes through a real etcd, one copy of each record (replication factor 1,
// so every record of the leaving node must migrate). Timed from the spec change until the status
// says settled at 2 nodes (quiesce, recluster, migrations, shrink); then every record is read back.
//   node --import tsx bench/operator-scale-down.ts [--records 100000] [--repeat 3] [--out FILE]
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { createRequire } from 'node:module'
import type { V1Pod } from '@kubernetes/client-node'
import type * as AerospikeModule from 'aerospike'
import { EtcdProcess } from '../packages/server/test/cluster/etcd-process.ts'
import { Controller } from '../packages/operator/src/controller/controller.ts'
import type { AeroliteClusterStatus } from '../packages/operator/src/types.ts'
import { FakeApiServer } from '../packages/operator/test/fake-kube/api-server.ts'
import { FakeKubelet, SERVICE_PORT_ANNOTATION } from '../packages/operator/test/fake-kube/kubelet.ts'

const Aerospike = createRequire(import.meta.url)('aerospike') as typeof AerospikeModule
const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, repeat: { type: 'string', default: '3' }, out: { type: 'string' } } })
const RECORDS = Number(values.records)
const NAMESPACE = 'bench'
const NAME = 'scale'
const POLICY = { totalTimeout: 10_000, maxRetries: 5, sleepBetweenRetries: 100 }

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function until(what: string, check: () => boolean, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(20)
  }
}

async function run(): Promise<{ createMs: number; writeMs: number; scaleDownMs: number; found: number }> {
  const etcd = await EtcdProcess.start()
  const api = await FakeApiServer.start()
  const kubelet = new FakeKubelet({ api, etcdEndpoint: `127.0.0.1:${etcd.clientPort}` })
  kubelet.start()
  const controller = await Controller.create({
    kubeConfig: api.kubeConfig(),
    namespace: NAMESPACE,
    resyncMs: 500,
    nodeAddress: (pod: V1Pod) => ({ host: '127.0.0.1', port: Number(pod.metadata?.annotations?.[SERVICE_PORT_ANNOTATION]) }),
    warmRestart: async () => { throw new Error('no warm restarts here') },
  })
  controller.start()
  let client: AerospikeModule.Client | undefined
  try {
    const resource = () => api.get('aeroliteclusters', NAMESPACE, NAME) as unknown as { status?: AeroliteClusterStatus; metadata: { generation: number } }
    const settled = (size: number) => {
      const { status, metadata } = resource()
      return status?.observedGeneration === metadata.generation && status.phase === 'Completed' && status.readyPods === size && status.size === size && !status.migrating
    }
    const createdAt = Date.now()
    api.create('aeroliteclusters', NAMESPACE, {
      apiVersion: 'aerolite.dev/v1alpha1', kind: 'AeroliteCluster', metadata: { name: NAME, namespace: NAMESPACE },
      spec: {
        size: 3, image: 'aerolite:bench', maxUnavailable: 1, etcd: { endpoints: [`127.0.0.1:${etcd.clientPort}`] },
        storage: { volumes: [{ name: 'data', path: '/var/lib/aerolite', size: '4Gi' }] },
        config: {
          network: { heartbeat: { interval: 150, timeout: 10 } },
          namespaces: [{ name: 'test', replicationFactor: 1, storage: { type: 'device', files: ['/var/lib/aerolite/test.dat'], fileSize: '1G' } }],
        },
      },
    })
    await until('3 nodes settled', () => settled(3), 120_000)
    const createMs = Date.now() - createdAt
    const seed = api.list('pods', { namespace: NAMESPACE })[0] as unknown as V1Pod
    client = await Aerospike.connect({ hosts: [{ addr: '127.0.0.1', port: Number(seed.metadata!.annotations![SERVICE_PORT_ANNOTATION]) }], policies: { read: POLICY, write: POLICY }, log: { level: Aerospike.log.OFF } })
    const writeStart = Date.now()
    for (let i = 0; i < RECORDS; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, RECORDS - i) }, (_, j) => client!.put(new Aerospike.Key('test', 'bench', i + j), { i: i + j, pad: 'x'.repeat(100) })))
    }
    const writeMs = Date.now() - writeStart
    const scaleStart = Date.now()
    api.patch('aeroliteclusters', NAMESPACE, NAME, { spec: { size: 2 } })
    await until('2 nodes settled', () => settled(2) && api.list('pods', { namespace: NAMESPACE }).length === 2, 600_000)
    const scaleDownMs = Date.now() - scaleStart
    await until('the client sees 2 nodes', () => client!.getNodes().length === 2, 30_000)
    let found = 0
    for (let i = 0; i < RECORDS; i++) {
      for (let attempt = 0; ; attempt++) {
        try {
          if ((await client.get(new Aerospike.Key('test', 'bench', i))).bins.i === i) found++
          break
        } catch (error) {
          if ((error as { code?: number }).code === Aerospike.status.ERR_RECORD_NOT_FOUND || attempt >= 20) break
          await sleep(250)
        }
      }
    }
    return { createMs, writeMs, scaleDownMs, found }
  } finally {
    await client?.close()
    await controller.stop()
    await kubelet.stop()
    await api.stop()
    await etcd.stop()
  }
}

const runs = []
for (let r = 0; r < Number(values.repeat); r++) {
  const result = await run()
  process.stdout.write(`run ${r + 1}: 3 nodes settled in ${result.createMs} ms; ${RECORDS} records written in ${result.writeMs} ms; scale-down 3 -> 2 in ${result.scaleDownMs} ms; ${result.found}/${RECORDS} records read back\n`)
  runs.push(result)
}
const sorted = runs.map((r) => r.scaleDownMs).sort((a, b) => a - b)
const median = sorted[Math.floor(sorted.length / 2)]!
process.stdout.write(`scale-down 3 -> 2 with ${RECORDS} records: median ${median} ms (min ${sorted[0]}, max ${sorted.at(-1)}) over ${runs.length} runs; records lost: ${runs.map((r) => RECORDS - r.found).join(', ')}\n`)
if (values.out !== undefined) {
  writeFileSync(values.out, `${JSON.stringify({ date: new Date().toISOString(), machine: { cpu: cpus()[0]?.model, cpus: cpus().length, memoryBytes: totalmem(), node: process.version }, records: RECORDS, runs, medianScaleDownMs: median }, null, 2)}\n`)
}
process.exit(runs.every((r) => r.found === RECORDS) ? 0 : 1)
