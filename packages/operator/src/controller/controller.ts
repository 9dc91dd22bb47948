// The operator's controller: for every AeroliteCluster of a namespace, observe (the Kubernetes API
// and the nodes), plan (the pure planner), act, record events, and again: at once after a step
// that changed something, on any change of the resources it watches, and every resyncMs anyway
// (migrations end without a Kubernetes event). Decisions are all the planner's.
import type * as Kubernetes from '@kubernetes/client-node'
import type { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, V1Pod } from '@kubernetes/client-node'
import { plan } from '../planner.ts'
import type { AeroliteCluster, AeroliteClusterSpec, AeroliteClusterStatus, ClusterEvent, Observed } from '../types.ts'
import { act, type ActContext } from './act.ts'
import type { Owner } from './manifests.ts'
import { observeNodes, realInfoClient, type InfoClient, type NodeAddress } from './node-info.ts'
import { observeKubernetes } from './observe.ts'

export interface ControllerOptions {
  kubeConfig: KubeConfig
  namespace: string
  info?: InfoClient
  /** Where the node of a pod listens; default: the pod's IP and its container port named "service". */
  nodeAddress?: (pod: V1Pod) => NodeAddress
  /** Restarts the node's process in its pod; default: SIGTERM to the container's PID 1 through exec. */
  warmRestart?: (namespace: string, podName: string) => Promise<void>
  /** Longest wait between two reconciles of a cluster. */
  resyncMs?: number
  log?: (message: string, fields?: Record<string, unknown>) => void
}

const GROUP = 'aerolite.dev'
const VERSION = 'v1alpha1'
const PLURAL = 'aeroliteclusters'
/** After a step that changed something: look again soon, the next step may already be possible. */
const NEXT_STEP_DELAY_MS = 200
/** A watch that ended (timeout, API server restart) is opened again after this long. */
const WATCH_RETRY_MS = 1000

interface ClusterObject {
  metadata: { name: string; namespace: string; uid: string; generation?: number }
  spec: AeroliteClusterSpec
  status?: AeroliteClusterStatus
}

export function defaultNodeAddress(pod: V1Pod): NodeAddress {
  const port = pod.spec?.containers[0]?.ports?.find((p) => p.name === 'service')?.containerPort ?? 3000
  return { host: pod.status?.podIP ?? '', port }
}

export class Controller {
  private readonly kubernetes: typeof Kubernetes
  private readonly options: ControllerOptions
  private readonly core: CoreV1Api
  private readonly apps: AppsV1Api
  private readonly custom: CustomObjectsApi
  private readonly info: InfoClient
  private readonly resyncMs: number
  private stopped = false
  private running: Promise<void> | undefined
  private wake: (() => void) | undefined
  private readonly watches: AbortController[] = []
  private readonly watchTimers = new Set<NodeJS.Timeout>()

  /**
   * The Kubernetes client is loaded here rather than imported at the top: the aerolite bundle
   * would load it in every process, data nodes included.
   */
  static async create(options: ControllerOptions): Promise<Controller> {
    return new Controller(await import('@kubernetes/client-node'), options)
  }

  private constructor(kubernetes: typeof Kubernetes, options: ControllerOptions) {
    this.kubernetes = kubernetes
    this.options = options
    this.core = options.kubeConfig.makeApiClient(kubernetes.CoreV1Api)
    this.apps = options.kubeConfig.makeApiClient(kubernetes.AppsV1Api)
    this.custom = options.kubeConfig.makeApiClient(kubernetes.CustomObjectsApi)
    this.info = options.info ?? realInfoClient
    this.resyncMs = options.resyncMs ?? 2000
  }

