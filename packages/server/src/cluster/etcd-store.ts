// The membership store over etcd (v3 API, through the etcd3 package's raw gRPC clients). The
// membership does its own keep-alive timing, so this file sends single renewals and never uses
// etcd3's Lease helper (whose 'lost' event fires late and runs on wall time). Every unary call has
// a deadline: a stopped etcd (SIGSTOP) keeps its sockets open and would otherwise never answer.
// etcd3 and gRPC are loaded only when a store is opened: a single node never pays for them.
import type { Clock } from '@aerolite/protocol'
import type { Etcd3, IEvent, IKeyValue } from 'etcd3'
import { limits } from '../limits.ts'
import {
  CompactedError,
  LeaseGoneError,
  StoreUnavailableError,
  type GrantedLease,
  type MembershipStore,
  type RangeResult,
  type StoreEvent,
  type StoreWatch,
  type WatchHandlers,
} from './membership-store.ts'
import type { Endpoint } from './view.ts'

export interface EtcdStoreOptions {
  /** etcd members' client addresses; calls go to any of them. */
  endpoints: readonly Endpoint[]
  /** Wall time for gRPC deadlines (gRPC counts them on the wall clock). */
  clock: Clock
  /** How long a call may take before the store counts as unreachable (default limits.etcdCallTimeoutMs). */
  callTimeoutMs?: number
}

type EtcdModule = typeof import('etcd3')

const COMPACTED = 'required revision has been compacted'

export class EtcdStore implements MembershipStore {
  readonly name: string
  private readonly client: Etcd3
  private readonly etcd: EtcdModule
  private readonly clock: Clock
  private readonly callTimeoutMs: number
  private readonly watches = new Set<{ cancel(): void }>()

  /** Opens a client (connections are made on the first call). */
  static async open(options: EtcdStoreOptions): Promise<EtcdStore> {
    const [etcd, cockatiel] = await Promise.all([import('etcd3'), import('cockatiel')])
    return new EtcdStore(options, etcd, cockatiel)
  }

