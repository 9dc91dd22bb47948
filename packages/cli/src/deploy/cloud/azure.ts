// Azure Kubernetes Service: the cluster and a container registry from an `az` script (a resource
// group, an ACR attached to the cluster, a node pool across the zones), volumes on Premium SSD or
// Premium SSD v2, per-node Azure load balancers.
import { kubernetesNodeCount, shellQuote, type CloudProvider, type CloudSettings } from './provider.ts'

/** ACR names: 5 to 50 letters and digits, unique in Azure. */
export function registryName(settings: CloudSettings): string {
  return `${settings.name.replaceAll('-', '')}acr`.slice(0, 50).padEnd(5, '0')
}

const resourceGroup = (settings: CloudSettings): string => `${settings.name}-rg`

// AKS labels a node's zone "<region>-<n>"; regions with availability zones, zones 1 to 3.
const ZONED_REGIONS = [
  'eastus', 'eastus2', 'centralus', 'southcentralus', 'westus2', 'westus3', 'canadacentral', 'brazilsouth',
  'northeurope', 'westeurope', 'uksouth', 'francecentral', 'germanywestcentral', 'swedencentral', 'switzerlandnorth',
  'southeastasia', 'eastasia', 'japaneast', 'koreacentral', 'australiaeast', 'centralindia',
]

export const azure: CloudProvider = {
  name: 'azure',
  kubernetesService: 'Azure Kubernetes Service',
  regionExample: 'eastus',
  regionPattern: /^[a-z]+[0-9]?$/,
  knownZones: Object.fromEntries(ZONED_REGIONS.map((region) => [region, [1, 2, 3].map((n) => `${region}-${n}`)])),

  clusterFiles(settings: CloudSettings) {
    const zoneNumbers = settings.zones.map((zone) => zone.slice(zone.lastIndexOf('-') + 1))
    const script = [
      '#!/usr/bin/env bash',
      `# Creates the AKS cluster ${settings.name} in ${settings.region} and the registry its nodes pull from.`,
      'set -euo pipefail',
      `az group create --name ${resourceGroup(settings)} --location ${settings.region}`,
      `az acr create --resource-group ${resourceGroup(settings)} --name ${registryName(settings)} --sku Standard`,
      // 8 vCPU, 32 GiB per node: a data node's requests (2 CPU, 8 GiB) with room for etcd and monitoring.
      `az aks create --resource-group ${resourceGroup(settings)} --name ${shellQuote(settings.name)} --location ${settings.region} \\`,
      `  --node-count ${kubernetesNodeCount(settings)} --zones ${zoneNumbers.join(' ')} --node-vm-size Standard_D8s_v5 \\`,
      '  --nodepool-labels aerolite.dev/pool=data --network-plugin azure --enable-managed-identity \\',
      `  --attach-acr ${registryName(settings)} --generate-ssh-keys`,
      `az aks get-credentials --resource-group ${resourceGroup(settings)} --name ${shellQuote(settings.name)} --overwrite-existing`,
      '',
    ].join('\n')
    return [{ path: '1-cluster/create-cluster.sh', content: script }]
  },

  createClusterCommand: (outDir) => `bash ${shellQuote(`${outDir}/1-cluster/create-cluster.sh`)}`,

  storageProvisioner: 'disk.csi.azure.com',
  // Premium SSD v2 takes no host caching; its IOPS and throughput are set, not derived from size.
  storageParameters: (tier): Record<string, string> => tier === 'fast'
    ? { skuName: 'PremiumV2_LRS', cachingMode: 'None', DiskIOPSReadWrite: '8000', DiskMBpsReadWrite: '300' }
    : { skuName: 'Premium_LRS', cachingMode: 'None' },
  diskName: (tier) => (tier === 'fast' ? 'Premium SSD v2' : 'Premium SSD'),

  loadBalancerAnnotations: (internal): Record<string, string> => (internal ? { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' } : {}),

  registryShell: (settings) => [
    `REGISTRY="${registryName(settings)}.azurecr.io"`,
    // ACR creates repositories on the first push.
    'ensure_repository() { :; }',
    `registry_login() { az acr login --name ${registryName(settings)}; }`,
  ].join('\n'),
}
