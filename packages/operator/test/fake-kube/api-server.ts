// FakeApiServer: an in-memory stand-in for the Kubernetes API server, on 127.0.0.1 over plain HTTP
// (no auth), for @kubernetes/client-node's typed clients and Watch; plus the same store in
// process (no HTTP) for tests and the fake kubelet. See README.md for what it does not prove.
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { KubeConfig } from '@kubernetes/client-node'
import { handleRequest } from './http-routes.ts'
import { jsonClone, type KubeObject } from './objects.ts'
import { MERGE_PATCH } from './patch.ts'
import { resource, type ResourceName } from './resources.ts'
import { fieldSelector, labelSelector } from './selectors.ts'
import { ObjectStore, type ChangeType, type DeleteOptions, type WriteOptions } from './store.ts'

export interface FakeApiServerOptions {
  /** Changes kept for watches to resume from; a watch from an older resourceVersion gets 410 Gone. */
  maxEvents?: number
}

export interface ListOptions {
  /** undefined: every namespace. */
  namespace?: string
  labelSelector?: string
  fieldSelector?: string
}

export interface ObjectChange {
  type: ChangeType
  resource: ResourceName
  object: KubeObject
  previous: KubeObject | undefined
  resourceVersion: string
}

export class FakeApiServer {
  private readonly store: ObjectStore
  private readonly server: Server
  private readonly watches = new Set<ServerResponse>()

  private constructor(store: ObjectStore) {
    this.store = store
    this.server = createServer((req, res) => void handleRequest(store, req, res, this.watches))
  }

  /** Starts a server on a free port of 127.0.0.1. */
  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const api = new FakeApiServer(new ObjectStore(options.maxEvents ?? 10_000))
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject)
      api.server.listen(0, '127.0.0.1', () => resolve())
    })
    return api
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** A KubeConfig whose current context is this server (cluster "fake-kube", no credentials, namespace default). */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig()
    kc.loadFromOptions({
      clusters: [{ name: 'fake-kube', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'fake-kube' }],
      contexts: [{ name: 'fake-kube', cluster: 'fake-kube', user: 'fake-kube', namespace: 'default' }],
      currentContext: 'fake-kube',
    })
    return kc
  }

  // The in-process API: the store's semantics (and ApiError failures) without HTTP. Objects in
  // and out are copies; namespace is undefined for cluster-scoped resources.

  get(name: ResourceName, namespace: string | undefined, objectName: string): KubeObject | undefined {
    return jsonClone(this.store.get(resource(name), namespace, objectName))
  }

  list(name: ResourceName, options: ListOptions = {}): KubeObject[] {
    const selectors = [labelSelector(options.labelSelector ?? null), fieldSelector(options.fieldSelector ?? null)]
    return jsonClone(this.store.list(resource(name), options.namespace, selectors))
  }

  create(name: ResourceName, namespace: string | undefined, body: unknown): KubeObject {
    return jsonClone(this.store.create(resource(name), namespace, body))
  }

  /** PUT of body (named by its metadata.name); `{ subresource: 'status' }` writes only the status. */
  update(name: ResourceName, namespace: string | undefined, body: KubeObject, options: WriteOptions = {}): KubeObject {
    return jsonClone(this.store.replace(resource(name), namespace, body.metadata.name ?? '', body, options))
  }

  patch(name: ResourceName, namespace: string | undefined, objectName: string, patch: unknown, contentType = MERGE_PATCH, options: WriteOptions = {}): KubeObject {
    return jsonClone(this.store.patch(resource(name), namespace, objectName, patch, contentType, options))
  }

  /** Returns the object as the deletion left it: gone, or still there with a deletionTimestamp. */
  delete(name: ResourceName, namespace: string | undefined, objectName: string, options: DeleteOptions = {}): KubeObject {
    return jsonClone(this.store.delete(resource(name), namespace, objectName, options).object)
  }

  /**
   * Calls listener after every change, synchronously, with copies. A listener that throws is
   * reported as an uncaught error rather than failing the write that caused the change.
   */
  onChange(listener: (change: ObjectChange) => void): () => void {
    return this.store.subscribe((change) => {
      try {
        listener({
          type: change.type,
          resource: change.resource.plural as ResourceName,
          object: jsonClone(change.object),
          previous: jsonClone(change.previous),
          resourceVersion: String(change.resourceVersion),
        })
      } catch (err) {
        queueMicrotask(() => {
          throw err
        })
      }
    })
  }

  /** Ends every watch stream and closes the server. */
  async stop(): Promise<void> {
    for (const res of this.watches) res.end()
    this.watches.clear()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await closed
  }
}
