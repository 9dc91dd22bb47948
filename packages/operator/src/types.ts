// The AeroliteCluster resource (crd/aerolitecluster.yaml), what the planner observes of the
// cluster, and the actions it asks the controller to take. Plain data only: the planner is a pure
// function of these.
import type { V1Affinity, V1ResourceRequirements, V1Toleration } from '@kubernetes/client-node'

// --- spec -----------------------------------------------------------------------------------

/**
 * A value of one aerospike.conf line: a single word or a number. Booleans are written as strings
 * ("true"): the CRD types these maps int-or-string.
 */
export type ConfigValue = string | number

/** `key value` lines of one aerospike.conf context. */
export type ConfigEntries = Record<string, ConfigValue>

export type StorageEngineType = 'memory' | 'device'
export type CompressionName = 'none' | 'lz4' | 'zstd'

export interface NamespaceStorageSpec {
  type: StorageEngineType
  /** memory: how much data the namespace holds, in aerospike.conf size syntax (`4G`). */
  dataSize?: string
  /** Data files, each on one of the storage volumes; memory namespaces with files survive restarts. */
  files?: string[]
  /** Size of each file, in aerospike.conf size syntax; device namespaces need it. */
  fileSize?: string
  compression?: CompressionName
  /** Other keys of the storage-engine block (`stop-writes-used-pct`, `flush-max-ms`, ...). */
  extra?: ConfigEntries
}

export interface NamespaceSpec {
  name: string
  replicationFactor: number
  storage: NamespaceStorageSpec
  /** Other keys of the namespace block (`default-ttl`, `nsup-period`, ...). */
  extra?: ConfigEntries
}

/** Keys of the sub-blocks of `network`; addresses, the heartbeat mode and etcd belong to the operator. */
export interface NetworkSpec {
  service?: ConfigEntries
  heartbeat?: ConfigEntries
  fabric?: ConfigEntries
  http?: ConfigEntries
}

/** aerospike.conf as structured data: the operator adds the rack id, etcd and the addresses. */
export interface AerospikeConfigSpec {
  service?: ConfigEntries
  network?: NetworkSpec
  namespaces: NamespaceSpec[]
}

/** A rack's changes to one namespace: `extra` keys override, `storage` replaces the cluster's. */
export interface NamespaceOverride {
  name: string
  storage?: NamespaceStorageSpec
  extra?: ConfigEntries
}

/** A rack's overrides of the cluster's config, merged key by key. */
export interface RackConfigSpec {
  service?: ConfigEntries
  network?: NetworkSpec
  namespaces?: NamespaceOverride[]
}

export interface VolumeSpec {
  /** The volume claim template's name (a DNS label). */
  name: string
  /** Where the volume is mounted in the node's container. */
  path: string
  /** The PVC's requested size, a Kubernetes quantity (`50Gi`). Volumes only grow. */
  size: string
  storageClass?: string
}

export interface StorageSpec {
  volumes: VolumeSpec[]
}

export interface RackSpec {
  /** The namespaces' rack-id on this rack's nodes (1 to 1000000). */
  id: number
  /** The zone (topology.kubernetes.io/zone) the rack's pods are scheduled in. */
  zone?: string
  /** Nodes on this rack; unset: the rest of `size` is spread over the racks without one. */
  size?: number
  config?: RackConfigSpec
  /** Replaces the cluster's storage on this rack. */
  storage?: StorageSpec
}

/** Kubernetes settings of the node pods. */
export interface PodSpecOverrides {
  resources?: V1ResourceRequirements
  nodeSelector?: Record<string, string>
  tolerations?: V1Toleration[]
  affinity?: V1Affinity
  annotations?: Record<string, string>
  labels?: Record<string, string>
  serviceAccountName?: string
}

export type OperationKind = 'WarmRestart' | 'PodRestart'

/** A one-off restart; it runs once per id (status.completedOperations). */
export interface OperationSpec {
  id: string
  /** WarmRestart restarts the node's process in its pod; PodRestart deletes the pod. */
  kind: OperationKind
  /** Unset: every pod. */
  podNames?: string[]
}

export interface AeroliteClusterSpec {
  size: number
  image: string
  racks?: RackSpec[]
  storage?: StorageSpec
  config: AerospikeConfigSpec
  podSpec?: PodSpecOverrides
  /** Nodes taken down at once: a count, or a percentage of `size` ("25%"); default 1. */
  maxUnavailable?: number | string
  /** true: the operator only reports status. */
  paused?: boolean
  etcd: { endpoints: string[] }
  operations?: OperationSpec[]
}

