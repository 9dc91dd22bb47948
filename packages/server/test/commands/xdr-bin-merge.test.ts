// Bin convergence (conflict-resolve-writes with ship-bin-luts): shipped writes and deletes that
// carry a version per bin merge with the record here bin by bin, and two regions that get the same
// versions in any order end with the same record; the versions survive a crash and travel between
// nodes.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FieldType, Info1, Info2, OpType, ParticleType, PROTO_HEADER_BYTES, ResultCode, decodeMessage, emptyHeader, encodeMessage, integerParticle, partitionId, type OutOp } from '@aerolite/protocol'
import { dispatchMessage } from '../../src/commands/dispatch.ts'
import { encodeShippedVersion } from '../../src/xdr/shipped-version.ts'
import { join } from 'node:path'
import { binVersionsBytes, type Stamp } from '../../src/record/bin-versions.ts'
import { decodeRemoteRecord, encodeRemoteRecord } from '../../src/cluster/remote-record-codec.ts'
import { crash, deviceConfig, memoryLogger, openNamespace, tempDir } from '../storage/harness.ts'
import { recordBinVersions } from '../../src/record/layout.ts'
import type { Namespace } from '../../src/namespace/namespace.ts'
import { commandsOf, get, keyFields, makeNamespace, put, run, write } from './harness.ts'

/** A bin's shipped value: a number, or null for its removal. */
type ShippedValue = number | null

function shipBins(ns: Namespace, key: string, record: Stamp, floor: Stamp | undefined, bins: Array<[string, ShippedValue, Stamp]>): number {
  const ops: OutOp[] = bins.map(([name, value]) => value === null ? write(name, ParticleType.NULL, Buffer.alloc(0)) : write(name, ParticleType.INTEGER, integerParticle(value)))
  const lut = encodeShippedVersion({ ...record, bins: { floor, stamps: bins.map(([, , stamp]) => stamp) } })
  return dispatchShipped(ns, key, Info2.WRITE, lut, ops)
}

function shipDelete(ns: Namespace, key: string, at: Stamp): number {
  const lut = encodeShippedVersion({ ...at, bins: { floor: undefined, stamps: [] } })
  return dispatchShipped(ns, key, Info2.WRITE | Info2.DELETE | Info2.DURABLE_DELETE, lut, [])
}

function dispatchShipped(ns: Namespace, key: string, info2: number, lut: Buffer, ops: OutOp[]): number {
  const body = encodeMessage({ ...emptyHeader(), info1: Info1.XDR, info2 }, [...keyFields(key), { type: FieldType.LUT, data: lut }], ops)
  const result = dispatchMessage(decodeMessage(body), commandsOf(ns))
  assert.ok('reply' in result)
  return decodeMessage(result.reply.subarray(PROTO_HEADER_BYTES)).resultCode
}

/** The record's bins as name=value, sorted; undefined when it is gone. */
function binsHere(ns: Namespace, key: string): string | undefined {
  const reply = get(ns, key)
  if (reply.resultCode === ResultCode.RECORD_NOT_FOUND) return undefined
  return reply.ops.map((op) => `${op.name.toString()}=${op.value.readBigInt64BE(0)}`).sort().join(' ')
}

function versionsHere(ns: Namespace, key: string) {
  const digest = keyFields(key)[2]!.data
  const { buf, at } = ns.location(ns.find(digest, partitionId(digest)))
  return { lastUpdateMs: ns.lastUpdateMsOf(ns.find(digest, partitionId(digest))), versions: recordBinVersions(buf, at) }
}

const int = (name: string, v: number) => write(name, ParticleType.INTEGER, integerParticle(v))
const stamp = (lastUpdateMs: number, srcId: number): Stamp => ({ lastUpdateMs, srcId })

