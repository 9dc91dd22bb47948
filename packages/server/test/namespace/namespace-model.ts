// A model of one namespace for model-based tests: a plain Map of what each record should be, the
// steps that change a namespace (store, remove, touch, time passing, expiry, eviction, truncation,
// defrag, cold and fast restarts), and a runner that applies each step to a real Namespace and to
// the model, then checks that the two agree. The simulator drives the same runner with its own steps.
// In memory-cluster mode the namespace keeps every delete for the other copies of a cluster (as in a
// partition that is not settled), and the model also knows which tombstones it must hold.
import { ParticleType, citrusleafSeconds, computeDigest, integerParticle, partitionId } from '@aerolite/protocol'
import fc from 'fast-check'
import { pino } from 'pino'
import { defaultNamespaceConfig, defaultStorageConfig, type NamespaceConfig } from '../../src/config/index.ts'
import type { Scheduler } from '../../src/env/env.ts'
import { realScheduler } from '../../src/env/real-env.ts'
import { Evictor } from '../../src/namespace/eviction.ts'
import { Namespace, type NewVersion } from '../../src/namespace/namespace.ts'
import { expirePartition } from '../../src/namespace/nsup.ts'
import { nextGeneration } from '../../src/namespace/ttl.ts'
import { limits } from '../../src/limits.ts'
import type { Bin } from '../../src/record/bins.ts'
import { readBins } from '../../src/record/layout.ts'
import { Defragmenter } from '../../src/storage/defrag.ts'
import { envWithWallClock } from '../commands/harness.ts'

export const MODEL_SETS = ['', 'a', 'b'] as const
export const MODEL_KEYS_PER_SET = 12

export interface ModelRecord {
  setName: string
  key: number
  value: number
  blobBytes: number
  generation: number
  /** Seconds since 2010; 0 = never expires. */
  voidTime: number
  lastUpdateMs: number
}

export type Step =
  | { kind: 'store'; set: number; key: number; value: number; blobBytes: number; ttlSeconds: number }
  | { kind: 'remove'; set: number; key: number }
  | { kind: 'touch'; set: number; key: number; ttlSeconds: number }
  | { kind: 'advance'; seconds: number }
  | { kind: 'expire' }
  | { kind: 'evict'; sharePct: number }
  | { kind: 'truncate'; set: number | undefined }
  | { kind: 'settle' }
  | { kind: 'defrag' }
  | { kind: 'coldRestart' }
  | { kind: 'fastRestart' }

const setIndex = fc.integer({ min: 0, max: MODEL_SETS.length - 1 })
const keyIndex = fc.integer({ min: 0, max: MODEL_KEYS_PER_SET - 1 })

/** Steps weighted toward writes, so records accumulate between the rarer whole-namespace steps. */
export const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('store' as const), set: setIndex, key: keyIndex, value: fc.integer(), blobBytes: fc.integer({ min: 0, max: 3000 }), ttlSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), set: setIndex, key: keyIndex }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('touch' as const), set: setIndex, key: keyIndex, ttlSeconds: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('evict' as const), sharePct: fc.integer({ min: 10, max: 90 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), set: fc.option(setIndex.filter((s) => s > 0), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'defrag' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'coldRestart' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'fastRestart' as const }) },
)

/**
 * memory: no files (restarts are skipped); memory-file: memory backed by a file; device: records on
 * disk; memory-cluster: no files, every delete kept as a tombstone for a cluster's other copies.
 */
export type StorageMode = 'memory' | 'memory-file' | 'device' | 'memory-cluster'

const BLOCK_BYTES = 16 * 1024
const FILE_HEADER_BYTES = 1024 * 1024
const DATA_BYTES = 64 * BLOCK_BYTES

export function modelConfig(mode: StorageMode, file: string): NamespaceConfig {
  const config = defaultNamespaceConfig('model')
  const engine = mode === 'device' ? 'device' : 'memory'
  config.storage = {
    ...defaultStorageConfig(engine), writeBlockSizeBytes: BLOCK_BYTES, dataSizeBytes: DATA_BYTES, fileSizeBytes: FILE_HEADER_BYTES + DATA_BYTES,
    files: mode === 'memory' || mode === 'memory-cluster' ? [] : [file], defragLwmPct: 50,
  }
  config.evictHistBuckets = 100
  return config
}

class ManualClock {
  ms = Date.UTC(2026, 0, 1)
  nowMs(): number {
    return this.ms
  }
}

function digestOf(setName: string, key: number): Buffer {
  return computeDigest(setName, ParticleType.INTEGER, integerParticle(key))
}

const modelKey = (setName: string, key: number): string => `${setName}/${key}`

/** A Namespace and its model, stepped together. */
/** What a tombstone remembers of a delete. */
interface ModelDelete {
  generation: number
  lastUpdateMs: number
}

/** A cluster whose copies all still need every tombstone. */
const keepEveryDelete = { leavesTombstone: () => true, needsTombstones: () => true }