export interface AeroliteClusterMetadata {
  name: string
  namespace: string
  /** Raised by the API server on every change of the spec. */
  generation: number
}

export interface AeroliteCluster {
  metadata: AeroliteClusterMetadata
  spec: AeroliteClusterSpec
  status?: AeroliteClusterStatus
}

// --- status ---------------------------------------------------------------------------------

export type ClusterPhase = 'Pending' | 'InProgress' | 'Completed' | 'Error' | 'Paused'
export type ConditionType = 'Available' | 'Progressing' | 'Degraded'
export type ConditionStatus = 'True' | 'False' | 'Unknown'

export interface Condition {
  type: ConditionType
  status: ConditionStatus
  reason: string
  message: string
  /** RFC 3339; changes only when `status` does. */
  lastTransitionTime: string
  observedGeneration: number
}

export interface PodStatus {
  rack: number
  image: string
  configHash: string
  ready: boolean
  nodeId?: string
  /** The Kubernetes pod phase. */
  phase: string
}

/** A restart operation under way: which pods it restarts and which it has restarted. */
export interface RunningOperation {
  id: string
  kind: OperationKind
  podNames: string[]
  restartedPodNames: string[]
}

export interface LastAction {
  kind: ActionKind
  message: string
  time: string
}

export interface AeroliteClusterStatus {
  /** The spec generation last fully applied. */
  observedGeneration?: number
  phase: ClusterPhase
  conditions: Condition[]
  /** Node pods that exist. */
  size: number
  readyPods: number
  pods: Record<string, PodStatus>
  /** Ids of the spec's operations that have run. */
  completedOperations: string[]
  runningOperation?: RunningOperation
  /** Partitions are migrating between nodes. */
  migrating: boolean
  lastAction?: LastAction
}

// --- observed -------------------------------------------------------------------------------

export interface ObservedVolumeClaim {
  name: string
  /** The Kubernetes quantity the claim template asks for. */
  size: string
  storageClass?: string
}

export interface ObservedStatefulSet {
  name: string
  rackId: number
  replicas: number
  /** The pod template's image and annotations (RackTemplate.configHash, .templateHash). */
  image: string
  configHash: string
  templateHash: string
  volumeClaims: ObservedVolumeClaim[]
}

export interface ObservedPod {
  name: string
  rackId: number
  ordinal: number
  /** The Ready condition (the node's /ready). */
  ready: boolean
  /** The Kubernetes pod phase. */
  phase: string
  /** A deletion timestamp is set. */
  terminating: boolean
  /** The pod's image and annotations, as its template had them when it was created. */
  image: string
  configHash: string
  templateHash: string
  restartCount: number
}

export interface ObservedPvc {
  name: string
  rackId: number
  /** The volume claim template it was made from. */
  volume: string
  requestedSize: string
  /** status.capacity.storage; unset until bound. */
  capacity?: string
}

export interface ObservedConfigMap {
  name: string
  rackId: number
  /** The rendered aerospike.conf it holds. */
  configText: string
}

/** A node's `get-config:` answers: `key` → value, as the node prints them. */
export interface RunningConfig {
  service: Record<string, string>
  /** By namespace (`get-config:context=namespace;id=NS`). */
  namespaces: Record<string, Record<string, string>>
}

/** What one node answered over the info protocol. */
export interface ObservedNode {
  nodeId: string
  /** `namespace/NS`: pending_quiesce (asked with quiesce:). */
  pendingQuiesce: boolean
  /** `namespace/NS`: effective_is_quiesced (in the current cluster view, after recluster:). */
  effectiveQuiesced: boolean
  runningConfig: RunningConfig
}

export interface Observed {
  nowMs: number
  headlessServiceExists: boolean
  configMaps: ObservedConfigMap[]
  statefulSets: ObservedStatefulSet[]
  pods: ObservedPod[]
  pvcs: ObservedPvc[]
  /** By pod name; a node that did not answer is absent. */
  nodes: Record<string, ObservedNode>
  /** `cluster-stable:` answered the same cluster key on every node. */
  clusterStable: boolean
  /** Sum over nodes and namespaces of migrate_partitions_remaining. */
  migrationsRemaining: number
}

// --- actions --------------------------------------------------------------------------------

export interface Ports {
  service: number
  fabric: number
  http?: number
}

