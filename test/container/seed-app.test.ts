// The seed application (examples/seed-app): its image built with podman and run beside an Aerolite
// container on one network, reaching it by container name (started before it: the app waits);
// HTTP requests through the app write, read and delete a record that the official client, talking
// to Aerolite directly, sees too.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Aerospike } from '../compat/helpers.ts'
import { BASE_IMAGE, answers200, buildImage, cleanUp, containerIp, createNetwork, podman, podmanMissing, podmanOk, runContainer, uniqueName, until } from './podman.ts'

const APP_IMAGE = 'localhost/seed-app:test'

describe('the seed application beside an Aerolite container', { skip: podmanMissing(), timeout: 15 * 60_000 }, () => {
  const network = uniqueName('app-net')
  const database = uniqueName('db')
  const app = uniqueName('app')
  let appUrl = ''

  before(async () => {
    await buildImage()
    await podmanOk(['build', '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '-t', APP_IMAGE, 'examples/seed-app'], 600_000)
    await createNetwork(network)
    // The app first: it must wait for the database rather than crash.
    await runContainer(app, ['--network', network, '--read-only', '-p', '127.0.0.1::8080', '-e', `AEROSPIKE_HOSTS=${database}:3000`], APP_IMAGE)
    const port = Number((await podmanOk(['port', app, '8080/tcp'])).split('\n')[0]!.split(':').pop())
    appUrl = `http://127.0.0.1:${port}`
    await until('the app answers /healthz with 503 (no database yet)', async () => (await fetch(`${appUrl}/healthz`, { signal: AbortSignal.timeout(1000) })).status === 503, 60_000)
    await runContainer(database, ['--network', network, '--read-only'])
    await until('the app answers /healthz', () => answers200(`${appUrl}/healthz`), 60_000).catch(async (error: unknown) => {
      const logs = await podman(['logs', app])
      throw new Error(`${String(error)}\napp logs:\n${logs.stdout}${logs.stderr}`)
    })
  })

  after(async () => {
    await cleanUp()
  })

  const request = async (method: string, path: string, body?: string): Promise<{ status: number; json: unknown }> => {
    const response = await fetch(`${appUrl}${path}`, { method, body, headers: body === undefined ? {} : { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000) })
    const text = await response.text()
    return { status: response.status, json: text === '' ? undefined : JSON.parse(text) }
  }

  it('writes, reads and deletes a record through HTTP; Aerolite holds what the app wrote', async () => {
    assert.equal((await request('PUT', '/items/ada', JSON.stringify({ name: 'Ada', visits: 1 }))).status, 204)
    assert.equal((await request('PUT', '/items/ada', JSON.stringify({ visits: 2 }))).status, 204)
    assert.deepEqual(await request('GET', '/items/ada'), { status: 200, json: { id: 'ada', bins: { name: 'Ada', visits: 2 }, generation: 2 } })
    const client = await Aerospike.connect({ hosts: [{ addr: await containerIp(database), port: 3000 }], log: { level: Aerospike.log.OFF } })
    try {
      assert.deepEqual((await client.get(new Aerospike.Key('test', 'items', 'ada'))).bins, { name: 'Ada', visits: 2 })
      assert.equal((await request('DELETE', '/items/ada')).status, 204)
      assert.equal(await client.exists(new Aerospike.Key('test', 'items', 'ada')), false)
    } finally {
      await client.close()
    }
    assert.equal((await request('GET', '/items/ada')).status, 404)
  })

  it('answers bad requests with 4xx, not a crash', async () => {
    assert.equal((await request('PUT', '/items/x', 'not json')).status, 400)
    assert.equal((await request('PUT', '/items/x', '[]')).status, 400)
    assert.equal((await request('GET', '/nothing')).status, 404)
    assert.equal((await request('POST', '/items/x', '{"a":1}')).status, 405)
    assert.ok(await answers200(`${appUrl}/healthz`))
  })

  it('stops on SIGTERM with exit 0', async () => {
    const stopped = await podman(['stop', '-t', '20', app], 60_000)
    assert.equal(stopped.code, 0, stopped.stderr)
    assert.equal(await podmanOk(['inspect', app, '--format', '{{.State.ExitCode}}']), '0')
  })
})
