// The CRD is a valid CustomResourceDefinition with a structural schema (what the API server
// demands), and the example resource passes that schema and the operator's own checks.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { Ajv, type ValidateFunction } from 'ajv'
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition'
import { parse } from 'yaml'
import { plan, validateSpec, type AeroliteClusterSpec } from '../src/index.ts'
import { STORAGE_QUANTITY_PATTERN } from '../src/quantity.ts'
import { START_MS } from './world.ts'

type Schema = Record<string, unknown>

const crdDocument: unknown = parse(readFileSync(new URL('../crd/aerolitecluster.yaml', import.meta.url), 'utf8'))
const exampleDocument = parse(readFileSync(new URL('../examples/aerolitecluster.yaml', import.meta.url), 'utf8')) as {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace: string }
  spec: AeroliteClusterSpec
}

function version(): { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: Schema }; subresources?: { status?: object }; additionalPrinterColumns?: Array<{ name: string; jsonPath: string }> } {
  const crd = crdDocument as { spec: { versions: Array<ReturnType<typeof version>> } }
  assert.equal(crd.spec.versions.length, 1)
  return crd.spec.versions[0]!
}

test('the CRD is a valid apiextensions.k8s.io/v1 CustomResourceDefinition', () => {
  const crd = new CustomResourceDefinition(crdDocument as ConstructorParameters<typeof CustomResourceDefinition>[0])
  crd.validate()
  assert.equal(crd.metadata?.name, 'aeroliteclusters.aerolite.dev')
  assert.equal(crd.spec.group, 'aerolite.dev')
  assert.equal(crd.spec.scope, 'Namespaced')
  assert.deepEqual(crd.spec.names, { kind: 'AeroliteCluster', listKind: 'AeroliteClusterList', plural: 'aeroliteclusters', singular: 'aerolitecluster', shortNames: ['alc'] })
  const v1alpha1 = version()
  assert.equal(v1alpha1.name, 'v1alpha1')
  assert.equal(v1alpha1.served, true)
  assert.equal(v1alpha1.storage, true)
  assert.deepEqual(v1alpha1.subresources, { status: {} })
  assert.deepEqual(v1alpha1.additionalPrinterColumns?.map((column) => [column.name, column.jsonPath]), [
    ['Size', '.spec.size'], ['Ready', '.status.readyPods'], ['Phase', '.status.phase'], ['Age', '.metadata.creationTimestamp'],
  ])
})

test('an invalid CRD is caught by the same validation', () => {
  const broken = structuredClone(crdDocument) as { spec: { scope: unknown } }
  broken.spec.scope = 42
  assert.throws(() => new CustomResourceDefinition(broken as ConstructorParameters<typeof CustomResourceDefinition>[0]).validate())
})

/**
 * The API server's structural-schema rules: every node typed (int-or-string and preserve-unknown-
 * fields nodes excepted), properties only on objects and items only on arrays, no $ref, list-map
 * keys required in their items. Returns where each rule is broken.
 */
function structuralProblems(node: Schema, path: string): string[] {
  const problems: string[] = []
  const intOrString = node['x-kubernetes-int-or-string'] === true
  const free = node['x-kubernetes-preserve-unknown-fields'] === true
  if ('$ref' in node) problems.push(`${path}: $ref`)
  if (node.type === undefined && !intOrString && !free) problems.push(`${path}: no type`)
  if (intOrString && JSON.stringify(node.anyOf) !== JSON.stringify([{ type: 'integer' }, { type: 'string' }])) problems.push(`${path}: int-or-string without anyOf integer, string`)
  if (node.properties !== undefined && node.type !== 'object') problems.push(`${path}: properties on a ${String(node.type)}`)
  if (node.items !== undefined && node.type !== 'array') problems.push(`${path}: items on a ${String(node.type)}`)
  if (node.type === 'array' && node.items === undefined) problems.push(`${path}: an array without items`)
  if (node.properties !== undefined && node.additionalProperties !== undefined) problems.push(`${path}: properties and additionalProperties`)
  if (node['x-kubernetes-list-type'] === 'map') {
    const required = ((node.items as Schema | undefined)?.required ?? []) as string[]
    for (const key of node['x-kubernetes-list-map-keys'] as string[]) if (!required.includes(key)) problems.push(`${path}: list-map key ${key} is not required`)
  }
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) problems.push(...structuralProblems(child, `${path}.${name}`))
  if (node.items !== undefined) problems.push(...structuralProblems(node.items as Schema, `${path}[]`))
  if (typeof node.additionalProperties === 'object') problems.push(...structuralProblems(node.additionalProperties as Schema, `${path}{}`))
  return problems
}

