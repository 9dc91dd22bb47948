// The operator's own manifests (deploy/operator.yaml) are valid Kubernetes objects, and what they
// grant covers what the controller does.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { parseManifests, validateManifests } from '../../../test/deploy/validate-manifests.ts'

const text = readFileSync(new URL('../deploy/operator.yaml', import.meta.url), 'utf8')

test('operator.yaml: a service account, a role bound to it, a Deployment running `operator` as it', () => {
  assert.deepEqual(validateManifests(text).map((o) => o.kind), ['ServiceAccount', 'Role', 'RoleBinding', 'Deployment'])
  const [account, role, binding, deployment] = parseManifests(text) as Array<Record<string, any>>
  assert.deepEqual(binding!.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role!.metadata.name })
  assert.deepEqual(binding!.subjects, [{ kind: 'ServiceAccount', name: account!.metadata.name, namespace: account!.metadata.namespace }])
  const pod = deployment!.spec.template.spec
  assert.equal(pod.serviceAccountName, account!.metadata.name)
  assert.deepEqual(pod.containers[0].args, ['operator'])
  assert.equal(deployment!.spec.replicas, 1)
})

test('the role allows every call the controller makes', () => {
  const [, role] = parseManifests(text) as Array<{ rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> }>
  const allowed = (group: string, resource: string, verb: string) => role!.rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb))
  const calls: Array<[string, string, string]> = [
    ['aerolite.dev', 'aeroliteclusters', 'list'], ['aerolite.dev', 'aeroliteclusters', 'watch'], ['aerolite.dev', 'aeroliteclusters/status', 'patch'],
    ['apps', 'statefulsets', 'create'], ['apps', 'statefulsets', 'patch'], ['apps', 'statefulsets', 'delete'], ['apps', 'statefulsets', 'list'], ['apps', 'statefulsets', 'watch'], ['apps', 'statefulsets', 'get'],
    ['', 'services', 'create'], ['', 'services', 'list'], ['', 'configmaps', 'create'], ['', 'configmaps', 'update'], ['', 'configmaps', 'delete'], ['', 'configmaps', 'list'],
    ['', 'pods', 'list'], ['', 'pods', 'watch'], ['', 'pods', 'delete'], ['', 'pods/exec', 'create'],
    ['', 'persistentvolumeclaims', 'list'], ['', 'persistentvolumeclaims', 'patch'], ['', 'events', 'create'],
  ]
  for (const [group, resource, verb] of calls) assert.ok(allowed(group, resource, verb), `${verb} ${group || 'core'}/${resource}`)
})
