// `aerolite start` configured by AEROLITE_* environment variables (how containers and Kubernetes
// configure it), and the addresses a node advertises: access (clients and peers) and alternate
// (clients outside the node's network, `peers-clear-alt`).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { buildConfig, realEnv, StartOptionError } from '@aerolite/server'
import { parseArgs, UsageError, withEnvironment } from '../src/args.ts'
import { START_FLAGS, startOptions } from '../src/main.ts'
import { EtcdProcess, etcdInstalled } from '../../server/test/cluster/etcd-process.ts'
import { freePort, killAll, startNode, stopNode, type RunningNode } from './cli-process.ts'
import { requestInfo } from '../src/info-request.ts'
import { Aerospike } from '../../../test/compat/helpers.ts'

const configOf = (argv: string[], env: Record<string, string> = {}) =>
  buildConfig(startOptions(withEnvironment(parseArgs(argv, START_FLAGS), START_FLAGS, env)), realEnv.disk)

describe('AEROLITE_* variables', () => {
  test('stand for the options the command line leaves out; the command line wins', () => {
    const config = configOf(['--port', '3100'], { AEROLITE_PORT: '3200', AEROLITE_RACK_ID: '4', AEROLITE_ETCD: 'etcd-0.etcd:2379,etcd-1.etcd:2379', AEROLITE_CLUSTER_NAME: 'orders', HOME: '/root' })
    assert.equal(config.network.service.port, 3100)
    assert.deepEqual(config.namespaces.map((ns) => ns.rackId), [4])
    assert.deepEqual(config.network.heartbeat.etcdEndpoints, [{ host: 'etcd-0.etcd', port: 2379 }, { host: 'etcd-1.etcd', port: 2379 }])
    assert.equal(config.service.clusterName, 'orders')
    // A repeated flag on the command line replaces the variable's list, not adds to it.
    assert.deepEqual(configOf(['--etcd', '10.0.0.9:2379'], { AEROLITE_ETCD: 'a:1,b:2' }).network.heartbeat.etcdEndpoints, [{ host: '10.0.0.9', port: 2379 }])
  })

  test('the variables Kubernetes makes for Services named aerolite... are not options', () => {
    const links = {
      AEROLITE_SERVICE_HOST: '10.0.0.11', AEROLITE_SERVICE_PORT: '3000', AEROLITE_SERVICE_PORT_SERVICE: '3000',
      AEROLITE_PORT: 'tcp://10.0.0.11:3000', AEROLITE_PORT_3000_TCP: 'tcp://10.0.0.11:3000', AEROLITE_PORT_3000_TCP_PROTO: 'tcp',
      AEROLITE_PORT_3000_TCP_PORT: '3000', AEROLITE_PORT_3000_TCP_ADDR: '10.0.0.11', AEROLITE_RACK_1_0_SERVICE_HOST: '10.0.0.12',
    }
    assert.equal(configOf([], links).network.service.port, 3000)
    assert.equal(configOf([], { ...links, AEROLITE_HTTP_PORT: '9145' }).network.http.port, 9145)
  })

  test('an empty variable is unset; a variable that names no option is refused by name', () => {
    assert.equal(configOf([], { AEROLITE_PORT: '' }).network.service.port, 3000)
    assert.throws(() => configOf([], { AEROLITE_PROT: '3000' }), (e: unknown) => e instanceof UsageError && /^environment variable AEROLITE_PROT names no option \(known: AEROLITE_PORT, /.test(e.message))
    assert.throws(() => configOf([], { AEROLITE_RACK_ID: 'two' }), (e: unknown) => e instanceof UsageError && e.message === '--rack-id "two" is not a rack id (0..1000000)')
  })
})

describe('advertised addresses', () => {
  test('--access-address/-port and --alternate-access-address/-port set what the node advertises', () => {
    const { service } = configOf(['--access-address', '10.1.2.3', '--access-port', '3100', '--alternate-access-address', 'db-0.example.com', '--alternate-access-port', '31000']).network
    assert.deepEqual(service, { address: '127.0.0.1', port: 3000, accessAddress: '10.1.2.3', accessPort: 3100, alternateAccessAddress: 'db-0.example.com', alternateAccessPort: 31000 })
  })

  test('bad ones are refused naming them', () => {
    assert.throws(() => configOf(['--access-address', 'not a host']), (e: unknown) => e instanceof StartOptionError && e.message === 'access address "not a host" is not an IP address or host name')
    assert.throws(() => configOf([], { AEROLITE_ALTERNATE_ACCESS_ADDRESS: 'db_0!' }), (e: unknown) => e instanceof StartOptionError && e.message === 'alternate access address "db_0!" is not an IP address or host name')
    assert.throws(() => configOf(['--alternate-access-port', '0']), (e: unknown) => e instanceof StartOptionError && e.message === 'alternate access port 0 is not a TCP port (1..65535)')
    assert.throws(() => configOf(['--cluster-name', 'a/b']), (e: unknown) => e instanceof StartOptionError && /cluster name "a\/b" must be non-empty and without "\/"/.test(e.message))
  })

  test('a single node answers service-clear-alt with its alternate address, service with its access address', async () => {
    const port = await freePort()
    const node = await startNode([], undefined, { ...process.env, AEROLITE_PORT: String(port), AEROLITE_LOG_LEVEL: 'silent', AEROLITE_ACCESS_ADDRESS: '10.9.8.7', AEROLITE_ALTERNATE_ACCESS_ADDRESS: 'db.example.com', AEROLITE_ALTERNATE_ACCESS_PORT: '31000' })
    try {
      assert.equal(node.port, port)
      const reply = await requestInfo('127.0.0.1', port, ['service-clear-std', 'service-clear-alt', 'peers-clear-alt'], 5000)
      assert.equal(reply, `service-clear-std\t10.9.8.7:${port}\nservice-clear-alt\tdb.example.com:31000\npeers-clear-alt\t1,31000,[]\n`)
    } finally {
      await stopNode(node)
    }
  })
})

describe('two nodes configured by environment variables only', { skip: etcdInstalled() ? false : 'etcd is not installed', timeout: 60_000 }, () => {
  let etcd: EtcdProcess | undefined
  const nodes: RunningNode[] = []
  before(async () => {
    etcd = await EtcdProcess.start()
  })
  after(async () => {
    for (const node of nodes) await stopNode(node).catch(() => {})
    killAll()
    await etcd?.stop()
  })

  test('each lists the other in peers-clear-std by its access address and in peers-clear-alt by its alternate one', async () => {
    const ports = [await freePort(), await freePort()]
    for (const [i, port] of ports.entries()) {
      nodes.push(await startNode([], undefined, {
        ...process.env,
        AEROLITE_PORT: String(port),
        AEROLITE_FABRIC_PORT: String(await freePort()),
        AEROLITE_ETCD: `127.0.0.1:${etcd!.clientPort}`,
        AEROLITE_CLUSTER_NAME: `env-${process.pid}`,
        AEROLITE_ALTERNATE_ACCESS_ADDRESS: `node-${i}.example.com`,
        AEROLITE_ALTERNATE_ACCESS_PORT: String(31000 + i),
        AEROLITE_LOG_LEVEL: 'silent',
      }))
    }
    const [a, b] = nodes as [RunningNode, RunningNode]
    const peersOf = async (node: RunningNode, form: string): Promise<string> => (await requestInfo('127.0.0.1', node.port, [form], 5000)).split('\t')[1]!.trim()
    const deadline = Date.now() + 20_000
    while (!(await peersOf(a, 'peers-clear-std')).includes(`127.0.0.1:${b.port}`)) {
      assert.ok(Date.now() < deadline, 'node 0 never listed node 1 as a peer')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.match(await peersOf(a, 'peers-clear-alt'), new RegExp(`^\\d+,31000,\\[\\[[0-9A-F]+,,\\[node-1\\.example\\.com:31001\\]\\]\\]$`))
    assert.match(await peersOf(b, 'peers-clear-alt'), new RegExp(`^\\d+,31001,\\[\\[[0-9A-F]+,,\\[node-0\\.example\\.com:31000\\]\\]\\]$`))
    assert.match(await peersOf(b, 'peers-clear-std'), new RegExp(`^\\d+,${b.port},\\[\\[[0-9A-F]+,,\\[127\\.0\\.0\\.1:${a.port}\\]\\]\\]$`))
  })

  test('the official client reaches every node through the alternate addresses with useAlternateAccessAddress, and not without', async () => {
    for (const node of nodes) await stopNode(node)
    nodes.length = 0
    const cluster = `alt-${process.pid}`
    for (let i = 0; i < 2; i++) {
      // Access addresses no client here can reach (TEST-NET-1); the alternate ones are loopback.
      nodes.push(await startNode([], undefined, {
        ...process.env,
        AEROLITE_PORT: String(await freePort()),
        AEROLITE_FABRIC_PORT: String(await freePort()),
        AEROLITE_ETCD: `127.0.0.1:${etcd!.clientPort}`,
        AEROLITE_CLUSTER_NAME: cluster,
        AEROLITE_ACCESS_ADDRESS: '192.0.2.1',
        AEROLITE_ALTERNATE_ACCESS_ADDRESS: '127.0.0.1',
        AEROLITE_LOG_LEVEL: 'silent',
      }))
    }
    const seed = nodes[0]!
    const deadline = Date.now() + 20_000
    while (!(await requestInfo('127.0.0.1', seed.port, ['peers-clear-alt'], 5000)).includes(`127.0.0.1:${nodes[1]!.port}`)) {
      assert.ok(Date.now() < deadline, 'node 0 never listed node 1 by its alternate address')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const connect = (alternate: boolean) => Aerospike.connect({ hosts: [{ addr: '127.0.0.1', port: seed.port }], useAlternateAccessAddress: alternate, connTimeoutMs: 500, log: { level: Aerospike.log.OFF } })
    const outside = await connect(true)
    try {
      const deadlineMs = Date.now() + 10_000
      while (outside.getNodes().length < 2) {
        assert.ok(Date.now() < deadlineMs, `with useAlternateAccessAddress the client found ${outside.getNodes().length} node(s)`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      for (let i = 0; i < 50; i++) await outside.put(new Aerospike.Key('test', 'alt', i), { i })
    } finally {
      await outside.close()
    }
    // Without it the client is told 192.0.2.1, which it cannot reach.
    await assert.rejects(connect(false), /Peers not reachable: 192\.0\.2\.1:/)
    // A failed connect leaves no client to close: release the client library's event loop itself.
    Aerospike.releaseEventLoop()
  })
})
