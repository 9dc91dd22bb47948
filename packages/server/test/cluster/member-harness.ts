// ClusterMembers on one manual Env without sockets: a fabric that delivers requests between them in
// later turns (a direction can be cut, a reply can be lost), and a membership the test drives.
import assert from 'node:assert/strict'
import { ClusterMember, type MemberFabric } from '../../src/cluster/cluster-member.ts'
import type { FabricMessageHandler } from '../../src/cluster/fabric-link.ts'
import { FabricError } from '../../src/cluster/fabric/errors.ts'
import type { Membership } from '../../src/cluster/membership.ts'
import type { PlantedFaults } from '../../src/cluster/planted-faults.ts'
import type { MemberInfo, View } from '../../src/cluster/view.ts'
import { defaultNamespaceConfig, type NamespaceConfig } from '../../src/config/index.ts'
import type { ManualEnv } from '../../src/env/manual-env.ts'
import type { MemoryDisk } from '../../src/env/memory-disk.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { memoryLogger } from '../storage/harness.ts'

/** Delivers requests between members in later turns; a cut direction fails its requests at once. */
/** A membership that always holds its lease and stays at `view` (override what a test drives). */
export function fakeMembership(view: View): Membership {
  return {
    join: async () => view,
    currentView: () => view,
    onView: () => {},
    holdsLease: () => true,
    onLeaseChange: () => {},
    onLeaseLost: () => {},
    onRegisteredAgain: () => {},
    metadata: { entries: () => new Map(), put: async () => 0, remove: async () => 0, update: async () => 0, onChange: () => {}, seen: async () => {} },
    updateSelf: async () => {},
    republish: async () => {},
    leave: async () => {},
    halt: () => {},
  }
}

export class TestFabric {
  readonly cut = new Set<string>()
  /** Message types whose next reply is lost (the request fails, though the handler ran). */
  readonly loseNextReply = new Set<number>()
  private readonly handlers = new Map<string, Map<number, FabricMessageHandler>>()
  private readonly env: ManualEnv

  constructor(env: ManualEnv) {
    this.env = env
  }

  linkOf(self: string): MemberFabric {
    const own = new Map<number, FabricMessageHandler>()
    this.handlers.set(self, own)
    // As the real fabric: a view change fails the requests still waiting for their replies.
    const waiting = new Set<(error: Error) => void>()
    return {
      request: (to, type, payload) => new Promise<Buffer>((resolve, reject) => {
        const handler = this.handlers.get(to)?.get(type)
        if (this.cut.has(`${self}>${to}`) || handler === undefined) return reject(new Error(`${self} cannot reach ${to}`))
        const fail = (error: Error): void => {
          waiting.delete(fail)
          reject(error)
        }
        waiting.add(fail)
        this.env.scheduler.soon(() => handler(self, payload, (reply) => this.env.scheduler.soon(() => {
          if (!waiting.has(fail)) return
          if (this.loseNextReply.delete(type)) return fail(new Error(`the reply of ${to} to message type ${type} was lost`))
          waiting.delete(fail)
          resolve(reply)
        })))
      }),
      onMessage: (type, handler) => { own.set(type, handler) },
      setView: () => {
        for (const fail of [...waiting]) fail(new FabricError('ERR_FABRIC_VIEW_CHANGED', '?', 'the view changed'))
      },
    }
  }
}

/** The service settings a member reads (a test changes them, then calls member.settingsChanged()). */
export interface TestSettings {
  migrateThreads: number
  migrateMaxNumIncoming: number
  minClusterSize: number
}

export interface TestNode {
  info: MemberInfo
  namespace: Namespace
  member: ClusterMember
  settings: TestSettings
  newView(view: View): void
  loseLease(): void
  /** How many times the member asked for a new view (Membership.republish). */
  republished(): number
  /** The node registers again after a lost lease; `clusterWentOn`: some other member kept its lease. */
  registerAgain(clusterWentOn: boolean): void
}

/** A namespace of the node's own on its own disk (default: namespace `test` in memory). */
export interface TestStorage {
  config: NamespaceConfig
  disk: MemoryDisk
}

export function memberInfo(nodeId: string): MemberInfo {
  return { nodeId, service: { host: '127.0.0.1', port: 3000 }, fabric: { host: '127.0.0.1', port: 3001 }, rackIds: {}, build: 'test' }
}

export async function startNode(env: ManualEnv, fabric: TestFabric, nodeId: string, first: View, plantedFaults?: PlantedFaults, settings: Partial<TestSettings> = {}, storage?: TestStorage): Promise<TestNode> {
  const { log } = memoryLogger()
  const namespace = storage === undefined ? new Namespace(defaultNamespaceConfig('test'), env, log) : new Namespace(storage.config, { ...env, disk: storage.disk }, log)
  await namespace.open(log)
  const viewListeners: Array<(view: View) => void> = []
  const leaseLost: Array<() => void> = []
  let republished = 0
  const registeredAgain: Array<(clusterWentOn: boolean) => void> = []
  const membership: Membership = {
    ...fakeMembership(first),
    onView: (listener) => { viewListeners.push(listener) },
    onLeaseLost: (listener) => { leaseLost.push(listener) },
    republish: async () => { republished++ },
    onRegisteredAgain: (listener) => { registeredAgain.push(listener) },
  }
  const info = memberInfo(nodeId)
  const own: TestSettings = { migrateThreads: 1, migrateMaxNumIncoming: 4, minClusterSize: 1, ...settings }
  const member = new ClusterMember({
    env, log, namespaces: new Map([['test', namespace]]), membership, fabric: fabric.linkOf(nodeId), keepServingWithoutLease: false, settings: own, plantedFaults,
    runProxied: () => Promise.reject(new Error('unused')),
  })
  void member.join(info)
  return {
    info, namespace, member, settings: own,
    newView: (view) => { for (const listener of viewListeners) listener(view) },
    loseLease: () => { for (const listener of leaseLost) listener() },
    republished: () => republished,
    registerAgain: (clusterWentOn) => { for (const listener of registeredAgain) listener(clusterWentOn) },
  }
}

export async function settle(env: ManualEnv, nodes: TestNode[]): Promise<void> {
  for (let i = 0; i < 200 && !nodes.every((n) => n.member.isSettled()); i++) await env.scheduler.advance(100)
  assert.ok(nodes.every((n) => n.member.isSettled()), 'the cluster settles')
}

