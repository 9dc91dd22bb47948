// The container image, built from this checkout and run with podman the way a user runs it: a
// published loopback port, a data volume, a read-only root filesystem, the official client. SIGTERM
// drains (exit 0); a restart on the same volume keeps the data; config comes from a mounted file or
// AEROLITE_* variables; a bad config exits 1 naming the file and line.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Aerospike } from '../compat/helpers.ts'
import { IMAGE, answers200, buildImage, cleanUp, createVolume, podman, podmanMissing, podmanOk, removeContainer, runContainer, uniqueName, until } from './podman.ts'

const RECORDS = 200
const READY_WITHIN_MS = 30_000

async function publishedPort(name: string, port: number): Promise<number> {
  const mapping = await podmanOk(['port', name, `${port}/tcp`])
  return Number(mapping.split('\n')[0]!.split(':').pop())
}

async function withClient<T>(port: number, use: (client: InstanceType<typeof Aerospike.Client>) => Promise<T>): Promise<T> {
  const client = await Aerospike.connect({ hosts: [{ addr: '127.0.0.1', port }], log: { level: Aerospike.log.OFF } })
  try {
    return await use(client)
  } finally {
    await client.close()
  }
}

const keyOf = (i: number) => new Aerospike.Key('test', 'demo', `k${i}`)

describe('the container image', { skip: podmanMissing(), timeout: 15 * 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-image-'))
  const volume = uniqueName('data')

  before(async () => {
    const sizeBytes = await buildImage()
    process.stdout.write(`# image ${IMAGE}: ${(sizeBytes / 1e6).toFixed(0)} MB\n`)
    await createVolume(volume)
  })

  after(async () => {
    await cleanUp()
    rmSync(dir, { recursive: true, force: true })
  })

  it('holds the bundle, its code cache and production dependencies only', async () => {
    const check = `
      const { existsSync } = require('node:fs')
      const present = ['/app/cli.cjs', '/app/load-bundle.cjs', '/app/node_modules/pino', '/app/node_modules/etcd3', '/app/node_modules/wasmoon'].filter((p) => !existsSync(p))
      const leaked = ['/app/packages', '/app/node_modules/typescript', '/app/node_modules/aerospike', '/app/node_modules/esbuild', '/app/node_modules/tsx'].filter((p) => existsSync(p))
      // The bundle's V8 code cache, written at build time (the container cannot write it).
      const codeCaches = require('node:fs').readdirSync('/app').filter((n) => /^cli\\.cjs\\.[0-9a-f]{16}\\.v8-.+\\.cache$/.test(n)).length
      process.stdout.write(JSON.stringify({ missing: present, leaked, codeCaches, uid: process.getuid() }))`
    const out = JSON.parse(await podmanOk(['run', '--rm', '--entrypoint', 'node', IMAGE, '-e', check])) as { missing: string[]; leaked: string[]; codeCaches: number; uid: number }
    assert.deepEqual(out, { missing: [], leaked: [], codeCaches: 1, uid: 10001 })
  })

  it('serves the official client on a published port, read-only, as a non-root user; SIGTERM drains and exits 0', async () => {
    const name = uniqueName('node')
    const startedMs = Date.now()
    await runContainer(name, ['--read-only', '-p', '127.0.0.1::3000', '-p', '127.0.0.1::9145', '-v', `${volume}:/var/lib/aerolite`])
    const http = await publishedPort(name, 9145)
    await until('the container answers /ready', () => answers200(`http://127.0.0.1:${http}/ready`), READY_WITHIN_MS)
    process.stdout.write(`# container start to ready: ${Date.now() - startedMs} ms (podman run included)\n`)
    const port = await publishedPort(name, 3000)
    await withClient(port, async (client) => {
      for (let i = 0; i < RECORDS; i++) await client.put(keyOf(i), { i, name: `record ${i}` })
      assert.deepEqual((await client.get(keyOf(7))).bins, { i: 7, name: 'record 7' })
    })
    // The image's health check is the node's /ready.
    assert.equal((await podman(['healthcheck', 'run', name])).code, 0)
    const stopped = await podman(['stop', '-t', '30', name], 60_000)
    assert.equal(stopped.code, 0, stopped.stderr)
    assert.equal(await podmanOk(['inspect', name, '--format', '{{.State.ExitCode}}']), '0')
    const logs = await podman(['logs', name])
    assert.match(logs.stderr + logs.stdout, /"signal":"SIGTERM","msg":"draining"[\s\S]*"msg":"stopped"/)
    await removeContainer(name)
  })

  it('a new container on the same volume has every record', async () => {
    const name = uniqueName('restarted')
    await runContainer(name, ['--read-only', '-p', '127.0.0.1::3000', '-p', '127.0.0.1::9145', '-v', `${volume}:/var/lib/aerolite`])
    await until('the restarted container is ready', () => publishedPort(name, 9145).then((http) => answers200(`http://127.0.0.1:${http}/ready`)), READY_WITHIN_MS)
    await withClient(await publishedPort(name, 3000), async (client) => {
      for (let i = 0; i < RECORDS; i++) assert.deepEqual((await client.get(keyOf(i))).bins, { i, name: `record ${i}` })
    })
    await removeContainer(name)
  })

  it('takes its config from a mounted file and AEROLITE_* variables', async () => {
    const conf = join(dir, 'aerolite.conf')
    writeFileSync(conf, 'network {\n service {\n address any\n port 3000\n }\n}\nnamespace users {\n storage-engine memory {\n data-size 64M\n }\n}\n')
    const name = uniqueName('configured')
    await runContainer(name, ['--read-only', '-p', '127.0.0.1::3100', '-v', `${conf}:/etc/aerolite/aerolite.conf:ro`, '-e', 'AEROLITE_PORT=3100', '-e', 'AEROLITE_CLUSTER_NAME=shop'])
    const port = await publishedPort(name, 3100)
    await until('it answers info with the mounted namespace and the variable\'s cluster name', async () => {
      const node = await podman(['exec', name, 'node', '/app/aerolite.mjs', 'info', '--port', '3100', 'namespaces', 'cluster-name'])
      return node.stdout === 'namespaces\tusers\ncluster-name\tshop\n'
    }, READY_WITHIN_MS)
    await withClient(port, async (client) => {
      const key = new Aerospike.Key('users', 'u', 'ada')
      await client.put(key, { name: 'Ada' })
      assert.deepEqual((await client.get(key)).bins, { name: 'Ada' })
    })
    await removeContainer(name)
  })

  it('a bad config or variable ends the container with exit 1 or 2 and one line that names it', async () => {
    const conf = join(dir, 'bad.conf')
    writeFileSync(conf, 'namespace test {\n replication-factor two\n}\n')
    const bad = await podman(['run', '--rm', '-v', `${conf}:/etc/aerolite/aerolite.conf:ro`, IMAGE])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /^aerolite: \/etc\/aerolite\/aerolite\.conf:2: .*replication-factor/m)
    const typo = await podman(['run', '--rm', '-e', 'AEROLITE_PROT=3000', IMAGE])
    assert.equal(typo.code, 2)
    assert.match(typo.stderr, /^aerolite: environment variable AEROLITE_PROT names no option/m)
  })
})
