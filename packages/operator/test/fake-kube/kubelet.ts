// FakeKubelet: the StatefulSet controller, the PVC provisioner and the kubelet of one node, over
// a FakeApiServer's store. Level-triggered like the real ones: every change to the store (and
// every process event) schedules one pass that compares what is with what should be and acts.
// Pods are real `aerolite start` processes on loopback ports; see README.md for the limits.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FakeApiServer } from './api-server.ts'
import { ClaimProvisioner } from './claims.ts'
import { ApiError } from './errors.ts'
import type { ConfigMapObject, PodObject, StatefulSetObject } from './kube-types.ts'
import { jsonEqual, timestamp } from './objects.ts'
import { MERGE_PATCH } from './patch.ts'
import { LaunchError, preparePodLaunch, type PodPorts } from './pod-launch.ts'
import { PodWorker } from './pod-worker.ts'
import { allocatePodPorts } from './ports.ts'
import { ownerReference, planStatefulSet } from './statefulset-plan.ts'
import { isTerminating } from './store.ts'

/** Pod annotations that say where a pod's node listens (its "address" in this fake). */
export const SERVICE_PORT_ANNOTATION = 'fake-kube/service-port'
export const FABRIC_PORT_ANNOTATION = 'fake-kube/fabric-port'
export const HTTP_PORT_ANNOTATION = 'fake-kube/http-port'

const DEFAULT_GRACE_SECONDS = 30

export interface FakeKubeletOptions {
  api: FakeApiServer
  /** HOST:PORT of the test's etcd: every pod's AEROLITE_ETCD. */
  etcdEndpoint: string
  /** Keep the work directory (configs, logs, volumes) after stop(), to look at a failure. */
  keepDirs?: boolean
  /** How often a running pod's /ready is asked. */
  readyPollMs?: number
  nodeName?: string
}

function podKey(namespace: string | undefined, name: string): string {
  return `${namespace}/${name}`
}

function isApiError(err: unknown, ...codes: number[]): boolean {
  return err instanceof ApiError && codes.includes(err.code)
}

export class FakeKubelet {
  /** Configs, logs and volumes of every pod, under one temporary directory. */
  readonly workDir: string
  private readonly api: FakeApiServer
  private readonly options: Required<Omit<FakeKubeletOptions, 'api'>>
  private readonly claims: ClaimProvisioner
  private readonly ports = new Map<string, PodPorts>()
  /** At most one per pod name: the process of a deleted pod must be gone before its successor starts. */
  private readonly workers = new Map<string, PodWorker>()
  /** Pods (by key) whose ports are being picked. */
  private readonly admitting = new Set<string>()
  private unsubscribe: (() => void) | undefined
  private queued = false
  private stopped = false

  constructor(options: FakeKubeletOptions) {
    this.api = options.api
    this.options = { keepDirs: false, readyPollMs: 200, nodeName: 'fake-node', ...options }
    this.workDir = mkdtempSync(join(tmpdir(), 'fake-kubelet-'))
    this.claims = new ClaimProvisioner(this.api, join(this.workDir, 'volumes'))
  }

  /** Starts reacting to the store (and acts on what is already there). */
  start(): void {
    this.unsubscribe = this.api.onChange(() => this.schedule())
    this.schedule()
  }

  /** SIGKILLs every pod process, stops every timer and removes the work directory unless keepDirs. */
  async stop(): Promise<void> {
    this.stopped = true
    this.unsubscribe?.()
    await Promise.all([...this.workers.values()].map((worker) => worker.kill()))
    this.workers.clear()
    if (!this.options.keepDirs) rmSync(this.workDir, { recursive: true, force: true })
  }

  /** The directory that plays the claim's volume. */
  claimDirectory(namespace: string, claim: string): string {
    return this.claims.directory(namespace, claim)
  }

  /** stdout and stderr of every run of the pod's container. */
  podLogPath(namespace: string, pod: string): string {
    return join(this.podDir(namespace, pod), 'container.log')
  }

