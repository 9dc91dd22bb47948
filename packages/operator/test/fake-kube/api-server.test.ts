// The fake API server through the real @kubernetes/client-node typed clients, as the operator
// will call it.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1StatefulSet } from '@kubernetes/client-node'
import { FakeApiServer } from './api-server.ts'
import { apiFailure } from './client-errors.ts'

const NS = 'api-test'
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)

let api: FakeApiServer
let core: CoreV1Api
let apps: AppsV1Api
let custom: CustomObjectsApi

before(async () => {
  api = await FakeApiServer.start()
  const kc = api.kubeConfig()
  core = kc.makeApiClient(CoreV1Api)
  apps = kc.makeApiClient(AppsV1Api)
  custom = kc.makeApiClient(CustomObjectsApi)
})

after(async () => {
  await api?.stop()
})

function statefulSet(name: string, replicas: number): V1StatefulSet {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'aerolite', image: 'aerolite:1' }] } },
    },
  }
}

test('create, get, list with a label selector; a second create is 409 AlreadyExists; generateName', async () => {
  for (const [name, labels] of [['a', { app: 'x', tier: 'web' }], ['b', { app: 'x', tier: 'db' }], ['c', { app: 'y' }]] as const) {
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name, labels }, data: { key: name } } })
  }
  const got = await core.readNamespacedConfigMap({ name: 'a', namespace: NS })
  assert.equal(got.data?.key, 'a')
  assert.equal(got.metadata?.namespace, NS)
  assert.match(got.metadata?.uid ?? '', /^[0-9a-f-]{36}$/)
  assert.match(got.metadata?.resourceVersion ?? '', /^\d+$/)

  const listed = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: 'app=x,tier!=db' })
  assert.deepEqual(listed.items.map((c) => c.metadata?.name), ['a'])
  assert.ok(Number(listed.metadata?.resourceVersion) >= Number(got.metadata?.resourceVersion), 'a list carries the newest resourceVersion')
  const byName = await core.listNamespacedConfigMap({ namespace: NS, fieldSelector: 'metadata.name=c' })
  assert.deepEqual(byName.items.map((c) => c.metadata?.name), ['c'])
  const everywhere = await core.listConfigMapForAllNamespaces({ labelSelector: 'app' })
  assert.deepEqual(everywhere.items.map((c) => c.metadata?.name), ['a', 'b', 'c'])

  const again = await apiFailure(core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'a' } } }))
  assert.deepEqual([again.code, again.reason], [409, 'AlreadyExists'])
  const missing = await apiFailure(core.readNamespacedConfigMap({ name: 'nope', namespace: NS }))
  assert.deepEqual([missing.code, missing.reason], [404, 'NotFound'])

  const generated = await core.createNamespacedEvent({ namespace: NS, body: { metadata: { generateName: 'ev-' }, involvedObject: { kind: 'Pod', name: 'p' } } })
  assert.match(generated.metadata?.name ?? '', /^ev-[a-z0-9]{5}$/)
})

test('replace: a stale resourceVersion is 409 Conflict; the current one wins and gets a new one', async () => {
  const created = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'rv' }, data: { n: '1' } } })
  const replaced = await core.replaceNamespacedConfigMap({ name: 'rv', namespace: NS, body: { ...created, data: { n: '2' } } })
  assert.ok(Number(replaced.metadata!.resourceVersion) > Number(created.metadata!.resourceVersion))
  const stale = await apiFailure(core.replaceNamespacedConfigMap({ name: 'rv', namespace: NS, body: { ...created, data: { n: '3' } } }))
  assert.deepEqual([stale.code, stale.reason], [409, 'Conflict'])
  assert.equal((await core.readNamespacedConfigMap({ name: 'rv', namespace: NS })).data?.n, '2')

  const wrongName = await apiFailure(core.replaceNamespacedConfigMap({ name: 'rv', namespace: NS, body: { metadata: { name: 'other' } } }))
  assert.deepEqual([wrongName.code, wrongName.reason], [422, 'Invalid'])
  const wrongKind = await apiFailure(custom.createNamespacedCustomObject({ group: 'aerolite.dev', version: 'v1alpha1', namespace: NS, plural: 'aeroliteclusters', body: { kind: 'Pod', metadata: { name: 'x' } } }))
  assert.deepEqual([wrongKind.code, wrongKind.reason], [422, 'Invalid'])
})

