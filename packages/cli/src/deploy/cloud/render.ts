// Everything `aerolite deploy cloud` writes, in the order of the four steps: create the Kubernetes
// cluster, configure it and install Aerolite (storage class, chart values), deploy the application
// (the seed app), set up monitoring and alerting (kube-prometheus-stack, the chart's rules and
// dashboards). Every Kubernetes object here is validated by the tests; scripts read env.sh.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type * as Yaml from 'yaml'
import { AEROLITE_VERSION } from '../../version.ts'
import { shellQuote, type CloudProvider, type CloudSettings, type RenderedFile, type ToYaml } from './provider.ts'
import { CHART_PATH, SEED_APP_PATH } from './repository.ts'

/** The Kubernetes namespace and the Helm release of the cluster (its client Service is "aerolite"). */
export const KUBERNETES_NAMESPACE = 'aerolite'
const RELEASE = 'aerolite'
const MONITORING_NAMESPACE = 'monitoring'
const AEROSPIKE_NAMESPACE = 'test'
/** What the data file leaves of the volume for the index snapshot and the lock file. */
const FILE_SHARE_OF_VOLUME = 0.9

export function storageClassName(settings: CloudSettings): string {
  return `aerolite-${settings.disk}`
}

export async function renderCloud(provider: CloudProvider, settings: CloudSettings, repoDir: string): Promise<RenderedFile[]> {
  // Loaded here, not imported at the top: the bundle would load it in every aerolite process.
  const yaml = await import('yaml')
  const yamlFile = (comment: string, ...documents: object[]): string => `# ${comment}\n${documents.map((d) => yaml.stringify(d)).join('---\n')}`
  return [
    { path: 'env.sh', content: envShell(provider, settings, repoDir) },
    ...provider.clusterFiles(settings, yaml.stringify as ToYaml),
    { path: '2-aerolite/storage-class.yaml', content: yamlFile('The data volumes\' storage class (kubectl apply -f).', storageClass(provider, settings)) },
    { path: '2-aerolite/values.yaml', content: yamlFile(`Values of the Aerolite chart (${CHART_PATH}) for ${settings.name}.`, chartValues(provider, settings)) },
    { path: '2-aerolite/install.sh', content: installAerolite(settings) },
    ...seedApp(repoDir, yaml, yamlFile),
    { path: '3-application/deploy.sh', content: deployApp() },
    { path: '4-monitoring/kube-prometheus-stack-values.yaml', content: yamlFile('Values of prometheus-community/kube-prometheus-stack.', monitoringStackValues(settings)) },
    { path: '4-monitoring/aerolite-monitoring-values.yaml', content: yamlFile('Turns on the chart\'s ServiceMonitor, alert rules and dashboards (helm upgrade --reuse-values -f).', chartMonitoringValues()) },
    { path: '4-monitoring/install.sh', content: installMonitoring() },
  ]
}

function envShell(provider: CloudProvider, settings: CloudSettings, repoDir: string): string {
  return [
    `# Sourced by every step's script: the cluster, the ${provider.kubernetesService} registry, the repository.`,
    `NAME=${shellQuote(settings.name)}`,
    `REGION=${settings.region}`,
    `NAMESPACE=${KUBERNETES_NAMESPACE}`,
    `VERSION=${AEROLITE_VERSION}`,
    `REPO_DIR=\${REPO_DIR:-${shellQuote(repoDir)}}`,
    `CHART_DIR="$REPO_DIR/${CHART_PATH}"`,
    'HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    provider.registryShell(settings),
    '',
  ].join('\n')
}

function storageClass(provider: CloudProvider, settings: CloudSettings): object {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: storageClassName(settings) },
    provisioner: provider.storageProvisioner,
    parameters: provider.storageParameters(settings.disk),
    // Growing a volume is a PVC patch, no rack is recreated (see the chart's README).
    allowVolumeExpansion: true,
    // The volume is made in the zone the pod is scheduled to, so zone affinity decides.
    volumeBindingMode: 'WaitForFirstConsumer',
    reclaimPolicy: 'Retain',
  }
}

function chartValues(provider: CloudProvider, settings: CloudSettings): object {
  const rackCount = Math.min(settings.zones.length, settings.nodes)
  return {
    replicas: settings.nodes,
    racks: settings.zones.slice(0, rackCount).map((zone, i) => ({ id: i + 1, zone })),
    podAntiAffinity: 'required',
    resources: { requests: { cpu: '2', memory: '8Gi' }, limits: { memory: '8Gi' } },
    nodeSelector: { 'aerolite.dev/pool': 'data' },
    config: {
      clusterName: settings.name,
      namespaces: [{
        name: AEROSPIKE_NAMESPACE,
        replicationFactor: Math.min(2, settings.nodes),
        storage: { engine: 'device', fileSize: `${Math.floor(settings.volumeSizeGi * FILE_SHARE_OF_VOLUME)}G` },
      }],
    },
    persistence: { enabled: true, size: `${settings.volumeSizeGi}Gi`, storageClassName: storageClassName(settings) },
    etcd: { persistence: { storageClassName: storageClassName(settings) }, nodeSelector: { 'aerolite.dev/pool': 'data' } },
    external: settings.domain === undefined
      ? { enabled: false }
      : { enabled: true, type: 'LoadBalancer', domain: settings.domain, annotations: provider.loadBalancerAnnotations(settings.internalLoadBalancers) },
  }
}

