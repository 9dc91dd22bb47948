// Persistent namespaces in a temporary directory, driven through the command road without sockets.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ParticleType, ResultCode, integerParticle } from '@aerolite/protocol'
import { pino, type Logger } from 'pino'
import { defaultNamespaceConfig, defaultStorageConfig, type NamespaceConfig, type StorageConfig } from '../../src/config/index.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { realEnv } from '../../src/env/real-env.ts'
import { envWithWallClock, get, put, write } from '../commands/harness.ts'

export const KiB = 1024
export const MiB = 1024 * KiB
export const FILE_HEADER_BYTES = MiB

/** A logger that keeps every line, so tests can check what was reported. */
export function memoryLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) })
  return { log, lines }
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'aerolite-storage-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A device namespace `test` over the given files: small blocks so tests cross block boundaries. */
export function deviceConfig(files: string[], tune: (s: StorageConfig) => void = () => {}): NamespaceConfig {
  const config = defaultNamespaceConfig('test')
  config.storage = { ...defaultStorageConfig('device'), files, writeBlockSizeBytes: 16 * KiB, fileSizeBytes: FILE_HEADER_BYTES + 64 * 16 * KiB }
  tune(config.storage)
  config.storage.dataSizeBytes = config.storage.files.length * (config.storage.fileSizeBytes - FILE_HEADER_BYTES)
  return config
}

export async function openNamespace(config: NamespaceConfig, log: Logger = memoryLogger().log, clock?: { nowMs(): number }): Promise<Namespace> {
  const ns = new Namespace(config, clock === undefined ? realEnv : envWithWallClock(clock), log)
  await ns.open(log)
  return ns
}

export function putInt(ns: Namespace, key: string, value: number): number {
  return put(ns, key, [write('v', ParticleType.INTEGER, integerParticle(value))]).resultCode
}

/** The int bin `v` of a record, or undefined when it is not found. */
export function getInt(ns: Namespace, key: string): number | undefined {
  const reply = get(ns, key)
  if (reply.resultCode === ResultCode.RECORD_NOT_FOUND) return undefined
  if (reply.resultCode !== ResultCode.OK) throw new Error(`get ${key}: result ${reply.resultCode}`)
  return Number(reply.ops.find((op) => op.name.toString() === 'v')!.value.readBigInt64BE(0))
}

/** Stops a namespace the way a crash would: no final flush, no snapshot; only the locks go. */
export function crash(ns: Namespace): void {
  ns.flusher?.stop()
  ns.files?.close()
}

/** Counts the namespace's file syncs from now on; returns the count so far. */
export function countSyncs(ns: Namespace): () => number {
  const files = ns.files!
  const sync = files.sync.bind(files)
  let syncs = 0
  files.sync = async () => {
    syncs++
    await sync()
  }
  return () => syncs
}