  start(): void {
    const ns = this.options.namespace
    this.watch(`/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}`)
    this.watch(`/apis/apps/v1/namespaces/${ns}/statefulsets`)
    this.watch(`/api/v1/namespaces/${ns}/pods`)
    this.running = this.loop()
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const watch of this.watches) watch.abort()
    for (const timer of this.watchTimers) clearTimeout(timer)
    this.wake?.()
    await this.running
  }

  /** One reconcile of every AeroliteCluster of the namespace; true when a step changed something. */
  async reconcileAll(): Promise<boolean> {
    const list = await this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.options.namespace, plural: PLURAL }) as { items: ClusterObject[] }
    let changed = false
    for (const object of list.items) {
      try {
        if (await this.reconcile(object)) changed = true
      } catch (error) {
        this.log('reconcile failed', { cluster: object.metadata.name, error: error instanceof Error ? error.message : String(error) })
        await this.recordEvents(object, [{ type: 'Warning', reason: 'StepFailed', message: error instanceof Error ? error.message : String(error) }])
      }
    }
    return changed
  }

  private async reconcile(object: ClusterObject): Promise<boolean> {
    const { name, namespace, uid } = object.metadata
    const cluster: AeroliteCluster = { metadata: { name, namespace, generation: object.metadata.generation ?? 1 }, spec: object.spec, ...(object.status === undefined ? {} : { status: object.status }) }
    const { podObjects, ...kubernetes } = await observeKubernetes(this.core, this.apps, namespace, name)
    const nodeAddress = this.options.nodeAddress ?? defaultNodeAddress
    const addresses = new Map<string, NodeAddress>()
    for (const pod of podObjects) {
      if (pod.status?.phase === 'Running' && pod.metadata?.deletionTimestamp === undefined && pod.status.podIP !== undefined) addresses.set(pod.metadata!.name!, nodeAddress(pod))
    }
    const nodes = await observeNodes(this.info, addresses, (object.spec.config?.namespaces ?? []).map((ns) => ns.name))
    const observed: Observed = { nowMs: Date.now(), ...kubernetes, ...nodes }
    const next = plan(cluster, observed)
    const owner: Owner = { name, namespace, uid }
    const context: ActContext = {
      owner,
      core: this.core,
      apps: this.apps,
      custom: this.custom,
      info: this.info,
      nodeAddress: (podName) => {
        const address = addresses.get(podName)
        if (address === undefined) throw new Error(`pod ${podName} is not running: its node cannot be asked`)
        return address
      },
      warmRestart: this.options.warmRestart ?? ((ns, podName) => this.execWarmRestart(ns, podName)),
      patchAs: {
        merge: this.kubernetes.setHeaderOptions('Content-Type', this.kubernetes.PatchStrategy.MergePatch),
        json: this.kubernetes.setHeaderOptions('Content-Type', this.kubernetes.PatchStrategy.JsonPatch),
      },
    }
    for (const action of next.actions) {
      if (action.kind !== 'updateStatus' && action.kind !== 'waitForMigrations') this.log('step', { cluster: name, action: action.kind })
      await act(context, action)
    }
    await this.recordEvents(object, next.events)
    return next.actions.some((action) => action.kind !== 'updateStatus' && action.kind !== 'waitForMigrations')
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let changed = false
      try {
        changed = await this.reconcileAll()
      } catch (error) {
        this.log('cannot list AeroliteClusters', { error: error instanceof Error ? error.message : String(error) })
      }
      if (this.stopped) return
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, changed ? NEXT_STEP_DELAY_MS : this.resyncMs)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = undefined
    }
  }

  /** Any change of the watched resources makes the loop look again now. */
  private watch(path: string): void {
    if (this.stopped) return
    const retry = (): void => {
      if (this.stopped) return
      const timer = setTimeout(() => {
        this.watchTimers.delete(timer)
        this.watch(path)
      }, WATCH_RETRY_MS)
      this.watchTimers.add(timer)
    }
    new this.kubernetes.Watch(this.options.kubeConfig).watch(path, {}, () => this.wake?.(), retry).then(
      (controller) => this.watches.push(controller),
      retry,
    )
  }

  private async execWarmRestart(namespace: string, podName: string): Promise<void> {
    // The node is the container's PID 1: SIGTERM drains it, it exits 0, the kubelet restarts the container.
    await new this.kubernetes.Exec(this.options.kubeConfig).exec(namespace, podName, 'aerolite', ['node', '-e', "process.kill(1, 'SIGTERM')"], null, null, null, false)
  }

  private async recordEvents(object: ClusterObject, events: readonly ClusterEvent[]): Promise<void> {
    const { name, namespace, uid } = object.metadata
    for (const event of events) {
      const now = new Date()
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: { apiVersion: `${GROUP}/${VERSION}`, kind: 'AeroliteCluster', name, namespace, uid },
          type: event.type,
          reason: event.reason,
          message: event.message,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
          source: { component: 'aerolite-operator' },
        },
      }).catch((error: unknown) => this.log('cannot record an event', { reason: event.reason, error: String(error) }))
    }
  }

  private log(message: string, fields: Record<string, unknown> = {}): void {
    this.options.log?.(message, fields)
  }
}
