// Google Kubernetes Engine: a regional cluster from a `gcloud` script (nodes in the chosen zones,
// the Persistent Disk CSI driver), volumes on pd-balanced or pd-ssd, per-node load balancers,
// images in Artifact Registry.
import { kubernetesNodeCount, shellQuote, type CloudProvider, type CloudSettings } from './provider.ts'

export const gcp: CloudProvider = {
  name: 'gcp',
  kubernetesService: 'Google Kubernetes Engine',
  regionExample: 'us-central1',
  regionPattern: /^[a-z]+-[a-z]+\d+$/,
  // Zone letters differ by region (us-east1 has no "a", europe-west1 starts at "b").
  knownZones: {
    'us-central1': ['us-central1-a', 'us-central1-b', 'us-central1-c'],
    'us-east1': ['us-east1-b', 'us-east1-c', 'us-east1-d'],
    'us-east4': ['us-east4-a', 'us-east4-b', 'us-east4-c'],
    'us-west1': ['us-west1-a', 'us-west1-b', 'us-west1-c'],
    'us-west2': ['us-west2-a', 'us-west2-b', 'us-west2-c'],
    'northamerica-northeast1': ['northamerica-northeast1-a', 'northamerica-northeast1-b', 'northamerica-northeast1-c'],
    'europe-west1': ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'],
    'europe-west2': ['europe-west2-a', 'europe-west2-b', 'europe-west2-c'],
    'europe-west3': ['europe-west3-a', 'europe-west3-b', 'europe-west3-c'],
    'europe-west4': ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'],
    'asia-east1': ['asia-east1-a', 'asia-east1-b', 'asia-east1-c'],
    'asia-northeast1': ['asia-northeast1-a', 'asia-northeast1-b', 'asia-northeast1-c'],
    'asia-southeast1': ['asia-southeast1-a', 'asia-southeast1-b', 'asia-southeast1-c'],
    'australia-southeast1': ['australia-southeast1-a', 'australia-southeast1-b', 'australia-southeast1-c'],
  },

  clusterFiles(settings: CloudSettings) {
    // --num-nodes counts nodes per zone of a regional cluster.
    const perZone = Math.ceil(kubernetesNodeCount(settings) / settings.zones.length)
    const script = [
      '#!/usr/bin/env bash',
      `# Creates the GKE cluster ${settings.name} in ${settings.region} (the project is gcloud's current one).`,
      'set -euo pipefail',
      'PROJECT="$(gcloud config get-value project)"',
      // 8 vCPU, 32 GiB per node: a data node's requests (2 CPU, 8 GiB) with room for etcd and monitoring.
      `gcloud container clusters create ${shellQuote(settings.name)} --region ${settings.region} --node-locations ${settings.zones.join(',')} \\`,
      `  --num-nodes ${perZone} --machine-type n2-standard-8 --disk-type pd-balanced --disk-size 100 \\`,
      '  --node-labels aerolite.dev/pool=data --workload-pool "$PROJECT.svc.id.goog" --addons GcePersistentDiskCsiDriver',
      `gcloud container clusters get-credentials ${shellQuote(settings.name)} --region ${settings.region}`,
      '',
    ].join('\n')
    return [{ path: '1-cluster/create-cluster.sh', content: script }]
  },

  createClusterCommand: (outDir) => `bash ${shellQuote(`${outDir}/1-cluster/create-cluster.sh`)}`,

  storageProvisioner: 'pd.csi.storage.gke.io',
  storageParameters: (tier): Record<string, string> => ({ type: tier === 'fast' ? 'pd-ssd' : 'pd-balanced' }),
  diskName: (tier) => (tier === 'fast' ? 'pd-ssd' : 'pd-balanced'),

  // Backend-service based network load balancers; internal ones stay in the VPC.
  loadBalancerAnnotations: (internal): Record<string, string> => (internal ? { 'networking.gke.io/load-balancer-type': 'Internal' } : { 'cloud.google.com/l4-rbs': 'enabled' }),

  registryShell: (settings) => [
    `REGISTRY="${settings.region}-docker.pkg.dev/$(gcloud config get-value project)/aerolite"`,
    'ensure_repository() {',
    `  gcloud artifacts repositories describe aerolite --location ${settings.region} >/dev/null 2>&1 || gcloud artifacts repositories create aerolite --repository-format docker --location ${settings.region}`,
    '}',
    `registry_login() { gcloud auth configure-docker ${settings.region}-docker.pkg.dev --quiet; }`,
  ].join('\n'),
}
