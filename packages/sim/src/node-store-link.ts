// One node's connection to the shared membership store. Answers and watch events reach the node
// through its own scheduler, so a paused node hears nothing until it continues and a crashed one
// never hears again (as a stopped process's etcd client reads nothing), and the link can be cut
// for this node alone: calls fail and watches break while the store itself goes on (leases expire).
import type { Scheduler } from '@aerolite/protocol'
import { StoreUnavailableError, type MembershipStore, type StoreWatch, type WatchHandlers } from '@aerolite/server'

export class NodeStoreLink implements MembershipStore {
  readonly name: string
  private readonly store: MembershipStore
  private readonly scheduler: Scheduler
  private reachable = true
  private readonly watches = new Set<{ handlers: WatchHandlers; inner: StoreWatch; ended: boolean }>()

  constructor(store: MembershipStore, nodeScheduler: Scheduler) {
    this.store = store
    this.scheduler = nodeScheduler
    this.name = store.name
  }

  /** Cuts this node off from the store (calls fail, watches break) or reconnects it. */
  setReachable(reachable: boolean): void {
    this.reachable = reachable
    if (reachable) return
    for (const watch of [...this.watches]) this.endWatch(watch, new StoreUnavailableError(`${this.name} is unreachable from this node`))
  }

  grantLease(ttlSeconds: number) { return this.call(() => this.store.grantLease(ttlSeconds)) }
  keepAliveOnce(leaseId: string) { return this.call(() => this.store.keepAliveOnce(leaseId)) }
  revokeLease(leaseId: string) { return this.call(() => this.store.revokeLease(leaseId)) }
  put(key: string, value: string, leaseId?: string) { return this.call(() => this.store.put(key, value, leaseId)) }
  putIfUnchanged(key: string, value: string, modRevision: number) { return this.call(() => this.store.putIfUnchanged(key, value, modRevision)) }
  delete(key: string) { return this.call(() => this.store.delete(key)) }
  range(prefix: string, atRevision?: number) { return this.call(() => this.store.range(prefix, atRevision)) }
  compact(revision: number) { return this.call(() => this.store.compact(revision)) }

  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    const watch = { handlers, inner: { cancel: () => {} } as StoreWatch, ended: false }
    if (!this.reachable) {
      this.deliver(() => handlers.onError(new StoreUnavailableError(`${this.name} is unreachable from this node`)))
      return { cancel: () => {} }
    }
    this.watches.add(watch)
    watch.inner = this.store.watch(prefix, fromRevision, {
      onEvents: (events) => this.deliver(() => { if (!watch.ended) handlers.onEvents(events) }),
      onError: (error) => this.endWatch(watch, error),
    })
    return { cancel: () => { watch.ended = true; this.watches.delete(watch); watch.inner.cancel() } }
  }

  close(): Promise<void> {
    for (const watch of [...this.watches]) { watch.ended = true; watch.inner.cancel() }
    this.watches.clear()
    return Promise.resolve()
  }

  private endWatch(watch: { handlers: WatchHandlers; inner: StoreWatch; ended: boolean }, error: Error): void {
    if (watch.ended) return
    watch.ended = true
    this.watches.delete(watch)
    watch.inner.cancel()
    this.deliver(() => watch.handlers.onError(error))
  }

  /** A store call whose answer (or failure) reaches the node on its own scheduler. */
  private call<T>(work: () => Promise<T>): Promise<T> {
    if (!this.reachable) return new Promise((_, reject) => this.deliver(() => reject(new StoreUnavailableError(`${this.name} is unreachable from this node`))))
    return new Promise((resolve, reject) => {
      work().then(
        (value) => this.deliver(() => (this.reachable ? resolve(value) : reject(new StoreUnavailableError(`${this.name} is unreachable from this node`)))),
        (error: unknown) => this.deliver(() => reject(error)),
      )
    })
  }

  private deliver(run: () => void): void {
    this.scheduler.soon(run)
  }
}