function installAerolite(settings: CloudSettings): string {
  return script(`Step 2: the storage class, the Aerolite image in the registry, the chart (${settings.nodes} nodes).`, [
    'kubectl apply -f "$HERE/2-aerolite/storage-class.yaml"',
    'registry_login',
    'ensure_repository aerolite',
    // Kubernetes nodes here are x86-64, whatever machine builds the image.
    'docker build --platform linux/amd64 -t "$REGISTRY/aerolite:$VERSION" "$REPO_DIR"',
    'docker push "$REGISTRY/aerolite:$VERSION"',
    `helm upgrade --install ${RELEASE} "$CHART_DIR" --namespace "$NAMESPACE" --create-namespace \\`,
    '  -f "$HERE/2-aerolite/values.yaml" --set image.repository="$REGISTRY/aerolite" --set image.tag="$VERSION" \\',
    '  --wait --timeout 20m',
    // Ready pods are in the cluster view; cluster-stable says every node agrees on it.
    `kubectl --namespace "$NAMESPACE" exec ${RELEASE}-rack-1-0 -- node /app/aerolite.mjs info "cluster-stable:size=${settings.nodes}" || kubectl --namespace "$NAMESPACE" get pods`,
  ])
}

/** The seed app's manifests (examples/seed-app/k8s), in the cluster's namespace. */
function seedApp(repoDir: string, yaml: typeof Yaml, yamlFile: (comment: string, ...documents: object[]) => string): RenderedFile[] {
  return ['deployment.yaml', 'service.yaml'].map((file) => {
    const text = readFileSync(join(repoDir, SEED_APP_PATH, 'k8s', file), 'utf8')
    const objects = yaml.parseAllDocuments(text).map((doc) => {
      const object = doc.toJS() as { metadata: { namespace?: string } }
      object.metadata.namespace = KUBERNETES_NAMESPACE
      return object
    })
    return { path: `3-application/${file}`, content: yamlFile(`From ${SEED_APP_PATH}/k8s/${file}; the image is set by deploy.sh.`, ...objects) }
  })
}

function deployApp(): string {
  return script('Step 3: the seed application (3 replicas) beside the cluster, its image in the registry.', [
    'registry_login',
    'ensure_repository seed-app',
    `docker build --platform linux/amd64 -t "$REGISTRY/seed-app:$VERSION" "$REPO_DIR/${SEED_APP_PATH}"`,
    'docker push "$REGISTRY/seed-app:$VERSION"',
    'kubectl apply -f "$HERE/3-application/deployment.yaml" -f "$HERE/3-application/service.yaml"',
    'kubectl --namespace "$NAMESPACE" set image deployment/seed-app seed-app="$REGISTRY/seed-app:$VERSION"',
    'kubectl --namespace "$NAMESPACE" rollout status deployment/seed-app --timeout 5m',
  ])
}

function monitoringStackValues(settings: CloudSettings): object {
  const receiver = settings.alertWebhookUrl === undefined ? 'null' : 'aerolite-webhook'
  return {
    prometheus: {
      prometheusSpec: {
        // Select the chart's ServiceMonitor and PrometheusRule without release labels.
        serviceMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        retention: '15d',
        storageSpec: { volumeClaimTemplate: { spec: { storageClassName: storageClassName(settings), accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } } } } },
      },
    },
    grafana: { sidecar: { dashboards: { enabled: true, label: 'grafana_dashboard', labelValue: '1', searchNamespace: 'ALL' } } },
    alertmanager: {
      config: {
        route: { receiver, group_by: ['alertname', 'namespace'], group_wait: '30s', group_interval: '5m', repeat_interval: '4h' },
        receivers: [
          { name: 'null' },
          ...(settings.alertWebhookUrl === undefined ? [] : [{ name: 'aerolite-webhook', webhook_configs: [{ url: settings.alertWebhookUrl, send_resolved: true }] }]),
        ],
      },
    },
  }
}

function chartMonitoringValues(): object {
  return { monitoring: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true }, dashboards: { enabled: true } } }
}

function installMonitoring(): string {
  return script('Step 4: Prometheus, Alertmanager and Grafana (kube-prometheus-stack), then the chart\'s monitoring objects.', [
    'helm repo add prometheus-community https://prometheus-community.github.io/helm-charts',
    'helm repo update prometheus-community',
    `helm upgrade --install monitoring prometheus-community/kube-prometheus-stack --namespace ${MONITORING_NAMESPACE} --create-namespace \\`,
    '  -f "$HERE/4-monitoring/kube-prometheus-stack-values.yaml" --wait --timeout 15m',
    `helm upgrade ${RELEASE} "$CHART_DIR" --namespace "$NAMESPACE" --reuse-values -f "$HERE/4-monitoring/aerolite-monitoring-values.yaml" --wait`,
    `echo "Grafana: kubectl --namespace ${MONITORING_NAMESPACE} port-forward svc/monitoring-grafana 3001:80, then http://127.0.0.1:3001"`,
  ])
}

function script(title: string, lines: readonly string[]): string {
  return ['#!/usr/bin/env bash', `# ${title}`, 'set -euo pipefail', 'source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"', ...lines, ''].join('\n')
}
