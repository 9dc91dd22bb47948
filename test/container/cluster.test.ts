// Three Aerolite containers and an etcd container on one podman network: the nodes find etcd by its
// container name and advertise their network addresses; the official client's single-record suite
// files (through ../shared/tools/official-client-suite, compared with Aerospike CE 8.1) pass against
// the cluster, seeded with one node. Then one container is stopped (SIGTERM): the other two keep
// every record of a set written before it. The namespace is in memory (a mounted config), as in
// the suite's process-cluster run: on files, a record written again after a delete continues the
// delete's generation (docs/design.md, "Deletes and tombstones"), which one put.js test checks.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Aerospike } from '../compat/helpers.ts'
import { OFFICIAL_SUITE_TOOL as tool, assertNoSuiteRegressions } from '../official-suite-tool.ts'
import { BASE_IMAGE, buildImage, cleanUp, createNetwork, podman, podmanMissing, podmanOk, runContainer, uniqueName, until } from './podman.ts'

/** Test files of the official suite that work on single records (no scans, queries, UDFs or admin). */
const SUITE_FILES = ['put', 'get', 'exists', 'remove', 'remove_bin', 'select', 'operate', 'key', 'bin_projection']
const NODES = 3
const RECORDS = 500

function skipReason(): string | false {
  const missing = podmanMissing()
  if (missing !== false) return missing
  if (!existsSync(tool)) return `${tool} not found`
  return existsSync('/usr/bin/etcd') ? false : 'etcd is not installed (/usr/bin/etcd)'
}

async function info(ip: string, command: string): Promise<string> {
  const { requestInfo } = await import('../../packages/cli/src/info-request.ts')
  return (await requestInfo(ip, 3000, [command], 2000)).split('\t')[1]!.trim()
}

describe('a cluster of three containers and etcd on a podman network', { skip: skipReason(), timeout: 20 * 60_000 }, () => {
  const network = uniqueName('net')
  // A subnet of its own, so each node can be given (and advertise) a known address.
  const subnet = `10.89.${100 + (process.pid % 150)}`
  const ips = Array.from({ length: NODES }, (_, i) => `${subnet}.${11 + i}`)
  const names = ips.map((_, i) => uniqueName(`node-${i}`))
  const etcd = uniqueName('etcd')
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-container-cluster-'))
  const conf = join(dir, 'aerolite.conf')

  before(async () => {
    await buildImage()
    await createNetwork(network, ['--subnet', `${subnet}.0/24`])
    // etcd from this machine, in a container of the base image, reachable by its container name.
    await runContainer(etcd, ['--network', network, '-v', '/usr/bin/etcd:/usr/local/bin/etcd:ro', '--tmpfs', '/var/lib/etcd'], BASE_IMAGE, [
      'etcd', '--name', 'etcd', '--data-dir', '/var/lib/etcd',
      '--listen-client-urls', 'http://0.0.0.0:2379', '--advertise-client-urls', `http://${etcd}:2379`,
      '--listen-peer-urls', 'http://0.0.0.0:2380', '--initial-advertise-peer-urls', `http://${etcd}:2380`, '--initial-cluster', `etcd=http://${etcd}:2380`,
    ])
    writeFileSync(conf, 'network {\n service {\n address any\n }\n http {\n port 9145\n }\n}\nnamespace test {\n replication-factor 2\n storage-engine memory\n}\n')
    for (const [i, name] of names.entries()) {
      await runContainer(name, [
        '--network', network, '--ip', ips[i]!, '--hostname', name, '--read-only', '-v', `${conf}:/etc/aerolite/aerolite.conf:ro`,
        '-e', `AEROLITE_ETCD=${etcd}:2379`, '-e', `AEROLITE_ACCESS_ADDRESS=${ips[i]}`, '-e', 'AEROLITE_LOG_LEVEL=warn',
      ])
    }
    await until('the three containers form one stable cluster', async () => {
      const keys = await Promise.all(ips.map((ip) => info(ip, `cluster-stable:size=${NODES}`)))
      return keys.every((key) => /^[0-9A-F]+$/.test(key) && key === keys[0])
    }, 60_000)
  })

  after(async () => {
    await cleanUp()
    rmSync(dir, { recursive: true, force: true })
  })

  it('each node lists the other two by their network addresses', async () => {
    for (const [i, ip] of ips.entries()) {
      const peers = await info(ip, 'peers-clear-std')
      for (const [j, other] of ips.entries()) assert.equal(peers.includes(`[${other}:3000]`), i !== j, `${ip} peers: ${peers}`)
    }
  })

  it('passes the official client\'s single-record suite files as Aerospike CE 8.1 does', async () => {
    const output = await assertNoSuiteRegressions(['--host', ips[0]!, '--port', '3000', ...SUITE_FILES.map((f) => `${f}.js`)])
    assert.match(output, /suite: [1-9]\d* passed/)
  })

  it('a node stopped with SIGTERM leaves the other two with every record', async () => {
    const policy = { totalTimeout: 10_000, maxRetries: 5, sleepBetweenRetries: 200 }
    const client = await Aerospike.connect({ hosts: [{ addr: ips[0]!, port: 3000 }], policies: { read: policy, write: policy }, log: { level: Aerospike.log.OFF } })
    try {
      const key = (i: number) => new Aerospike.Key('test', 'containers', `r${i}`)
      for (let i = 0; i < RECORDS; i++) await client.put(key(i), { i })
      const stopped = await podman(['stop', '-t', '30', names[2]!], 60_000)
      assert.equal(stopped.code, 0, stopped.stderr)
      assert.equal(await podmanOk(['inspect', names[2]!, '--format', '{{.State.ExitCode}}']), '0')
      await until('the two remaining nodes are stable', async () => {
        const keys = await Promise.all(ips.slice(0, 2).map((ip) => info(ip, 'cluster-stable:size=2')))
        return keys.every((k) => /^[0-9A-F]+$/.test(k) && k === keys[0])
      }, 60_000)
      // The client learns of the stop on its next tend (every second); a command it sends the gone
      // node's address before then waits out its whole timeout, as the address no longer answers.
      await until('the client has dropped the stopped node', async () => {
        const addresses = client.getNodes().map((node) => node.address)
        return addresses.length === 2 && !addresses.some((address) => address.startsWith(`${ips[2]}:`))
      }, 30_000)
      for (let i = 0; i < RECORDS; i++) assert.deepEqual((await client.get(key(i))).bins, { i }, `record r${i}`)
    } finally {
      await client.close()
    }
  })
})