  private podDir(namespace: string, pod: string): string {
    return join(this.workDir, 'pods', namespace, pod)
  }

  private schedule(): void {
    if (this.stopped || this.queued) return
    this.queued = true
    setImmediate(() => {
      this.queued = false
      if (!this.stopped) this.reconcile()
    })
  }

  /** One pass; every action is independent, so one that fails (a race, a conflict) leaves the rest to run and is retried on the next change. */
  private reconcile(): void {
    this.attempt('claims', () => this.claims.sync(this.api.list('pods') as PodObject[]))
    for (const set of this.api.list('statefulsets') as StatefulSetObject[]) {
      if (!isTerminating(set)) this.attempt(`statefulset ${set.metadata.name}`, () => this.syncStatefulSet(set))
    }
    this.attempt('pods', () => this.syncPods())
  }

  private attempt(what: string, action: () => void): void {
    try {
      action()
    } catch (err) {
      // 404/409: the store moved on under this pass; the change that did it schedules another.
      if (!isApiError(err, 404, 409)) console.error(`fake-kubelet: ${what}:`, err)
    }
  }

  private syncStatefulSet(set: StatefulSetObject): void {
    const namespace = set.metadata.namespace
    const pods = this.api.list('pods', { namespace }) as PodObject[]
    const claims = new Set(this.api.list('persistentvolumeclaims', { namespace }).map((c) => c.metadata.name!))
    const plan = planStatefulSet(set, pods, claims)
    for (const name of plan.adopt) {
      const pod = pods.find((p) => p.metadata.name === name)!
      this.attempt(`adopt ${name}`, () => this.api.patch('pods', namespace, name, { metadata: { ownerReferences: [...(pod.metadata.ownerReferences ?? []), ownerReference(set)] } }, MERGE_PATCH))
    }
    for (const claim of plan.createClaims) this.attempt(`create claim ${claim.metadata.name}`, () => this.api.create('persistentvolumeclaims', namespace, claim))
    for (const pod of plan.createPods) this.attempt(`create pod ${pod.metadata.name}`, () => this.api.create('pods', namespace, pod))
    for (const name of plan.deletePods) this.attempt(`delete pod ${name}`, () => this.api.delete('pods', namespace, name))
    if (!jsonEqual(set.status, plan.status)) this.api.update('statefulsets', namespace, { ...set, status: plan.status }, { subresource: 'status' })
  }

  private syncPods(): void {
    const pods = this.api.list('pods') as PodObject[]
    const present = new Set<string>()
    for (const pod of pods) {
      const key = podKey(pod.metadata.namespace, pod.metadata.name!)
      present.add(key)
      const worker = this.workers.get(key)
      if (isTerminating(pod)) {
        if (worker === undefined && !this.admitting.has(key)) this.finishDeletion(pod)
        else if (worker !== undefined && worker.uid === pod.metadata.uid && !worker.terminating) this.terminate(key, worker, pod)
      } else if (worker === undefined) {
        if (!this.admitting.has(key)) this.admit(key, pod)
      } else if (worker.uid !== pod.metadata.uid) {
        // The pod was replaced while its old process still runs (a force delete): that one goes first.
        if (!worker.terminating) this.terminate(key, worker, undefined)
      } else {
        worker.retry()
      }
    }
    for (const [key, worker] of this.workers) {
      if (!present.has(key) && !worker.terminating) this.terminate(key, worker, undefined)
    }
  }

