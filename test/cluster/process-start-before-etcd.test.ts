// A node process that starts while etcd is out of reach listens on its service port (so its port
// is known) but reads no command until it has joined the cluster: before, it answered as a node
// alone, on whatever its files held. A kill -9'd node restarted within its lease did that on its
// stale copy, and an append it acknowledged was lost when the copy was refilled (docs/simulation.md,
// "Found so far").
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { freePort } from '../../packages/cli/src/cluster-processes.ts'
import { EtcdProcess, NodeProcess, TcpProxy, directWrite, etcdInstalled, sleep, stopAllProcesses } from './process-harness.ts'

/** Whether a TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('a node that starts before etcd is reachable', { skip: !etcdInstalled() && 'etcd is not installed', timeout: 60_000 }, () => {
  let etcd: EtcdProcess | undefined
  let proxy: TcpProxy | undefined
  const nodes: NodeProcess[] = []

  before(async () => {
    etcd = await EtcdProcess.start()
    proxy = new TcpProxy(etcd.clientPort)
    await proxy.start()
  })

  after(async () => {
    await stopAllProcesses(nodes)
    await proxy?.stop()
    await etcd?.stop()
  })

  it('accepts connections but answers no command until it has joined; then it answers', async () => {
    await proxy!.cut('reset')
    const node = new NodeProcess('before-etcd', () => `127.0.0.1:${proxy!.port}`, 1)
    nodes.push(node)
    node.port = await freePort()
    const started = node.start()
    // Writes from the moment the process spawns: the first reach it as soon as it listens, while it
    // still loads its etcd client (before, it answered those as a node alone).
    const digest = Buffer.alloc(20, 7)
    const codes: number[] = []
    const deadline = Date.now() + 3000
    while (Date.now() < deadline) {
      codes.push(await directWrite(node, digest, codes.length, 300))
      await sleep(5)
    }
    assert.ok(await accepts(node.port), 'the node listens')
    assert.deepEqual(codes.filter((code) => code !== -1), [], `a node not yet in a cluster answers no write (${codes.length} tried)`)
    await proxy!.restore()
    await started
    assert.equal(await directWrite(node, digest, 10, 2000), 0, 'once it has joined, the node acknowledges writes')
  })
})