test('the schema is structural, free-form only where meant (the pod affinity)', () => {
  const schema = version().schema.openAPIV3Schema
  assert.deepEqual(structuralProblems(schema, ''), [])
  assert.deepEqual(structuralProblems({ type: 'object', properties: { a: { description: 'untyped' }, b: { type: 'string', items: { type: 'string' } } } }, ''), ['.a: no type', '.b: items on a string'])
  const free: string[] = []
  const walk = (node: Schema, path: string): void => {
    if (node['x-kubernetes-preserve-unknown-fields'] === true) free.push(path)
    for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) walk(child, `${path}.${name}`)
    if (node.items !== undefined) walk(node.items as Schema, `${path}[]`)
  }
  walk(schema, '')
  assert.deepEqual(free, ['.spec.podSpec.affinity'])
  const volumeSize = (((((schema.properties as Record<string, Schema>).spec!.properties as Record<string, Schema>).storage!.properties as Record<string, Schema>).volumes!.items as Schema).properties as Record<string, Schema>).size!
  assert.equal(volumeSize.pattern, STORAGE_QUANTITY_PATTERN)
})

/** The OpenAPI schema as JSON Schema for Ajv, stricter than the API server: unknown fields are errors, not pruned. */
function toJsonSchema(node: Schema): Schema {
  const copy: Schema = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties') copy[key] = Object.fromEntries(Object.entries(value as Record<string, Schema>).map(([name, child]) => [name, toJsonSchema(child)]))
    else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) copy[key] = toJsonSchema(value as Schema)
    else copy[key] = value
  }
  if (node.properties !== undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) copy.additionalProperties = false
  return copy
}

function resourceValidator(): ValidateFunction {
  const ajv = new Ajv({ allErrors: true })
  ajv.addVocabulary(['x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys'])
  ajv.addFormat('int32', { type: 'number', validate: (value: number) => Number.isInteger(value) && Math.abs(value) < 2 ** 31 })
  ajv.addFormat('int64', { type: 'number', validate: Number.isSafeInteger })
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)))
  return ajv.compile(toJsonSchema(version().schema.openAPIV3Schema))
}

test('the example AeroliteCluster passes the CRD schema; resources with mistakes do not', () => {
  const validate = resourceValidator()
  assert.equal(validate(exampleDocument), true, JSON.stringify(validate.errors))
  const broken: Array<[string, (resource: { spec: Record<string, unknown> }) => void]> = [
    ['size 0', (resource) => { resource.spec.size = 0 }],
    ['no image', (resource) => { delete resource.spec.image }],
    ['an unknown operation kind', (resource) => { resource.spec.operations = [{ id: 'a', kind: 'Reboot' }] }],
    ['a misspelt field', (resource) => { resource.spec.sizee = 3 }],
    ['maxUnavailable true', (resource) => { resource.spec.maxUnavailable = true }],
    ['a boolean config value', (resource) => { (resource.spec.config as { service: Record<string, unknown> }).service['keep-serving-without-etcd'] = true }],
    ['a volume size in GB', (resource) => { (resource.spec.storage as { volumes: Array<{ size: string }> }).volumes[0]!.size = '100GB' }],
    ['rack id 0', (resource) => { (resource.spec.racks as Array<{ id: number }>)[0]!.id = 0 }],
  ]
  for (const [what, change] of broken) {
    const resource = structuredClone(exampleDocument) as unknown as { spec: Record<string, unknown> }
    change(resource)
    assert.equal(validate(resource), false, `${what} passed the schema`)
  }
  // A status as the planner writes it passes too.
  const status = plan({ metadata: { ...exampleDocument.metadata, generation: 1 }, spec: exampleDocument.spec }, {
    nowMs: START_MS, headlessServiceExists: false, configMaps: [], statefulSets: [], pods: [], pvcs: [], nodes: {}, clusterStable: true, migrationsRemaining: 0,
  }).status
  assert.equal(validate({ ...exampleDocument, status }), true, JSON.stringify(validate.errors))
})

test('the example passes the operator\'s checks and the server\'s parser, and makes three racks of two nodes', () => {
  const cluster = { metadata: { ...exampleDocument.metadata, generation: 1 }, spec: exampleDocument.spec }
  assert.deepEqual(validateSpec(cluster), [])
  const created = plan(cluster, { nowMs: START_MS, headlessServiceExists: false, configMaps: [], statefulSets: [], pods: [], pvcs: [], nodes: {}, clusterStable: true, migrationsRemaining: 0 })
  assert.equal(created.status.phase, 'Pending')
  const statefulSets = created.actions.flatMap((action) => (action.kind === 'createStatefulSet' ? [[action.template.statefulSetName, action.template.zone, action.replicas, action.template.volumes[0]?.size]] : []))
  assert.deepEqual(statefulSets, [['orders-1', 'eu-west-1a', 2, '100Gi'], ['orders-2', 'eu-west-1b', 2, '100Gi'], ['orders-3', 'eu-west-1c', 2, '200Gi']])
})
