// The API server's object store: every object of every served resource, one resourceVersion
// counter for all of them, a bounded log of changes for watches to resume from, and the
// lifecycle rules that do not depend on HTTP (generation, status subresource, optimistic
// concurrency, finalizers, graceful deletion, owner-reference cascades).
import { randomInt, randomUUID } from 'node:crypto'
import { ApiError, alreadyExists, badRequest, conflict, invalid, notFound } from './errors.ts'
import { jsonClone, jsonEqual, timestamp, type KubeObject } from './objects.ts'
import { applyPatch } from './patch.ts'
import { RESOURCES, apiVersionOf, type ResourceDef } from './resources.ts'
import type { Selector } from './selectors.ts'
import { checkBody, checkUpdate } from './validation.ts'

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface Change {
  type: ChangeType
  resource: ResourceDef
  /** The object as of this change (read-only: shared by every watcher). */
  object: KubeObject
  /** The object before the change (undefined for ADDED): lets filtered watches see an object leave their selector. */
  previous: KubeObject | undefined
  resourceVersion: number
}

export type ChangeListener = (change: Change) => void

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground'

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy
  /** 0 removes a pod at once (a force delete); otherwise its own terminationGracePeriodSeconds (30 by default) applies. */
  gracePeriodSeconds?: number
  preconditions?: { uid?: string; resourceVersion?: string }
}

export interface WriteOptions {
  subresource?: 'status'
}

/** Whether the object is waiting for something (the kubelet, a finalizer) before it goes. */
export function isTerminating(object: KubeObject): boolean {
  return object.metadata.deletionTimestamp !== undefined
}

