// How far each partition shipped: the master's points from its queue, the points other members
// tell it, the partitions it newly masters, and the fabric message that carries them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ShipQueue } from '../../src/xdr/ship-queue.ts'
import { ShippedPoints } from '../../src/xdr/shipped-points.ts'
import { decodeShippedPoints, encodeShippedPoints } from '../../src/xdr/shipped-points-message.ts'

const never = (): boolean => false
const digest = (n: number): Buffer => Buffer.alloc(20, n)

test('a mastered partition has shipped up to its oldest change not shipped yet, waiting or in flight; otherwise up to now', () => {
  const points = new ShippedPoints(100)
  points.trustInitial()
  assert.deepEqual(points.follow((pid) => pid < 3, never, 0, 3000), { takeOver: [[0, 100], [1, 100], [2, 100]], handedOver: [] })
  assert.deepEqual(points.follow((pid) => pid < 3, never, 0, 3000), { takeOver: [], handedOver: [] }, 'asked again, nothing is new')
  const queue = new ShipQueue(10)
  queue.note(digest(1), 0, 0, 500)
  queue.note(digest(2), 0, 0, 400)
  queue.note(digest(3), 1, 0, 700)
  queue.note(digest(4), 5, 0, 200)
  points.refresh(queue, 1000)
  assert.deepEqual(points.own(), [[0, 400], [1, 700], [2, 1000]])
  assert.equal(points.pointOf(5), 100, 'a partition mastered elsewhere keeps what it was told')
  // Taken and sent, not answered yet: still not shipped.
  const [first] = queue.take(1, 0, 0, 0)
  assert.equal(first!.lastUpdateMs, 500)
  const taken = queue.take(1, 0, 0, 0)
  points.refresh(queue, 1000)
  assert.equal(points.pointOf(0), 400)
  queue.settle(taken[0]!)
  points.refresh(queue, 1000)
  assert.equal(points.pointOf(0), 500)
  queue.retry(first!)
  queue.settle(first!)
  points.refresh(queue, 1000)
  assert.equal(points.pointOf(0), 500, 'a change put back waits again')
})

test('changes a full queue dropped hold every mastered partition at the oldest of them', () => {
  const points = new ShippedPoints(0)
  points.trustInitial()
  points.follow((pid) => pid === 7 || pid === 8, never, 0, 3000)
  const queue = new ShipQueue(1)
  queue.note(digest(1), 7, 0, 900)
  assert.equal(queue.note(digest(2), 9, 0, 300), false)
  points.refresh(queue, 1000)
  assert.deepEqual(points.own(), [[7, 300], [8, 300]])
  assert.equal(points.lowest(), 0)
})

test('a handed-over partition is reported with its point; the new master takes it over from the point it is told', () => {
  const queue = new ShipQueue(10)
  const old = new ShippedPoints(0)
  old.trustInitial()
  old.follow((pid) => pid === 1 || pid === 2, never, 0, 3000)
  queue.note(digest(1), 2, 0, 250)
  // The new master started after the write (its initial point is later), knowing nothing.
  const next = new ShippedPoints(5000)
  assert.deepEqual(next.follow((pid) => pid === 2, never, 10, 3000), { takeOver: [], handedOver: [] }, 'it waits to be told')
  next.refresh(queue, 6000)
  assert.deepEqual(next.own(), [], 'a partition not taken over yet is not its own to tell')
  const { handedOver } = old.follow((pid) => pid === 1, never, 20, 3000)
  assert.deepEqual(handedOver, [2])
  old.refresh(queue, 1000, handedOver)
  const told = old.own(handedOver)
  assert.deepEqual(told, [[1, 1000], [2, 250]])
  for (const [pid, ms] of told) next.received(pid, ms)
  assert.deepEqual(next.follow((pid) => pid === 2, never, 30, 3000).takeOver, [[2, 250]])
  next.received(2, 9999)
  assert.equal(next.pointOf(2), 250, 'once taken over, its own point counts')
  assert.equal(next.pointOf(1), 1000)
})

test('a new master never told a partition\'s point ships the whole partition after the wait, and tells no point of it before', () => {
  const points = new ShippedPoints(5000)
  assert.deepEqual(points.follow((pid) => pid === 8, never, 0, 3000), { takeOver: [], handedOver: [] })
  assert.deepEqual(points.follow(() => false, never, 1, 3000), { takeOver: [], handedOver: [] }, 'handed over while waiting: its queue knows nothing of it')
  assert.deepEqual(points.follow((pid) => pid === 9, never, 0, 3000).takeOver, [])
  assert.deepEqual(points.follow((pid) => pid === 9, never, 2999, 3000).takeOver, [])
  assert.deepEqual(points.follow((pid) => pid === 9, never, 3000, 3000).takeOver, [[9, 0]])
  assert.deepEqual(points.follow((pid) => pid === 9 || pid === 10, (pid) => pid === 10, 3001, 3000).takeOver, [[10, 0]], 'an empty partition is taken over at once')
  points.reset(3)
  assert.equal(points.lowest(), 3)
})

test('the shipped-points message round-trips and names what is wrong with a bad one', () => {
  const entries = [
    { dc: 'dc2', namespace: 'test', points: [[0, 1_796_000_000_123], [4095, 1.5]] as Array<[number, number]> },
    { dc: 'région', namespace: 'other', points: [] },
  ]
  const payload = encodeShippedPoints(entries)
  assert.deepEqual(decodeShippedPoints(payload), entries)
  assert.deepEqual(decodeShippedPoints(Buffer.alloc(0)), [])
  assert.throws(() => decodeShippedPoints(payload.subarray(0, payload.length - 1)), /ends inside an entry/)
  const bad = Buffer.from(payload)
  bad.writeUInt16BE(4096, 1 + 3 + 1 + 4 + 2)
  assert.throws(() => decodeShippedPoints(bad), /partition 4096 is not below 4096/)
})