describe('bin convergence', () => {
  it('each bin keeps its newer version: older bins lose, removals and deletes take only the bins older than them', () => {
    const clock = { ms: 10_000, nowMs: () => clock.ms }
    const ns = makeNamespace((c) => { c.conflictResolveWrites = true }, clock)
    assert.equal(put(ns, 'k', [int('a', 1), int('b', 1)]).resultCode, ResultCode.OK)
    assert.deepEqual(versionsHere(ns, 'k').versions?.bins, new Map([['a', stamp(10_000, 0)], ['b', stamp(10_000, 0)]]))

    // A bin this record never had is taken, however old; an older version of a bin here loses.
    assert.equal(shipBins(ns, 'k', stamp(9_000, 1), undefined, [['c', 3, stamp(9_000, 1)]]), ResultCode.OK)
    assert.equal(binsHere(ns, 'k'), 'a=1 b=1 c=3')
    assert.equal(shipBins(ns, 'k', stamp(9_500, 1), undefined, [['a', 2, stamp(9_500, 1)]]), ResultCode.LOST_CONFLICT)
    assert.equal(ns.counters.failXdrLostConflict, 1)
    // Newer bins win one by one in one message; the removal of b leaves a bin tombstone.
    assert.equal(shipBins(ns, 'k', stamp(10_500, 1), undefined, [['a', 4, stamp(10_500, 1)], ['b', null, stamp(10_500, 1)], ['c', 9, stamp(8_000, 1)]]), ResultCode.OK)
    assert.equal(binsHere(ns, 'k'), 'a=4 c=3')
    assert.deepEqual(versionsHere(ns, 'k').versions?.bins.get('b'), stamp(10_500, 1))
    assert.equal(shipBins(ns, 'k', stamp(10_200, 1), undefined, [['b', 5, stamp(10_200, 1)]]), ResultCode.LOST_CONFLICT)

    // A write here is newer than every version the record holds, even with this clock behind them.
    clock.ms = 10_100
    assert.equal(put(ns, 'k', [int('d', 7)]).resultCode, ResultCode.OK)
    assert.equal(versionsHere(ns, 'k').lastUpdateMs, 10_501)
    // A rewrite of the same value is a write too: the bin takes its time.
    clock.ms = 10_600
    put(ns, 'k', [int('c', 3)])
    assert.deepEqual(versionsHere(ns, 'k').versions?.bins.get('c'), stamp(10_600, 0))

    // A delete removes the bins older than it and keeps the newer ones.
    assert.equal(shipDelete(ns, 'k', stamp(10_550, 2)), ResultCode.OK)
    assert.equal(binsHere(ns, 'k'), 'c=3')
    // One newer than every bin removes the record; an older write then loses to it, a newer one
    // creates the record again with the delete as its floor.
    assert.equal(shipDelete(ns, 'k', stamp(20_000, 2)), ResultCode.OK)
    assert.equal(binsHere(ns, 'k'), undefined)
    assert.equal(shipBins(ns, 'k', stamp(15_000, 1), undefined, [['e', 1, stamp(15_000, 1)]]), ResultCode.LOST_CONFLICT)
    assert.equal(shipBins(ns, 'k', stamp(25_000, 1), stamp(20_000, 2), [['e', 1, stamp(25_000, 1)]]), ResultCode.OK)
    assert.equal(binsHere(ns, 'k'), 'e=1')
    assert.deepEqual(versionsHere(ns, 'k').versions?.floor, stamp(20_000, 2))
  })

  it('a shipped floor removes the bins here older than it that it does not list', () => {
    const clock = { ms: 30_000, nowMs: () => clock.ms }
    const ns = makeNamespace((c) => { c.conflictResolveWrites = true }, clock)
    put(ns, 'k', [int('a', 1), int('b', 1)])
    clock.ms = 30_010
    put(ns, 'k', [int('b', 2)])
    // Made elsewhere after a delete at 30_005: a (30_000) is older than that delete, b (30_010) is not.
    assert.equal(shipBins(ns, 'k', stamp(30_007, 1), stamp(30_005, 1), [['c', 3, stamp(30_007, 1)]]), ResultCode.OK)
    assert.equal(binsHere(ns, 'k'), 'b=2 c=3')
  })

  it('refuses a stamp count that does not match the ops, and ops other than writes', () => {
    const ns = makeNamespace((c) => { c.conflictResolveWrites = true })
    const lut = encodeShippedVersion({ ...stamp(1, 1), bins: { floor: undefined, stamps: [stamp(1, 1), stamp(1, 1)] } })
    assert.equal(dispatchShipped(ns, 'k', Info2.WRITE, lut, [int('a', 1)]), ResultCode.PARAMETER_ERROR)
    const one = encodeShippedVersion({ ...stamp(1, 1), bins: { floor: undefined, stamps: [stamp(1, 1)] } })
    const incr = { type: OpType.INCR, particleType: ParticleType.INTEGER, name: 'a', value: integerParticle(1) }
    assert.equal(dispatchShipped(ns, 'k', Info2.WRITE, one, [incr]), ResultCode.PARAMETER_ERROR)
    assert.equal(binsHere(ns, 'k'), undefined)
  })

  it('two regions that get the same shipped versions in different orders end with the same record', () => {
    // mulberry32: a small seeded generator whose low bits are as random as its high ones.
    let seed = 12345
    const random = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) % n
    }
    const outcomes = new Set<string | undefined>()
    for (let round = 0; round < 200; round++) {
      // Versions from three regions; distinct (time, src-id) pairs, as each region's writes are.
      const events: Array<(ns: Namespace) => number> = []
      const used = new Set<string>()
      for (let i = 0; i < 8; i++) {
        const at = stamp(1000 + random(20), 1 + random(3))
        if (used.has(`${at.lastUpdateMs}/${at.srcId}`)) continue
        used.add(`${at.lastUpdateMs}/${at.srcId}`)
        if (random(5) === 0) {
          events.push((ns) => shipDelete(ns, 'k', at))
        } else {
          const bins: Array<[string, ShippedValue, Stamp]> = []
          for (const name of ['a', 'b', 'c']) if (random(2) === 0) bins.push([name, random(4) === 0 ? null : random(100), at])
          const floor = random(4) === 0 ? stamp(at.lastUpdateMs - 1 - random(5), 1 + random(3)) : undefined
          if (bins.length > 0) events.push((ns) => shipBins(ns, 'k', at, floor, bins))
        }
      }
      const one = makeNamespace((c) => { c.conflictResolveWrites = true })
      const other = makeNamespace((c) => { c.conflictResolveWrites = true })
      for (const event of events) event(one)
      const shuffled = [...events]
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = random(i + 1)
        ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
      }
      for (const event of shuffled) event(other)
      assert.equal(binsHere(other, 'k'), binsHere(one, 'k'), `round ${round}`)
      outcomes.add(binsHere(one, 'k'))
    }
    // The rounds end in many different records, not all in a delete.
    assert.ok(outcomes.size > 100, `${outcomes.size} different outcomes`)
  })

  it('without ship-bin-luts a shipped write still stamps the bins it writes with its own version', () => {
    const ns = makeNamespace((c) => { c.conflictResolveWrites = true })
    const lut = encodeShippedVersion(stamp(5_000, 3))
    const body = encodeMessage({ ...emptyHeader(), info1: Info1.XDR, info2: Info2.WRITE }, [...keyFields('k'), { type: FieldType.LUT, data: lut }], [int('a', 1)])
    const result = dispatchMessage(decodeMessage(body), commandsOf(ns))
    assert.ok('reply' in result)
    assert.deepEqual(versionsHere(ns, 'k').versions?.bins.get('a'), stamp(5_000, 3))
    run(ns, { info2: Info2.WRITE }, 'k', [int('b', 2)])
    assert.equal(versionsHere(ns, 'k').versions?.bins.size, 2)
  })
})