export class ModelRunner {
  readonly model = new Map<string, ModelRecord>()
  /** The tombstones the namespace must hold (memory-cluster mode only). */
  readonly deletes = new Map<string, ModelDelete>()
  readonly clock = new ManualClock()
  ns: Namespace
  private readonly config: NamespaceConfig
  private readonly scheduler: Scheduler
  private readonly log = pino({ level: 'silent' })
  /** The persisted eviction cutoff, as the model knows it (a restart applies it again). */
  private evictVoidTime = 0

  private readonly keepsDeletes: boolean

  private constructor(config: NamespaceConfig, scheduler: Scheduler, keepsDeletes: boolean) {
    this.config = config
    this.scheduler = scheduler
    this.keepsDeletes = keepsDeletes
    this.ns = this.newNamespace()
  }

  /** file: where a namespace with files keeps its data (a fresh path in a temporary directory). */
  static async open(mode: StorageMode, file: string, scheduler: Scheduler = realScheduler): Promise<ModelRunner> {
    const runner = new ModelRunner(modelConfig(mode, file), scheduler, mode === 'memory-cluster')
    await runner.ns.open(runner.log)
    return runner
  }

  async close(): Promise<void> {
    await this.ns.truncation.whenDone()
    await this.ns.close(this.log)
  }

  private newNamespace(): Namespace {
    const ns = new Namespace(this.config, { ...envWithWallClock(this.clock), scheduler: this.scheduler }, this.log)
    if (this.keepsDeletes) ns.tombstones.cluster = keepEveryDelete
    return ns
  }

  /** The model's side of a record removed (not truncated): a tombstone when deletes are kept. */
  private deleted(k: string, record: ModelRecord): void {
    this.model.delete(k)
    if (this.keepsDeletes) this.deletes.set(k, { generation: record.generation, lastUpdateMs: this.clock.ms })
  }

  private nowVoidTime(): number {
    return citrusleafSeconds(this.clock.ms)
  }

  private isVisible(record: ModelRecord): boolean {
    return record.voidTime === 0 || record.voidTime >= this.nowVoidTime()
  }

  async apply(step: Step): Promise<void> {
    const ns = this.ns
    switch (step.kind) {
      case 'store': {
        const setName = MODEL_SETS[step.set]!
        const digest = digestOf(setName, step.key)
        const old = this.model.get(modelKey(setName, step.key))
        const visibleOld = old !== undefined && this.isVisible(old) ? old : undefined
        const record: ModelRecord = {
          setName, key: step.key, value: step.value, blobBytes: step.blobBytes,
          generation: visibleOld === undefined ? 1 : nextGeneration(visibleOld.generation),
          voidTime: step.ttlSeconds === 0 ? 0 : this.nowVoidTime() + step.ttlSeconds,
          lastUpdateMs: this.clock.ms,
        }
        const existing = ns.findAny(digest)
        ns.store(digest, existing, this.versionOf(record), 'client')
        this.model.set(modelKey(setName, step.key), record)
        if (existing < 0) this.deletes.delete(modelKey(setName, step.key))
        return
      }
      case 'remove': {
        const setName = MODEL_SETS[step.set]!
        const digest = digestOf(setName, step.key)
        const id = ns.find(digest)
        if (id < 0) return
        ns.remove(id, digest, 'client')
        this.deleted(modelKey(setName, step.key), this.model.get(modelKey(setName, step.key))!)
        return
      }
      case 'touch': {
        // A read-touch: a new void time and last-update time, the same generation and bins.
        const setName = MODEL_SETS[step.set]!
        const digest = digestOf(setName, step.key)
        const id = ns.find(digest)
        const old = this.model.get(modelKey(setName, step.key))
        if (id < 0 || old === undefined) return
        const record: ModelRecord = { ...old, voidTime: this.nowVoidTime() + step.ttlSeconds, lastUpdateMs: this.clock.ms }
        ns.store(digest, id, this.versionOf(record), 'touch')
        this.model.set(modelKey(setName, step.key), record)
        return
      }
      case 'advance':
        this.clock.ms += step.seconds * 1000
        return
      case 'expire': {
        for (let pid = 0; pid < limits.partitions; pid++) expirePartition(ns, pid)
        for (const [k, record] of this.model) if (!this.isVisible(record)) this.deleted(k, record)
        return
      }
      case 'evict': {
        const usedPct = ns.usedPct()
        if (usedPct <= 1) return
        ns.config.storage.evictUsedPct = Math.max(1, Math.floor((usedPct * (100 - step.sharePct)) / 100))
        try {
          await new Evictor(ns, this.log, this.scheduler).evictIfNeeded()
        } finally {
          ns.config.storage.evictUsedPct = 0
        }
        this.evictVoidTime = ns.evictVoidTime
        this.applyEvictCutoff()
        return
      }
      case 'truncate': {
        // The cutoff is now: records last updated before it go; the clock moves on so later writes survive.
        const setName = step.set === undefined ? undefined : MODEL_SETS[step.set]!
        const cutoffMs = this.clock.ms
        ns.truncate(setName, cutoffMs)
        for (const [k, record] of this.model) {
          if ((setName === undefined || record.setName === setName) && record.lastUpdateMs < cutoffMs) this.model.delete(k)
        }
        this.clock.ms += 1
        // An expiry before the sweep would leave a tombstone for a truncated record: the model waits.
        if (this.keepsDeletes) await ns.truncation.whenDone()
        return
      }
      case 'settle':
        await ns.truncation.whenDone()
        return
      case 'defrag':
        await new Defragmenter(ns).run()
        return
      case 'coldRestart': {
        if (ns.files === undefined) return
        // Everything written reached the disk; then the process dies without a shutdown.
        await ns.flusher!.flushAll()
        ns.flusher!.stop()
        ns.files.close()
        await this.reopen()
        return
      }
      case 'fastRestart':
        if (ns.files === undefined) return
        await ns.close(this.log)
        await this.reopen()
        return
    }
  }