test('generation: +1 when spec changes (merge or JSON patch), not for metadata or status; /status writes only status', async () => {
  const created = await apps.createNamespacedStatefulSet({ namespace: NS, body: statefulSet('gen', 1) })
  assert.equal(created.metadata?.generation, 1)
  assert.equal(created.status, undefined)

  const labelled = await apps.patchNamespacedStatefulSet({ name: 'gen', namespace: NS, body: { metadata: { labels: { extra: 'yes' } } } }, mergePatch)
  assert.equal(labelled.metadata?.generation, 1)
  assert.deepEqual(labelled.metadata?.labels, { app: 'gen', extra: 'yes' })

  const scaled = await apps.patchNamespacedStatefulSet({ name: 'gen', namespace: NS, body: { spec: { replicas: 3 } } }, mergePatch)
  assert.equal(scaled.spec?.replicas, 3)
  assert.equal(scaled.metadata?.generation, 2)
  assert.equal(scaled.spec?.serviceName, 'gen', 'a merge patch keeps what it does not name')

  const patched = await apps.patchNamespacedStatefulSet({ name: 'gen', namespace: NS, body: [
    { op: 'test', path: '/spec/replicas', value: 3 },
    { op: 'replace', path: '/spec/replicas', value: 4 },
    { op: 'add', path: '/metadata/labels/added', value: 'x' },
    { op: 'remove', path: '/metadata/labels/extra' },
  ] }, jsonPatch)
  assert.deepEqual([patched.spec?.replicas, patched.metadata?.generation, patched.metadata?.labels], [4, 3, { app: 'gen', added: 'x' }])
  const failedTest = await apiFailure(apps.patchNamespacedStatefulSet({ name: 'gen', namespace: NS, body: [{ op: 'test', path: '/spec/replicas', value: 3 }, { op: 'replace', path: '/spec/replicas', value: 9 }] }, jsonPatch))
  assert.equal(failedTest.code, 422)
  const malformed = await apiFailure(apps.patchNamespacedStatefulSet({ name: 'gen', namespace: NS, body: [{ op: 'move', from: '/a', path: '/b' }] }, jsonPatch))
  assert.deepEqual([malformed.code, malformed.reason], [400, 'BadRequest'])
  const staleInPatch = await apiFailure(apps.patchNamespacedStatefulSet({ name: 'gen', namespace: NS, body: { metadata: { resourceVersion: created.metadata!.resourceVersion }, spec: { replicas: 1 } } }, mergePatch))
  assert.deepEqual([staleInPatch.code, staleInPatch.reason], [409, 'Conflict'])

  // Status through /status: spec in the body is ignored, generation stays.
  const current = await apps.readNamespacedStatefulSet({ name: 'gen', namespace: NS })
  const withStatus = await apps.replaceNamespacedStatefulSetStatus({ name: 'gen', namespace: NS, body: { ...current, spec: { ...current.spec!, replicas: 99 }, status: { replicas: 2, readyReplicas: 1 } } })
  assert.deepEqual([withStatus.spec?.replicas, withStatus.status?.readyReplicas, withStatus.metadata?.generation], [4, 1, 3])
  const statusPatched = await apps.patchNamespacedStatefulSetStatus({ name: 'gen', namespace: NS, body: { status: { readyReplicas: 2 } } }, mergePatch)
  assert.deepEqual([statusPatched.status?.replicas, statusPatched.status?.readyReplicas], [2, 2])

  // The main resource keeps the old status whatever its body says.
  const replaced = await apps.replaceNamespacedStatefulSet({ name: 'gen', namespace: NS, body: { ...statusPatched, spec: { ...statusPatched.spec!, replicas: 5 }, status: { replicas: 0 } } })
  assert.deepEqual([replaced.spec?.replicas, replaced.status?.replicas, replaced.metadata?.generation], [5, 2, 4])

  // A write that changes nothing makes no new version.
  const same = await apps.replaceNamespacedStatefulSet({ name: 'gen', namespace: NS, body: replaced })
  assert.equal(same.metadata?.resourceVersion, replaced.metadata?.resourceVersion)

  const immutable = await apiFailure(apps.patchNamespacedStatefulSet({ name: 'gen', namespace: NS, body: { spec: { serviceName: 'other' } } }, mergePatch))
  assert.deepEqual([immutable.code, immutable.reason], [422, 'Invalid'])
})