  /** A pod with no process (never started) has nothing to stop: it goes at once. */
  private finishDeletion(pod: PodObject): void {
    this.attempt(`remove pod ${pod.metadata.name}`, () => this.api.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } }))
  }

  /** Binds the pod to this node with its ports (picked once per pod name), then starts its worker. */
  private admit(key: string, pod: PodObject): void {
    const { namespace, name, uid } = pod.metadata
    this.admitting.add(key)
    const known = this.ports.get(key)
    void (known === undefined ? allocatePodPorts() : Promise.resolve(known)).then((ports) => {
      this.ports.set(key, ports)
      if (this.stopped) return
      this.attempt(`admit pod ${name}`, () => {
        const current = this.api.get('pods', namespace, name!) as PodObject | undefined
        if (current === undefined || current.metadata.uid !== uid || isTerminating(current)) return
        this.api.patch('pods', namespace, name!, {
          metadata: { annotations: { [SERVICE_PORT_ANNOTATION]: String(ports.service), [FABRIC_PORT_ANNOTATION]: String(ports.fabric), [HTTP_PORT_ANNOTATION]: String(ports.http) } },
          spec: { nodeName: this.options.nodeName },
        }, MERGE_PATCH)
        const worker = this.newWorker(key, current, ports)
        this.workers.set(key, worker)
        worker.start()
      })
    }).catch((err: unknown) => console.error(`fake-kubelet: ports for pod ${name}:`, err)).finally(() => {
      this.admitting.delete(key)
      this.schedule()
    })
  }

  private newWorker(key: string, pod: PodObject, ports: PodPorts): PodWorker {
    const { namespace, name, uid } = pod.metadata
    const podDir = this.podDir(namespace!, name!)
    mkdirSync(podDir, { recursive: true })
    const container = pod.spec.containers?.[0]
    const worker: PodWorker = new PodWorker({
      uid: uid!,
      containerName: container?.name ?? '',
      image: container?.image ?? '',
      httpPort: ports.http,
      logPath: this.podLogPath(namespace!, name!),
      readyPollMs: this.options.readyPollMs,
      prepare: () => {
        const current = this.api.get('pods', namespace, name!) as PodObject | undefined
        if (current === undefined || current.metadata.uid !== uid) throw new LaunchError('CreateContainerError', 'the pod is gone')
        return preparePodLaunch({
          pod: current,
          ports,
          podDir,
          etcdEndpoint: this.options.etcdEndpoint,
          configMap: (cm) => this.api.get('configmaps', namespace, cm) as ConfigMapObject | undefined,
          claimDirectory: (claim) => {
            if (this.api.get('persistentvolumeclaims', namespace, claim) === undefined) throw new LaunchError('CreateContainerConfigError', `persistentvolumeclaim "${claim}" not found`)
            return this.claims.ensureDirectory(namespace!, claim)
          },
        })
      },
      onStatus: () => this.writeStatus(key, worker),
      onEvent: (type, reason, message) => this.recordEvent(namespace!, name!, uid!, type, reason, message),
    })
    return worker
  }

  private terminate(key: string, worker: PodWorker, pod: PodObject | undefined): void {
    const grace = pod?.metadata.deletionGracePeriodSeconds ?? pod?.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS
    void worker.terminate(grace * 1000).then(() => {
      if (this.workers.get(key) === worker) this.workers.delete(key)
      if (pod !== undefined && !this.stopped) this.finishDeletion(pod)
      this.schedule()
    })
  }

  private writeStatus(key: string, worker: PodWorker): void {
    if (this.stopped) return
    const [namespace, name] = key.split('/') as [string, string]
    this.attempt(`status of pod ${name}`, () => {
      const pod = this.api.get('pods', namespace, name) as PodObject | undefined
      if (pod === undefined || pod.metadata.uid !== worker.uid) return
      const status = worker.status()
      if (!jsonEqual(pod.status, status)) this.api.update('pods', namespace, { ...pod, status }, { subresource: 'status' })
    })
  }

  private recordEvent(namespace: string, pod: string, uid: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.stopped) return
    const now = timestamp()
    this.attempt(`event for pod ${pod}`, () => this.api.create('events', namespace, {
      metadata: { generateName: `${pod}.` },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: pod, uid },
      type, reason, message,
      source: { component: 'fake-kubelet', host: this.options.nodeName },
      reportingComponent: 'fake-kubelet',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    }))
  }
}
