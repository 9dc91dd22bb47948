// The objects the fake kubelet reads and writes, as stored JSON. Specs reuse the models of
// @kubernetes/client-node (plain fields only); metadata and status are the wire form.
import type { V1PersistentVolumeClaimSpec, V1PodSpec } from '@kubernetes/client-node'
import type { KubeObject, ObjectMeta } from './objects.ts'

export interface PodCondition {
  type: string
  status: 'True' | 'False'
  lastTransitionTime?: string
  reason?: string
  message?: string
}

export interface ContainerState {
  running?: { startedAt: string }
  waiting?: { reason: string; message?: string }
  terminated?: { exitCode: number; signal?: number; reason: string; finishedAt: string }
}

export interface ContainerStatus {
  name: string
  image: string
  imageID: string
  /** fake://PID of the running process: what a test kills to crash a container. */
  containerID?: string
  ready: boolean
  started: boolean
  restartCount: number
  state: ContainerState
  lastState: ContainerState
}

export interface PodStatus {
  phase?: 'Pending' | 'Running'
  hostIP?: string
  podIP?: string
  podIPs?: { ip: string }[]
  startTime?: string
  conditions?: PodCondition[]
  containerStatuses?: ContainerStatus[]
}

export interface PodObject extends KubeObject {
  spec: V1PodSpec
  status?: PodStatus
}

export interface ClaimTemplate {
  metadata: Pick<ObjectMeta, 'name' | 'labels' | 'annotations'>
  spec: V1PersistentVolumeClaimSpec
}

export interface StatefulSetSpec {
  replicas?: number
  selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] }
  serviceName?: string
  podManagementPolicy?: 'OrderedReady' | 'Parallel'
  updateStrategy?: { type?: 'OnDelete' | 'RollingUpdate' }
  template: { metadata?: Pick<ObjectMeta, 'labels' | 'annotations'>; spec: V1PodSpec }
  volumeClaimTemplates?: ClaimTemplate[]
}

export interface StatefulSetStatus {
  observedGeneration: number
  replicas: number
  readyReplicas: number
  availableReplicas: number
  currentReplicas: number
  updatedReplicas: number
  currentRevision: string
  updateRevision: string
  collisionCount: number
}

export interface StatefulSetObject extends KubeObject {
  spec: StatefulSetSpec
  status?: Partial<StatefulSetStatus>
}

export interface ClaimObject extends KubeObject {
  spec: V1PersistentVolumeClaimSpec
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string> }
}

export interface ConfigMapObject extends KubeObject {
  data?: Record<string, string>
}

export function podReady(pod: PodObject): boolean {
  return pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
}
