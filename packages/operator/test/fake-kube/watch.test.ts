// Watch streams through @kubernetes/client-node's Watch: order of events, resuming from a
// resourceVersion, label-filtered watches, 410 Gone, and streams ended by stop().
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { CoreV1Api, Watch } from '@kubernetes/client-node'
import { FakeApiServer } from './api-server.ts'

const NS = 'watch-test'
const WAIT_MS = 5000

let api: FakeApiServer
let core: CoreV1Api
const watches: AbortController[] = []

before(async () => {
  api = await FakeApiServer.start({ maxEvents: 20 })
  core = api.kubeConfig().makeApiClient(CoreV1Api)
})

after(async () => {
  for (const controller of watches) controller.abort()
  await api?.stop()
})

interface Seen {
  events: string[]
  versions: string[]
  /** Resolves with the error (or null) that ended the stream. */
  done: Promise<unknown>
  /** Resolves once `count` events came (bounded). */
  until(count: number): Promise<void>
}

async function watch(path: string, query: Record<string, string> = {}): Promise<Seen> {
  const events: string[] = []
  const versions: string[] = []
  const waiters: (() => void)[] = []
  let ended!: (err: unknown) => void
  const done = new Promise<unknown>((resolve) => (ended = resolve))
  const started = new Watch(api.kubeConfig()).watch(path, query, (type, object: { metadata?: { name?: string; resourceVersion?: string }; code?: number }) => {
    events.push(type === 'ERROR' ? `ERROR ${object.code}` : `${type} ${object.metadata?.name}`)
    versions.push(object.metadata?.resourceVersion ?? '')
    for (const wake of waiters.splice(0)) wake()
  }, (err) => ended(err))
  // watch() resolves on the response headers: a server that never sends them fails here, not by hanging.
  let timer: NodeJS.Timeout | undefined
  const controller = await Promise.race([started, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no watch response within ${WAIT_MS} ms`)), WAIT_MS)))])
  clearTimeout(timer)
  watches.push(controller)
  const until = async (count: number): Promise<void> => {
    const deadline = Date.now() + WAIT_MS
    while (events.length < count) {
      if (Date.now() > deadline) assert.fail(`only ${events.length} of ${count} events within ${WAIT_MS} ms: ${events.join(', ')}`)
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 100)
      })
    }
  }
  return { events, versions, done, until }
}

const path = `/api/v1/namespaces/${NS}/configmaps`

test('ADDED, MODIFIED, DELETED in order, each with a newer resourceVersion', async () => {
  const seen = await watch(path)
  const created = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'one' }, data: { v: '1' } } })
  await core.replaceNamespacedConfigMap({ name: 'one', namespace: NS, body: { ...created, data: { v: '2' } } })
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'two' } } })
  await core.deleteNamespacedConfigMap({ name: 'one', namespace: NS })
  await core.createNamespacedConfigMap({ namespace: 'elsewhere', body: { metadata: { name: 'other-namespace' } } })
  await seen.until(4)
  assert.deepEqual(seen.events, ['ADDED one', 'MODIFIED one', 'ADDED two', 'DELETED one'])
  const versions = seen.versions.map(Number)
  assert.deepEqual(versions, [...versions].sort((a, b) => a - b))
  assert.equal(new Set(versions).size, versions.length)
})

test('from a resourceVersion: only what came after it; without one: ADDED for every object first', async () => {
  const base = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'resume-a' } } })
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'resume-b' } } })
  await core.deleteNamespacedConfigMap({ name: 'resume-a', namespace: NS })

  const resumed = await watch(path, { resourceVersion: base.metadata!.resourceVersion! })
  await resumed.until(2)
  assert.deepEqual(resumed.events, ['ADDED resume-b', 'DELETED resume-a'])

  const fresh = await watch(path)
  await fresh.until(2)
  assert.deepEqual(fresh.events, ['ADDED resume-b', 'ADDED two'])
  await core.deleteNamespacedConfigMap({ name: 'resume-b', namespace: NS })
  await fresh.until(3)
  assert.equal(fresh.events[2], 'DELETED resume-b')
})

test('a label-selected watch sees an object enter as ADDED and leave as DELETED', async () => {
  const seen = await watch(path, { labelSelector: 'team=blue' })
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'shifty' } } })
  const blue = await core.patchNamespacedConfigMap({ name: 'shifty', namespace: NS, body: [{ op: 'add', path: '/metadata/labels', value: { team: 'blue' } }] })
  await core.replaceNamespacedConfigMap({ name: 'shifty', namespace: NS, body: { ...blue, data: { x: '1' } } })
  await core.patchNamespacedConfigMap({ name: 'shifty', namespace: NS, body: [{ op: 'replace', path: '/metadata/labels/team', value: 'red' }] })
  await seen.until(3)
  assert.deepEqual(seen.events, ['ADDED shifty', 'MODIFIED shifty', 'DELETED shifty'])
})

test('a resourceVersion older than the event log is 410 Gone, and the stream ends', async () => {
  const first = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'old' } } })
  // maxEvents is 20: push the first change out of the log.
  for (let i = 0; i < 25; i++) await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: `filler-${i}` } } })
  const seen = await watch(path, { resourceVersion: String(Number(first.metadata!.resourceVersion) - 1) })
  await seen.until(1)
  assert.deepEqual(seen.events, ['ERROR 410'])
  assert.equal(await seen.done, null)
})

test('stop() ends every open stream', async () => {
  const seen = await watch(path)
  await seen.until(1)
  await api.stop()
  let timer: NodeJS.Timeout | undefined
  const ended = await Promise.race([seen.done.then(() => 'ended'), new Promise((resolve) => (timer = setTimeout(() => resolve('still open'), WAIT_MS)))])
  clearTimeout(timer)
  assert.equal(ended, 'ended')
})
