// What `aerolite deploy cloud` renders differs by cloud in a few facts: how the Kubernetes cluster
// is created, which disks back the volumes, which zones a region has, how a load balancer is asked
// for, and where images are pushed. Each provider file states them; render.ts does the rest.

export const PROVIDER_NAMES = ['aws', 'azure', 'gcp'] as const
export type ProviderName = (typeof PROVIDER_NAMES)[number]

/** balanced: general-purpose SSD (gp3, Premium SSD, pd-balanced); fast: provisioned IOPS (io2, Premium SSD v2, pd-ssd). */
export const DISK_TIERS = ['balanced', 'fast'] as const
export type DiskTier = (typeof DISK_TIERS)[number]

export interface CloudSettings {
  provider: ProviderName
  /** The Kubernetes cluster's name, also the Aerolite cluster name. */
  name: string
  region: string
  /** As topology.kubernetes.io/zone labels them; one Aerolite rack per zone. */
  zones: string[]
  /** Aerolite data nodes. */
  nodes: number
  disk: DiskTier
  volumeSizeGi: number
  /** Clients outside Kubernetes reach pod i as <pod>.<domain> through a load balancer of its own. */
  domain?: string
  /** Load balancers reachable from the cloud network only. */
  internalLoadBalancers: boolean
  /** Where Alertmanager posts firing alerts; none: they show in Alertmanager only. */
  alertWebhookUrl?: string
}

/** YAML text of a value (the yaml package's stringify, loaded when a render runs). */
export type ToYaml = (value: unknown) => string

export interface RenderedFile {
  /** Relative to the output folder. */
  path: string
  content: string
}

export interface CloudProvider {
  name: ProviderName
  /** The managed Kubernetes service, for the printed steps. */
  kubernetesService: string
  /** What a region name looks like here, to refuse another cloud's region early. */
  regionExample: string
  regionPattern: RegExp
  /** Zones of the regions known here, as the nodes' topology.kubernetes.io/zone label names them. */
  knownZones: Readonly<Record<string, readonly string[]>>
  /** Step 1: the files that create the Kubernetes cluster, and the command that runs them. */
  clusterFiles(settings: CloudSettings, toYaml: ToYaml): RenderedFile[]
  createClusterCommand(outDir: string): string
  /** The CSI driver and parameters of the data volumes' storage class. */
  storageProvisioner: string
  storageParameters(tier: DiskTier): Record<string, string>
  /** The disk's product name, for the printed summary. */
  diskName(tier: DiskTier): string
  /** Annotations of each node's external Service (a TCP load balancer). */
  loadBalancerAnnotations(internal: boolean): Record<string, string>
  /** Shell lines (sourced by every step) that set REGISTRY and let docker push to it. */
  registryShell(settings: CloudSettings): string
}

/** Kubernetes nodes for K data nodes: one each (required anti-affinity), and at least 3 for etcd. */
export function kubernetesNodeCount(settings: CloudSettings): number {
  return Math.max(settings.nodes, 3)
}

export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}