/** An unscheduled pod has no containers to stop, so the API server deletes it at once. */
function nodeName(object: KubeObject): string | undefined {
  const spec = object.spec as { nodeName?: unknown } | undefined
  return typeof spec?.nodeName === 'string' && spec.nodeName !== '' ? spec.nodeName : undefined
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'

export class ObjectStore {
  private version = 0
  private readonly objects = new Map<string, Map<string, KubeObject>>(RESOURCES.map((r) => [r.plural, new Map()]))
  private readonly log: Change[] = []
  /** The resourceVersion of the newest change dropped from the log (0: none dropped yet). */
  private compactedThrough = 0
  private readonly listeners = new Set<ChangeListener>()
  private readonly maxEvents: number

  constructor(maxEvents: number) {
    this.maxEvents = maxEvents
  }

  /** The newest resourceVersion handed out: what a list returns in metadata.resourceVersion. */
  get resourceVersion(): string {
    return String(this.version)
  }

  get(r: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(r.plural)!.get(key(namespace, name))
  }

  /** Objects of r, in namespace (every namespace when undefined), that every selector accepts; sorted by namespace and name. */
  list(r: ResourceDef, namespace: string | undefined, selectors: readonly Selector[] = []): KubeObject[] {
    return [...this.objects.get(r.plural)!.values()]
      .filter((o) => (namespace === undefined || o.metadata.namespace === namespace) && selectors.every((s) => s(o)))
      .sort((a, b) => key(a.metadata.namespace, a.metadata.name!).localeCompare(key(b.metadata.namespace, b.metadata.name!)))
  }

  create(r: ResourceDef, namespace: string | undefined, body: unknown): KubeObject {
    checkBody(r, body, namespace, undefined)
    const name = body.metadata.name !== undefined && body.metadata.name !== '' ? body.metadata.name : this.generateName(r, namespace, body.metadata.generateName!)
    if (this.get(r, namespace, name) !== undefined) throw alreadyExists(r, name)
    const object = jsonClone(body)
    object.apiVersion = apiVersionOf(r)
    object.kind = r.kind
    // With a status subresource, status is the controllers' to write: a create ignores it.
    if (r.statusSubresource) delete object.status
    const { deletionTimestamp: _d, deletionGracePeriodSeconds: _g, resourceVersion: _v, ...meta } = object.metadata
    object.metadata = {
      ...meta,
      name,
      ...(r.namespaced ? { namespace } : {}),
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: timestamp(),
    }
    return this.write(r, 'ADDED', object, undefined)
  }

  /**
   * PUT: replaces the object (or only its status). A resourceVersion in the body must be the
   * current one (409 otherwise); without one, built-in resources take the write anyway.
   */
  replace(r: ResourceDef, namespace: string | undefined, name: string, body: unknown, options: WriteOptions = {}): KubeObject {
    return this.update(r, namespace, name, body, options, r.unconditionalUpdate)
  }

  /** PATCH: the patch applies to the current object; a resourceVersion the patch sets must be current. */
  patch(r: ResourceDef, namespace: string | undefined, name: string, patch: unknown, contentType: string, options: WriteOptions = {}): KubeObject {
    const current = this.get(r, namespace, name)
    if (current === undefined) throw notFound(r, name)
    return this.update(r, namespace, name, applyPatch(current, patch, contentType), options, true)
  }

  /**
   * Deletes the object and, unless the policy is Orphan, its dependents (by ownerReferences uid),
   * recursively. An object with finalizers, or a pod bound to a node, only gets a
   * deletionTimestamp; `removed` says whether it is gone.
   */
  delete(r: ResourceDef, namespace: string | undefined, name: string, options: DeleteOptions = {}): { object: KubeObject; removed: boolean } {
    const current = this.get(r, namespace, name)
    if (current === undefined) throw notFound(r, name)
    const { preconditions } = options
    if (preconditions?.uid !== undefined && preconditions.uid !== current.metadata.uid) throw conflict(r, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`)
    if (preconditions?.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata.resourceVersion) throw conflict(r, name)
    const policy = options.propagationPolicy ?? 'Background'
    if (!['Orphan', 'Background', 'Foreground'].includes(policy)) throw badRequest(`propagationPolicy "${String(policy)}" is not Orphan, Background or Foreground`)
    if (policy === 'Orphan') this.orphanDependents(current.metadata.uid!)
    if (policy === 'Foreground') this.deleteDependents(current.metadata.uid!, policy)
    const result = this.markOrRemove(r, current, options.gracePeriodSeconds)
    if (policy === 'Background') this.deleteDependents(current.metadata.uid!, policy)
    return result
  }

  /** Changes after resourceVersion, oldest first; undefined when some were already dropped from the log (410 Gone). */
  changesAfter(resourceVersion: number): Change[] | undefined {
    if (resourceVersion < this.compactedThrough) return undefined
    return this.log.filter((change) => change.resourceVersion > resourceVersion)
  }

  /** Calls listener synchronously after every change; returns the unsubscribe function. A listener must not throw. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private update(r: ResourceDef, namespace: string | undefined, name: string, body: unknown, options: WriteOptions, unconditional: boolean): KubeObject {
    const current = this.get(r, namespace, name)
    if (current === undefined) throw notFound(r, name)
    if (options.subresource === 'status' && !r.statusSubresource) throw notFound(r, name)
    checkBody(r, body, namespace, name)
    const sent = body.metadata.resourceVersion
    if (sent === undefined || sent === '') {
      if (!unconditional) throw invalid(r, name, 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update')
    } else if (sent !== current.metadata.resourceVersion) {
      throw conflict(r, name)
    }
    const next = options.subresource === 'status' ? { ...jsonClone(current), status: jsonClone(body.status) } : this.replacement(r, current, body)
    if (!jsonEqual(current.spec, next.spec)) next.metadata.generation = current.metadata.generation! + 1
    if (options.subresource !== 'status') checkUpdate(r, current, next)
    return this.commit(r, current, next)
  }

  /** body as the next version of current: the server-owned metadata stays; so does status when it has its own subresource. */
  private replacement(r: ResourceDef, current: KubeObject, body: KubeObject): KubeObject {
    const next = jsonClone(body)
    next.apiVersion = apiVersionOf(r)
    next.kind = r.kind
    if (r.statusSubresource) next.status = jsonClone(current.status)
    const { name, namespace, uid, creationTimestamp, generation, deletionTimestamp, deletionGracePeriodSeconds } = current.metadata
    next.metadata = { ...next.metadata, name, namespace, uid, creationTimestamp, generation, deletionTimestamp, deletionGracePeriodSeconds }
    return jsonClone(next)
  }

  /** Stores next unless nothing changed (no new resourceVersion, no event, as the API server does). */
  private commit(r: ResourceDef, current: KubeObject, next: KubeObject): KubeObject {
    next.metadata.resourceVersion = current.metadata.resourceVersion
    if (jsonEqual(current, next)) return current
    // The last finalizer of a terminating object gone (and no pod still stopping): it goes.
    const free = isTerminating(next) && (next.metadata.finalizers ?? []).length === 0 && (next.metadata.deletionGracePeriodSeconds ?? 0) === 0
    return this.write(r, free ? 'DELETED' : 'MODIFIED', next, current)
  }

  private markOrRemove(r: ResourceDef, current: KubeObject, gracePeriodSeconds: number | undefined): { object: KubeObject; removed: boolean } {
    let grace = 0
    if (r.graceful && nodeName(current) !== undefined) {
      const spec = current.spec as { terminationGracePeriodSeconds?: number }
      const asked = gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30
      // A second delete may shorten the grace period, never lengthen it.
      grace = Math.min(asked, current.metadata.deletionGracePeriodSeconds ?? asked)
    }
    if (grace === 0 && (current.metadata.finalizers ?? []).length === 0) {
      return { object: this.write(r, 'DELETED', jsonClone(current), current), removed: true }
    }
    const next = jsonClone(current)
    next.metadata.deletionTimestamp ??= timestamp()
    next.metadata.deletionGracePeriodSeconds = grace
    const object = this.commit(r, current, next)
    return { object, removed: this.get(r, current.metadata.namespace, current.metadata.name!) === undefined }
  }

  private dependents(ownerUid: string): { r: ResourceDef; object: KubeObject }[] {
    return RESOURCES.flatMap((r) => [...this.objects.get(r.plural)!.values()]
      .filter((o) => o.metadata.ownerReferences?.some((ref) => ref.uid === ownerUid))
      .map((object) => ({ r, object })))
  }

  private orphanDependents(ownerUid: string): void {
    for (const { r, object } of this.dependents(ownerUid)) {
      const next = jsonClone(object)
      const refs = object.metadata.ownerReferences!.filter((ref) => ref.uid !== ownerUid)
      if (refs.length > 0) next.metadata.ownerReferences = refs
      else delete next.metadata.ownerReferences
      this.commit(r, object, next)
    }
  }

  private deleteDependents(ownerUid: string, policy: PropagationPolicy): void {
    for (const { r, object } of this.dependents(ownerUid)) {
      // An earlier cascade of this loop may have removed it already.
      if (this.get(r, object.metadata.namespace, object.metadata.name!) !== undefined) this.delete(r, object.metadata.namespace, object.metadata.name!, { propagationPolicy: policy })
    }
  }

  private generateName(r: ResourceDef, namespace: string | undefined, prefix: string): string {
    for (let attempt = 0; attempt < 100; attempt++) {
      const name = prefix + Array.from({ length: 5 }, () => NAME_SUFFIX_ALPHABET[randomInt(NAME_SUFFIX_ALPHABET.length)]).join('')
      if (this.get(r, namespace, name) === undefined) return name
    }
    throw new ApiError(500, 'InternalError', `no free name with prefix "${prefix}" after 100 attempts`)
  }

  /** Gives object the next resourceVersion, stores (or removes) it, logs the change and tells the listeners. */
  private write(r: ResourceDef, type: ChangeType, object: KubeObject, previous: KubeObject | undefined): KubeObject {
    this.version++
    object.metadata.resourceVersion = String(this.version)
    deepFreeze(object)
    const objects = this.objects.get(r.plural)!
    const id = key(object.metadata.namespace, object.metadata.name!)
    if (type === 'DELETED') objects.delete(id)
    else objects.set(id, object)
    const change: Change = { type, resource: r, object, previous, resourceVersion: this.version }
    this.log.push(change)
    if (this.log.length > this.maxEvents) this.compactedThrough = this.log.splice(0, this.log.length - this.maxEvents).at(-1)!.resourceVersion
    for (const listener of [...this.listeners]) listener(change)
    return object
  }
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`
}