  private constructor(options: EtcdStoreOptions, etcd: EtcdModule, cockatiel: typeof import('cockatiel')) {
    if (options.endpoints.length === 0) throw new RangeError('etcd needs at least one endpoint')
    const hosts = options.endpoints.map((e) => `http://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`)
    this.name = `etcd at ${options.endpoints.map((e) => `${e.host}:${e.port}`).join(',')}`
    this.etcd = etcd
    this.clock = options.clock
    this.callTimeoutMs = options.callTimeoutMs ?? limits.etcdCallTimeoutMs
    this.client = new etcd.Etcd3({
      hosts,
      // One try per endpoint, no circuit breaker: the membership decides when to retry.
      faultHandling: {
        host: () => cockatiel.noop,
        global: hosts.length > 1 ? cockatiel.retry(cockatiel.handleWhen(etcd.isRecoverableError), { maxAttempts: hosts.length - 1 }) : cockatiel.noop,
      },
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: this.deadline() }),
      // A restarted etcd is found again within a second rather than after gRPC's long reconnect back-off.
      grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000 },
    })
  }

  async grantLease(ttlSeconds: number): Promise<GrantedLease> {
    const res = await this.call(() => this.client.leaseClient.leaseGrant({ TTL: Math.ceil(ttlSeconds) }))
    if (res.error !== '') throw new Error(`${this.name} refused a lease: ${res.error}`)
    return { id: res.ID, ttlSeconds: Number(res.TTL) }
  }

  async keepAliveOnce(leaseId: string): Promise<number | 'gone'> {
    const res = await this.call(async () => {
      const stream = await this.client.leaseClient.leaseKeepAlive({ deadline: this.deadline() })
      try {
        return await new Promise<{ TTL: string }>((resolve, reject) => {
          stream.on('data', resolve)
          stream.on('error', reject)
          stream.on('end', () => reject(new this.etcd.GRPCUnavailableError('the keep-alive stream ended without an answer')))
          stream.write({ ID: leaseId })
        })
      } finally {
        stream.end()
        stream.cancel()
      }
    })
    // etcd answers a lease it no longer has with TTL 0 (or below).
    const ttl = Number(res.TTL)
    return ttl > 0 ? ttl : 'gone'
  }

  async revokeLease(leaseId: string): Promise<void> {
    try {
      await this.call(() => this.client.leaseClient.leaseRevoke({ ID: leaseId }))
    } catch (error) {
      if (!(error instanceof LeaseGoneError)) throw error
    }
  }

  async put(key: string, value: string, leaseId?: string): Promise<number> {
    const res = await this.call(() => this.client.kv.put({ key: Buffer.from(key), value: Buffer.from(value), ...(leaseId === undefined ? {} : { lease: leaseId }) }), leaseId)
    return Number(res.header.revision)
  }

  async putIfUnchanged(key: string, value: string, modRevision: number): Promise<number | undefined> {
    const keyBytes = Buffer.from(key)
    // etcd compares the mod revision of a missing key as 0.
    const res = await this.call(() => this.client.kv.txn({
      compare: [{ key: keyBytes, target: 'Mod', result: 'Equal', mod_revision: modRevision }],
      success: [{ request_put: { key: keyBytes, value: Buffer.from(value) } }],
    }))
    return res.succeeded ? Number(res.header.revision) : undefined
  }

  async delete(key: string): Promise<number | undefined> {
    const res = await this.call(() => this.client.kv.deleteRange({ key: Buffer.from(key) }))
    return Number(res.deleted) > 0 ? Number(res.header.revision) : undefined
  }

  async range(prefix: string, atRevision?: number): Promise<RangeResult> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(prefix), range_end: prefixEnd(prefix), ...(atRevision === undefined ? {} : { revision: atRevision }) }), undefined, atRevision)
    return {
      kvs: res.kvs.map((kv: IKeyValue) => ({ key: kv.key.toString(), value: kv.value.toString(), modRevision: Number(kv.mod_revision) })),
      revision: atRevision ?? Number(res.header.revision),
    }
  }

  watch(prefix: string, fromRevision: number, handlers: WatchHandlers): StoreWatch {
    let ended = false
    let cancelStream: (() => void) | undefined
    const end = (error: Error): void => {
      if (ended) return
      ended = true
      this.watches.delete(handle)
      cancelStream?.()
      handlers.onError(error)
    }
    const handle = {
      cancel: (): void => {
        ended = true
        this.watches.delete(handle)
        cancelStream?.()
      },
    }
    this.watches.add(handle)
    this.client.watchClient.watch().then(
      (stream) => {
        // Ended first: etcd3 takes the error a cancel raises on a still-writable stream for a failed connection.
        cancelStream = () => {
          stream.end()
          stream.cancel()
        }
        if (ended) {
          cancelStream()
          return
        }
        stream.on('data', (res) => {
          if (ended) return
          // etcd cancels a watch whose start revision was compacted, naming the oldest one it keeps.
          if (res.compact_revision !== '0' && res.compact_revision !== '') {
            end(new CompactedError(fromRevision, Number(res.compact_revision)))
            return
          }
          if (res.canceled) {
            end(new StoreUnavailableError(`${this.name} cancelled the watch: ${res.cancel_reason}`))
            return
          }
          if (res.events.length > 0) handlers.onEvents(res.events.map(toStoreEvent))
        })
        stream.on('error', (error: Error) => end(this.unavailable(error)))
        stream.on('end', () => end(new StoreUnavailableError(`${this.name} ended the watch stream`)))
        stream.write({ create_request: { key: Buffer.from(prefix), range_end: prefixEnd(prefix), start_revision: Math.max(0, fromRevision) } })
      },
      (error: unknown) => end(this.unavailable(error)),
    )
    return handle
  }

  async compact(revision: number): Promise<void> {
    await this.call(() => this.client.kv.compact({ revision, physical: true }), undefined, revision)
  }

  async close(): Promise<void> {
    for (const watch of [...this.watches]) watch.cancel()
    this.client.close()
  }

  private deadline(): number {
    return this.clock.nowMs() + this.callTimeoutMs
  }

  /** Runs a call, turning etcd's and gRPC's errors into the store's: lease gone, compacted, unreachable. */
  private async call<T>(run: () => Promise<T>, leaseId?: string, revision?: number): Promise<T> {
    try {
      return await run()
    } catch (error) {
      if (error instanceof this.etcd.EtcdLeaseInvalidError) throw new LeaseGoneError(leaseId ?? 'asked for')
      if (error instanceof Error && error.message.includes(COMPACTED)) throw new CompactedError(revision ?? 0, undefined)
      throw this.unavailableOrSelf(error)
    }
  }

  private unavailableOrSelf(error: unknown): unknown {
    const e = this.etcd
    // What a caller can only wait out: no answer, no connection, no leader, a request the server timed out.
    const transient = error instanceof e.GRPCUnavailableError || error instanceof e.GRPCDeadlineExceededError || error instanceof e.GRPCCancelledError
      || error instanceof e.GRPCInternalError || error instanceof e.GRPCUnknownError || error instanceof e.GRPCResourceExhastedError
      || error instanceof e.GRPCAbortedError || error instanceof e.ClientClosedError
      || (error instanceof e.EtcdError && /no leader|timed out|leader changed|not capable|too many requests/.test(error.message))
      || (error instanceof Error && error.constructor.name === 'BrokenCircuitError')
    return transient ? this.unavailable(error) : error
  }

  private unavailable(error: unknown): StoreUnavailableError {
    if (error instanceof StoreUnavailableError) return error
    // gRPC appends an often empty "Resolution note:" that says nothing to a reader of the log.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\.? ?Resolution note:\s*$/, '')
    return new StoreUnavailableError(`${this.name} is unreachable: ${message}`, { cause: error })
  }
}

function toStoreEvent(event: IEvent): StoreEvent {
  return {
    type: event.type === 'Delete' ? 'delete' : 'put',
    key: event.kv.key.toString(),
    value: event.type === 'Delete' ? '' : event.kv.value.toString(),
    revision: Number(event.kv.mod_revision),
  }
}

/** The end of etcd's key range of "every key starting with prefix": the prefix with its last byte plus one. */
function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix, 'utf8')
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++
      return end.subarray(0, i + 1)
    }
  }
  // Every byte 0xff: up to the end of the key space.
  return Buffer.from([0])
}
