// Runs single-record commands straight through dispatchMessage, without sockets.
import {
  FieldType, Info1, Info2, OpType, ParticleType, computeDigest, decodeMessage, encodeMessage, emptyHeader,
  PROTO_HEADER_BYTES, type Env, type Message, type MessageHeader, type OutOp,
} from '@aerolite/protocol'
import { defaultNamespaceConfig, type NamespaceConfig } from '../../src/config/index.ts'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import type { CommandContext } from '../../src/commands/context.ts'
import { Namespace } from '../../src/namespace/namespace.ts'
import { realClock, realEnv } from '../../src/env/real-env.ts'
import { UdfRuntime } from '../../src/udf/runtime.ts'

/** The real Env with wall time read from `clock`, for tests that move time by hand. */
export function envWithWallClock(clock: { nowMs(): number }): Env {
  return { ...realEnv, clock: { nowMs: () => clock.nowMs(), monotonicMs: realClock.monotonicMs } }
}

export function makeNamespace(tune: (c: NamespaceConfig) => void = () => {}, clock?: { nowMs(): number }): Namespace {
  const config = defaultNamespaceConfig('test')
  tune(config)
  return new Namespace(config, clock === undefined ? realEnv : envWithWallClock(clock))
}

/** The UDF runtime the command tests share (each node has its own). */
export const testUdfRuntime = new UdfRuntime(realEnv)
let lastJobId = 0n

/** What commands reach of a node that holds just these namespaces. */
export function commandsOf(...namespaces: Namespace[]): CommandContext {
  return { namespace: (name) => namespaces.find((ns) => ns.name === name), udf: testUdfRuntime, newJobId: () => ++lastJobId, xdrSrcId: 0 }
}

export function keyFields(key: string, set = 'demo', ns = 'test') {
  const keyBytes = Buffer.from(key)
  return [
    { type: FieldType.NAMESPACE, data: Buffer.from(ns) },
    { type: FieldType.SET, data: Buffer.from(set) },
    { type: FieldType.DIGEST, data: computeDigest(set, ParticleType.STRING, keyBytes) },
  ]
}

export function run(ns: Namespace, header: Partial<MessageHeader>, key: string, ops: OutOp[] = []): Message {
  const body = encodeMessage({ ...emptyHeader(), ...header }, keyFields(key), ops)
  const result = dispatchMessage(decodeMessage(body), commandsOf(ns))
  if (!('reply' in result)) throw new Error('expected a single reply')
  return decodeMessage(result.reply.subarray(PROTO_HEADER_BYTES))
}

export const write = (name: string, particleType: number, value: Buffer): OutOp => ({ type: OpType.WRITE, particleType, name, value })
export const put = (ns: Namespace, key: string, ops: OutOp[], header: Partial<MessageHeader> = {}): Message => run(ns, { info2: Info2.WRITE, ...header }, key, ops)
export const get = (ns: Namespace, key: string): Message => run(ns, { info1: Info1.READ | Info1.GET_ALL }, key)
