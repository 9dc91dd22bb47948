// `aerolite operator` as a process, the way its Deployment runs it, against the fake API server
// through a kubeconfig: it creates what an AeroliteCluster asks for, writes the status, and stops
// on SIGTERM with exit 0. (No kubelet here: the pods never run; controller.test.ts runs them.)
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { runCli, startCli, type RunningCli } from '../../cli/test/cli-process.ts'
import { FakeApiServer } from './fake-kube/api-server.ts'

describe('aerolite operator', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-operator-'))
  let api: FakeApiServer
  let operator: RunningCli | undefined

  before(async () => {
    api = await FakeApiServer.start()
  })

  after(async () => {
    operator?.child.kill('SIGKILL')
    await api?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers --help and bad arguments', async () => {
    const help = await runCli(['operator', '--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /^usage: aerolite operator/)
    const bad = await runCli(['operator', '--resync-ms', '5'])
    assert.equal(bad.code, 2)
    assert.equal(bad.stderr, 'aerolite: --resync-ms "5" is not a whole number from 100 to 3600000\n')
  })

  it('creates the rack\'s StatefulSet, ConfigMap and headless Service, writes the status, stops on SIGTERM', async () => {
    const kubeconfig = join(dir, 'kubeconfig')
    writeFileSync(kubeconfig, api.kubeConfig().exportConfig())
    operator = startCli(['operator', '--namespace', 'shop', '--resync-ms', '200'], { ...process.env, KUBECONFIG: kubeconfig })
    api.create('aeroliteclusters', 'shop', {
      apiVersion: 'aerolite.dev/v1alpha1',
      kind: 'AeroliteCluster',
      metadata: { name: 'carts', namespace: 'shop' },
      spec: {
        size: 2,
        image: 'aerolite:0.1.0',
        etcd: { endpoints: ['etcd.shop.svc:2379'] },
        config: { namespaces: [{ name: 'carts', replicationFactor: 2, storage: { type: 'memory', dataSize: '1G' } }] },
      },
    })
    const deadline = Date.now() + 20_000
    const done = () => api.get('statefulsets', 'shop', 'carts-0') !== undefined && api.get('configmaps', 'shop', 'carts-0-config') !== undefined
      && api.get('services', 'shop', 'carts') !== undefined && (api.get('aeroliteclusters', 'shop', 'carts') as { status?: { phase?: string } }).status?.phase !== undefined
    while (!done()) {
      assert.ok(Date.now() < deadline, `the operator made nothing within 20 s: ${operator.output().stderr}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const set = api.get('statefulsets', 'shop', 'carts-0') as unknown as { spec: { replicas: number; updateStrategy: { type: string }; template: { spec: { containers: Array<{ image: string; args: string[] }> } } } }
    assert.equal(set.spec.replicas, 2)
    assert.equal(set.spec.updateStrategy.type, 'OnDelete')
    assert.deepEqual([set.spec.template.spec.containers[0]!.image, set.spec.template.spec.containers[0]!.args], ['aerolite:0.1.0', ['start']])
    operator.child.kill('SIGTERM')
    const finished = await operator.exited
    assert.equal(finished.code, 0, finished.stderr)
    assert.match(finished.stderr, /"msg":"operator started","namespace":"shop"/)
    operator = undefined
  })
})
