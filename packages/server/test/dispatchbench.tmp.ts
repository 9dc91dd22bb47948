import { commandsOf, makeNamespace, keyFields } from './commands/harness.ts'
import { dispatchMessage } from '../src/commands/dispatch.ts'
import { decodeMessage, encodeMessage, emptyHeader, Info1, Info2, OpType, ParticleType } from '@aerolite/protocol'
const ns = makeNamespace()
const lookup = commandsOf(ns)
const N = 100_000
const value = Buffer.alloc(1024, 7)
const writes: Buffer[] = []
const reads: Buffer[] = []
for (let i = 0; i < N; i++) {
  const fields = keyFields(`k${i}`)
  writes.push(encodeMessage({ ...emptyHeader(), info2: Info2.WRITE }, fields, [{ type: OpType.WRITE, particleType: ParticleType.BLOB, name: 'bin1', value }]))
  reads.push(encodeMessage({ ...emptyHeader(), info1: Info1.READ | Info1.GET_ALL }, fields, []))
}
for (let i = 0; i < N; i++) dispatchMessage(decodeMessage(writes[i]!), lookup)
let x = 12345
const rnd = () => (x = (x * 1103515245 + 12345) & 0x7fffffff)
for (let round = 0; round < 5; round++) {
  const M = 300_000
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < M; i++) {
    const k = rnd() % N
    const body = (rnd() & 1) === 0 ? reads[k]! : writes[k]!
    dispatchMessage(decodeMessage(body), lookup)
  }
  console.log('RU,50 dispatch', (Number(process.hrtime.bigint() - t0) / M / 1000).toFixed(2), 'µs/op')
}