describe('bin versions in storage and between nodes', () => {
  it('survive a crash of a file namespace (compressed too), with the bin versions a deleted record keeps', async () => {
    const { dir, cleanup } = tempDir()
    try {
      for (const compression of ['none', 'lz4'] as const) {
        const config = deviceConfig([join(dir, `${compression}.dat`)], (s) => { s.compression = compression })
        config.conflictResolveWrites = true
        let ns = await openNamespace(config)
        put(ns, 'live', [int('a', 1), int('b', 2)])
        shipBins(ns, 'live', stamp(5_000, 2), undefined, [['c', 3, stamp(5_000, 2)]])
        shipBins(ns, 'gone', stamp(5_000, 2), undefined, [['a', 1, stamp(5_000, 2)], ['b', 1, stamp(5_001, 2)]])
        shipBins(ns, 'gone', stamp(6_000, 3), undefined, [['a', null, stamp(6_000, 3)], ['b', null, stamp(5_500, 3)]])
        assert.equal(binsHere(ns, 'gone'), undefined)
        const before = versionsHere(ns, 'live').versions
        await ns.flusher!.flushAll()
        crash(ns)
        ns = await openNamespace(config)
        assert.equal(ns.restoreReport?.mode, 'cold')
        assert.equal(binsHere(ns, 'live'), 'a=1 b=2 c=3')
        assert.deepEqual(versionsHere(ns, 'live').versions, before)
        // The deleted record kept each bin's removal: b's (5_500) loses to 5_600 where a's (6_000) wins.
        const digest = keyFields('gone')[2]!.data
        assert.deepEqual(ns.tombstones.binVersionsOf(partitionId(digest), digest)?.bins, new Map([['a', stamp(6_000, 3)], ['b', stamp(5_500, 3)]]))
        // A later shipped delete replaces the tombstone and keeps what it knew of older versions on disk.
        const olderSeq = ns.tombstones.olderSeqOf(partitionId(digest), digest)
        assert.ok(olderSeq > 0)
        assert.equal(shipDelete(ns, 'gone', stamp(5_550, 1)), ResultCode.OK)
        assert.equal(ns.tombstones.olderSeqOf(partitionId(digest), digest), olderSeq)
        assert.equal(shipBins(ns, 'gone', stamp(5_600, 1), undefined, [['a', 9, stamp(5_600, 1)]]), ResultCode.LOST_CONFLICT)
        assert.equal(shipBins(ns, 'gone', stamp(5_600, 1), undefined, [['b', 9, stamp(5_600, 1)]]), ResultCode.OK)
        assert.equal(binsHere(ns, 'gone'), 'b=9')
        // A shipped removal of its last bin deletes it again, as a cemetery.
        assert.equal(shipBins(ns, 'gone', stamp(7_000, 1), undefined, [['b', null, stamp(7_000, 1)]]), ResultCode.OK)
        const cemetery = ns.tombstones.binVersionsOf(partitionId(digest), digest)
        assert.deepEqual(cemetery, { floor: stamp(5_550, 1), bins: new Map([['a', stamp(6_000, 3)], ['b', stamp(7_000, 1)]]) })
        await ns.close(memoryLogger().log)
        // A clean shutdown restarts from the index snapshot: the cemetery is found again.
        ns = await openNamespace(config)
        assert.equal(ns.restoreReport?.mode, 'fast')
        assert.deepEqual(ns.tombstones.binVersionsOf(partitionId(digest), digest), cemetery)
        await ns.close(memoryLogger().log)
      }
    } finally {
      cleanup()
    }
  })

  it('a deleted record\'s bin versions travel with its delete between nodes; a malformed section is refused', () => {
    const versions = { floor: stamp(100, 1), bins: new Map([['a', stamp(120, 2)], ['bé', stamp(130, 3)]]) }
    const record = { digest: Buffer.alloc(20, 7), setName: 's', generation: 3, lastUpdateMs: 130, voidTime: 0, bytes: undefined, binVersions: versions }
    const encoded = encodeRemoteRecord('test', record)
    assert.deepEqual(decodeRemoteRecord(encoded).record, record)
    const plain = { ...record, binVersions: undefined }
    delete plain.binVersions
    assert.deepEqual(decodeRemoteRecord(encodeRemoteRecord('test', plain)).record, plain)
    // The section's own length says 200 bytes: more than it has.
    const at = encoded.length - binVersionsBytes(versions)
    encoded.writeUInt32LE(200, at)
    assert.throws(() => decodeRemoteRecord(encoded), /malformed bin versions/)
  })
})