  private async reopen(): Promise<void> {
    this.ns = this.newNamespace()
    await this.ns.open(this.log)
    this.applyEvictCutoff()
  }

  /** Records with a void time before the persisted eviction cutoff are gone (also after a restart). */
  private applyEvictCutoff(): void {
    const cutoff = this.evictVoidTime
    if (cutoff === 0) return
    for (const [k, record] of this.model) if (record.voidTime !== 0 && record.voidTime < cutoff) this.deleted(k, record)
  }

  private versionOf(record: ModelRecord): NewVersion {
    const set = record.setName === '' ? undefined : this.ns.sets.getOrCreate(record.setName)
    const bins: Bin[] = [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(record.value) }]
    if (record.blobBytes > 0) bins.push({ name: 'blob', particleType: ParticleType.BLOB, value: Buffer.alloc(record.blobBytes, record.value & 0xff) })
    return { generation: record.generation, voidTime: record.voidTime, lastUpdateMs: record.lastUpdateMs, setId: set?.id ?? 0, key: undefined, bins }
  }

  /** Throws, naming the difference, unless the namespace holds what the model holds. */
  check(): void {
    const ns = this.ns
    for (const setName of MODEL_SETS) {
      for (let key = 0; key < MODEL_KEYS_PER_SET; key++) {
        const record = this.model.get(modelKey(setName, key))
        const id = ns.find(digestOf(setName, key))
        const where = `${modelKey(setName, key)}`
        if (record === undefined || !this.isVisible(record)) {
          if (id >= 0) throw new Error(`${where}: found, the model has no visible record`)
          continue
        }
        if (id < 0) throw new Error(`${where}: missing, the model has ${JSON.stringify(record)}`)
        const actual = {
          generation: ns.generationOf(id), voidTime: ns.voidTimeOf(id), lastUpdateMs: ns.lastUpdateMsOf(id), setName: ns.setOf(id)?.name ?? '',
        }
        const expected = { generation: record.generation, voidTime: record.voidTime, lastUpdateMs: record.lastUpdateMs, setName: record.setName }
        if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${where}: ${JSON.stringify(actual)}, the model has ${JSON.stringify(expected)}`)
        const { buf, at } = ns.location(id)
        const bins = readBins(buf, at)
        const value = bins.find((b) => b.name === 'v')?.value.readBigInt64BE(0)
        const blob = bins.find((b) => b.name === 'blob')?.value.length ?? 0
        if (value !== BigInt(record.value) || blob !== record.blobBytes) throw new Error(`${where}: value ${value} blob ${blob}, the model has ${record.value} and ${record.blobBytes}`)
      }
    }
    this.checkDeletes()
    // Counts hold once no truncate sweep is pending (until then truncated records still count).
    if (ns.truncation.sweeping) return
    if (ns.objects !== this.model.size) throw new Error(`objects ${ns.objects}, the model has ${this.model.size}`)
    for (const setName of MODEL_SETS) {
      if (setName === '') continue
      const expected = [...this.model.values()].filter((r) => r.setName === setName).length
      const actual = ns.sets.get(setName)?.objects ?? 0
      if (actual !== expected) throw new Error(`set ${setName}: objects ${actual}, the model has ${expected}`)
    }
  }

  /** Throws unless the namespace holds exactly the tombstones the model holds (memory-cluster mode). */
  private checkDeletes(): void {
    if (!this.keepsDeletes) return
    const tombstones = this.ns.tombstones
    for (const setName of MODEL_SETS) {
      for (let key = 0; key < MODEL_KEYS_PER_SET; key++) {
        const digest = digestOf(setName, key)
        const actual = JSON.stringify(tombstones.deleteOf(partitionId(digest), digest))
        const expected = JSON.stringify(this.deletes.get(modelKey(setName, key)))
        if (actual !== expected) throw new Error(`${modelKey(setName, key)}: tombstone ${actual}, the model has ${expected}`)
      }
    }
    if (tombstones.size !== this.deletes.size) throw new Error(`tombstones ${tombstones.size}, the model has ${this.deletes.size}`)
  }
}

/** Applies steps one by one, checking after each; the error names the step that broke agreement. */
export async function runSteps(runner: ModelRunner, steps: readonly Step[]): Promise<void> {
  for (const [i, step] of steps.entries()) {
    await runner.apply(step)
    try {
      runner.check()
    } catch (err) {
      throw new Error(`after step ${i} ${JSON.stringify(step)}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
}
