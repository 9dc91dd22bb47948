// Shared harness for the compatibility tests with the official Node client (npm `aerospike` 6.7.1).
// Each test file starts its own Aerolite node (a worker thread, port 0) and connects one client.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import type { EmbeddedServer, StartOptions } from '@aerolite/server'
import { startClientNode } from '../../packages/server/test/official-client.ts'
import type * as AerospikeModule from 'aerospike'

export type AerospikeClient = AerospikeModule.Client
export type AerospikeKey = AerospikeModule.Key
export type AerospikeRecord = AerospikeModule.AerospikeRecord

/** The official client, loaded the way a CommonJS user would. */
export const Aerospike = createRequire(import.meta.url)('aerospike') as typeof AerospikeModule

export const NS = 'test'

export interface Harness {
  server: EmbeddedServer
  client: AerospikeClient
  /** Closes the client, then stops the node. Safe to call twice. */
  stop(): Promise<void>
}

/** Starts a node with the given options and connects the official client to it. */
export async function startHarness(options: StartOptions = {}): Promise<Harness> {
  return startClientNode(options)
}

let counter = 0

/** A user key no other test of this process uses. */
export function uniqueName(prefix: string): string {
  counter++
  return `${prefix}-${process.pid}-${counter}`
}

/** A fresh key in namespace `test` (set `demo` unless told otherwise; null = no set). */
export function freshKey(prefix: string, set: string | null = 'demo'): AerospikeKey {
  return new Aerospike.Key(NS, set, uniqueName(prefix))
}

/** Write policy that stores the user key with the record (key policy SEND). */
export function sendKeyPolicy(extra: Record<string, unknown> = {}): AerospikeModule.policy.WritePolicy {
  return new Aerospike.WritePolicy({ key: Aerospike.policy.key.SEND, ...extra })
}

/** Asserts that a client call fails with exactly this Aerospike result code. */
export async function rejectsWithCode(promise: Promise<unknown>, code: number, what = ''): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof Aerospike.AerospikeError, `${what}: expected an AerospikeError, got ${String(err)}`)
    assert.equal(err.code, code, `${what}: expected result code ${code}, got ${err.code} (${err.message})`)
    return true
  })
}

/** The value part of a single info command's answer ("<command>\t<value>\n"). */
export async function infoValue(client: AerospikeClient, command: string): Promise<string> {
  const answer = await client.infoAny(command)
  assert.equal(typeof answer, 'string')
  const text = answer as string
  const prefix = `${command}\t`
  assert.ok(text.startsWith(prefix), `info answer should echo the command: ${JSON.stringify(text)}`)
  return text.slice(prefix.length).replace(/\n$/, '')
}

/** Parses "k=v;k=v" (or another separator) into an object; keys keep their last value. */
export function parseKeyValues(text: string, separator = ';'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of text.split(separator)) {
    if (part === '') continue
    const eq = part.indexOf('=')
    if (eq < 0) out[part] = ''
    else out[part.slice(0, eq)] = part.slice(eq + 1)
  }
  return out
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Asserts a TTL the client reported lies in [low, high]. */
export function assertTtlBetween(ttl: number | undefined, low: number, high: number, what = 'ttl'): void {
  assert.equal(typeof ttl, 'number', `${what} should be a number`)
  assert.ok(ttl! >= low && ttl! <= high, `${what} ${ttl} is not within ${low}..${high}`)
}