test('custom resources: AeroliteCluster CRUD, a PUT needs a resourceVersion, status subresource', async () => {
  const ref = { group: 'aerolite.dev', version: 'v1alpha1', namespace: NS, plural: 'aeroliteclusters' }
  const created = await custom.createNamespacedCustomObject({ ...ref, body: { apiVersion: 'aerolite.dev/v1alpha1', kind: 'AeroliteCluster', metadata: { name: 'demo' }, spec: { size: 3 }, status: { phase: 'ignored' } } }) as { metadata: { resourceVersion: string; generation: number }; status?: unknown }
  assert.equal(created.metadata.generation, 1)
  assert.equal(created.status, undefined, 'a create ignores status')

  const noVersion = await apiFailure(custom.replaceNamespacedCustomObject({ ...ref, name: 'demo', body: { metadata: { name: 'demo' }, spec: { size: 4 } } }))
  assert.deepEqual([noVersion.code, noVersion.reason], [422, 'Invalid'])
  const replaced = await custom.replaceNamespacedCustomObject({ ...ref, name: 'demo', body: { metadata: { name: 'demo', resourceVersion: created.metadata.resourceVersion }, spec: { size: 4 } } }) as { metadata: { generation: number } }
  assert.equal(replaced.metadata.generation, 2)

  const statused = await custom.patchNamespacedCustomObjectStatus({ ...ref, name: 'demo', body: { status: { phase: 'Ready' }, spec: { size: 1 } } }, mergePatch) as { spec: { size: number }; status: { phase: string }; metadata: { generation: number } }
  assert.deepEqual([statused.spec.size, statused.status.phase, statused.metadata.generation], [4, 'Ready', 2])
  const merged = await custom.patchNamespacedCustomObject({ ...ref, name: 'demo', body: { spec: { paused: true } } }, mergePatch) as { spec: unknown; status: unknown }
  assert.deepEqual(merged.spec, { size: 4, paused: true })
  assert.deepEqual(merged.status, { phase: 'Ready' })

  const listed = await custom.listClusterCustomObject({ group: 'aerolite.dev', version: 'v1alpha1', plural: 'aeroliteclusters' }) as { items: unknown[] }
  assert.equal(listed.items.length, 1)
  await custom.deleteNamespacedCustomObject({ ...ref, name: 'demo' })
  assert.equal((await apiFailure(custom.getNamespacedCustomObject({ ...ref, name: 'demo' }))).code, 404)
})

test('delete: Background removes dependents by owner uid, Orphan strips the owner reference and leaves them', async () => {
  for (const [name, policy] of [['bg', 'Background'], ['orphan', 'Orphan']] as const) {
    const owner = await apps.createNamespacedStatefulSet({ namespace: NS, body: statefulSet(name, 1) })
    const ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: owner.metadata!.uid!, controller: true }]
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: `${name}-0`, ownerReferences }, spec: { containers: [{ name: 'c', image: 'i' }] } } })
    const child = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: `${name}-child`, ownerReferences } } })
    // A grandchild goes with its parent: the cascade is recursive.
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: `${name}-grandchild`, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: `${name}-child`, uid: child.metadata!.uid! }] } } })

    await apps.deleteNamespacedStatefulSet({ name, namespace: NS, propagationPolicy: policy })
    assert.equal((await apiFailure(apps.readNamespacedStatefulSet({ name, namespace: NS }))).code, 404)
    const left = (await core.listNamespacedConfigMap({ namespace: NS })).items.map((c) => c.metadata!.name!).filter((n) => n.startsWith(`${name}-`))
    const pods = (await core.listNamespacedPod({ namespace: NS })).items.filter((p) => p.metadata!.name === `${name}-0`)
    if (policy === 'Background') {
      assert.deepEqual([left, pods.length], [[], 0])
    } else {
      assert.deepEqual(left, [`${name}-child`, `${name}-grandchild`])
      assert.equal(pods.length, 1)
      assert.equal(pods[0]!.metadata!.ownerReferences, undefined)
      const grandchild = await core.readNamespacedConfigMap({ name: `${name}-grandchild`, namespace: NS })
      assert.equal(grandchild.metadata!.ownerReferences?.length, 1, 'only references to the deleted owner go')
    }
  }
})