/** The headless service that gives every node pod a stable DNS name. */
export interface HeadlessService {
  name: string
  /** Pods' selector labels. */
  selector: Record<string, string>
  ports: Ports
}

export interface RackConfigMap {
  name: string
  rackId: number
  /** The file's name in the ConfigMap (and in RackTemplate.configPath's directory). */
  fileName: string
  configText: string
}

/**
 * Everything the controller needs to write one rack's StatefulSet: updateStrategy OnDelete (the
 * operator restarts pods itself), podManagementPolicy Parallel, the ConfigMap mounted at
 * configPath, one volume claim template per volume, `zone` as a required node affinity on
 * topology.kubernetes.io/zone, configHash and templateHash as pod template annotations
 * (CONFIG_HASH_ANNOTATION, TEMPLATE_HASH_ANNOTATION), `labels` on the pods and claim templates.
 */
export interface RackTemplate {
  rackId: number
  zone?: string
  statefulSetName: string
  serviceName: string
  configMapName: string
  configPath: string
  image: string
  /** The config's hash without its dynamic settings: a new hash needs a restart. */
  configHash: string
  /** Hash of everything in the pod template: a pod with another one is restarted. */
  templateHash: string
  ports: Ports
  volumes: VolumeSpec[]
  podSpec: PodSpecOverrides
  /** Selector labels of the rack's pods (podSpec.labels are added to them). */
  labels: Record<string, string>
}

export type ConfigContext = 'service' | 'namespace'

/** A key and value as get-config prints them and set-config takes them. */
export interface ConfigSetting {
  key: string
  value: string
}

export type Action =
  | { kind: 'createHeadlessService'; service: HeadlessService }
  | { kind: 'createConfigMap'; configMap: RackConfigMap }
  | { kind: 'updateConfigMap'; configMap: RackConfigMap }
  | { kind: 'createStatefulSet'; template: RackTemplate; replicas: number }
  /** Replace the pod template; with OnDelete no pod restarts by it. */
  | { kind: 'updateStatefulSet'; template: RackTemplate }
  | { kind: 'scaleStatefulSet'; rackId: number; statefulSetName: string; replicas: number }
  /** Send `quiesce:` to each pod's node. */
  | { kind: 'quiesceNodes'; podNames: string[] }
  /** Send `quiesce-undo:` to each pod's node. */
  | { kind: 'quiesceUndo'; podNames: string[] }
  /** Send `recluster:` to this pod's node (any node will do). */
  | { kind: 'recluster'; podName: string }
  /** Nothing to do but wait for the cluster: reconcile again after a while. */
  | { kind: 'waitForMigrations'; migrationsRemaining: number; clusterStable: boolean }
  /** Delete the pod; its StatefulSet makes it again from the current template. */
  | { kind: 'deletePod'; podName: string }
  /**
   * Send `command` (set-config of `settings`) to the pod's node. One command per context and
   * namespace: the server checks keys that depend on each other (default-ttl, nsup-period) together.
   */
  | { kind: 'setConfig'; podName: string; context: ConfigContext; namespace?: string; settings: ConfigSetting[]; command: string }
  /** Restart the node's process inside its pod (the container restarts; the pod, its address and volumes stay). */
  | { kind: 'warmRestart'; podName: string }
  /** Patch spec.resources.requests.storage of the claim. */
  | { kind: 'patchPvcSize'; pvcName: string; size: string }
  /**
   * Volume claim templates are immutable: delete the StatefulSet with propagationPolicy Orphan
   * (its pods and PVCs stay) and create it again from `template` with `replicas`.
   */
  | { kind: 'recreateStatefulSetOrphan'; template: RackTemplate; replicas: number }
  /** A rack no longer in the spec, already scaled to zero: delete its StatefulSet and ConfigMap. */
  | { kind: 'deleteRack'; rackId: number; statefulSetName: string; configMapName: string }
  /** Write the status subresource. */
  | { kind: 'updateStatus'; status: AeroliteClusterStatus }

export type ActionKind = Action['kind']

export interface ClusterEvent {
  type: 'Normal' | 'Warning'
  reason: string
  message: string
}

/**
 * The next safe step. The controller runs `actions` in order and stops at the first that fails
 * (updateStatus, when present, is last, so a step that failed is not recorded as done), records
 * `events` once the actions succeeded, then observes again, from the API rather than a cache that
 * may not show its own changes yet, and plans again.
 */
export interface Plan {
  actions: Action[]
  status: AeroliteClusterStatus
  events: ClusterEvent[]
}