test('delete: a pod bound to a node and an object with a finalizer get a deletionTimestamp first', async () => {
  await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'bound' }, spec: { nodeName: 'fake-node', terminationGracePeriodSeconds: 7, containers: [{ name: 'c', image: 'i' }] } } })
  const terminating = await core.deleteNamespacedPod({ name: 'bound', namespace: NS })
  assert.ok(terminating.metadata?.deletionTimestamp instanceof Date)
  assert.equal(terminating.metadata?.deletionGracePeriodSeconds, 7)
  assert.ok((await core.readNamespacedPod({ name: 'bound', namespace: NS })).metadata?.deletionTimestamp)
  const recreate = await apiFailure(core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'bound' }, spec: { containers: [{ name: 'c', image: 'i' }] } } }))
  assert.equal(recreate.reason, 'AlreadyExists', 'the name is taken until the pod is gone')
  await core.deleteNamespacedPod({ name: 'bound', namespace: NS, gracePeriodSeconds: 0 })
  assert.equal((await apiFailure(core.readNamespacedPod({ name: 'bound', namespace: NS }))).code, 404)

  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'held', finalizers: ['example.com/cleanup'] } } })
  await core.deleteNamespacedConfigMap({ name: 'held', namespace: NS })
  const held = await core.readNamespacedConfigMap({ name: 'held', namespace: NS })
  assert.ok(held.metadata?.deletionTimestamp)
  await core.patchNamespacedConfigMap({ name: 'held', namespace: NS, body: { metadata: { finalizers: null } } }, mergePatch)
  assert.equal((await apiFailure(core.readNamespacedConfigMap({ name: 'held', namespace: NS }))).code, 404)
})

test('raw HTTP: unknown resources and paths are 404 Status, wrong verbs 405, discovery lists what is served', async () => {
  const unknown = await fetch(`${api.url}/api/v1/namespaces/${NS}/secrets`)
  assert.equal(unknown.status, 404)
  assert.deepEqual(await unknown.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 })
  const postToObject = await fetch(`${api.url}/api/v1/namespaces/${NS}/configmaps/a`, { method: 'POST', body: '{}' })
  assert.deepEqual([postToObject.status, ((await postToObject.json()) as { reason: string }).reason], [405, 'MethodNotAllowed'])
  const noStatus = await fetch(`${api.url}/api/v1/namespaces/${NS}/configmaps/a/status`)
  assert.equal(noStatus.status, 404)
  const badJson = await fetch(`${api.url}/api/v1/namespaces/${NS}/configmaps`, { method: 'POST', body: '{', headers: { 'Content-Type': 'application/json' } })
  assert.equal(badJson.status, 400)
  const apply = await fetch(`${api.url}/api/v1/namespaces/${NS}/configmaps/a`, { method: 'PATCH', body: '{}', headers: { 'Content-Type': 'application/apply-patch+yaml' } })
  assert.equal(apply.status, 415)

  const appsV1 = await (await fetch(`${api.url}/apis/apps/v1`)).json() as { resources: { name: string }[] }
  assert.deepEqual(appsV1.resources.map((r) => r.name), ['statefulsets', 'statefulsets/status'])
  const crds = await fetch(`${api.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'aeroliteclusters.aerolite.dev' } }) })
  assert.equal(crds.status, 201)
  assert.equal(((await crds.json()) as { metadata: { namespace?: string } }).metadata.namespace, undefined, 'cluster-scoped')
})

test('in-process API: the same store and rules without HTTP', () => {
  const created = api.create('services', NS, { metadata: { name: 'svc', labels: { app: 'in-process' } }, spec: { clusterIP: 'None' } })
  assert.equal(api.list('services', { namespace: NS, labelSelector: 'app=in-process' }).length, 1)
  const changes: string[] = []
  const unsubscribe = api.onChange((change) => changes.push(`${change.type} ${change.resource} ${change.object.metadata.name}`))
  api.update('services', NS, { ...created, spec: { clusterIP: 'None', ports: [] } })
  assert.throws(() => api.update('services', NS, created), (err: Error & { code?: number }) => err.code === 409)
  api.delete('services', NS, 'svc')
  unsubscribe()
  assert.deepEqual(changes, ['MODIFIED services svc', 'DELETED services svc'])
  assert.equal(api.get('services', NS, 'svc'), undefined)
})
