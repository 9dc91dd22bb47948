// How many partitions a node migrates at once: outgoing ones follow migrate-threads (0 pauses them),
// incoming ones are bounded by migrate-max-num-incoming, and a sender a receiver refuses waits and
// tries again instead of failing the migration.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { IncomingMigrations } from '../../src/cluster/incoming-migrations.ts'
import { INCOMING_FULL, MigrationRefusedError, type PartitionRef } from '../../src/cluster/migration.ts'
import { OutgoingMigrations } from '../../src/cluster/outgoing-migrations.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { limits } from '../../src/limits.ts'
import { memoryLogger } from '../storage/harness.ts'

/** A send the test finishes by hand. */
interface Pending {
  to: string
  pid: number
  resolve: () => void
  reject: (err: Error) => void
}

function harness(capacity: () => number) {
  const env = manualEnv()
  const { log, lines } = memoryLogger()
  const outgoing = new OutgoingMigrations(env.scheduler, log, capacity)
  const pending: Pending[] = []
  const sent: number[] = []
  const add = (to: string, pid: number): void => outgoing.add({
    ns: 'test',
    to,
    send: () => new Promise<void>((resolve, reject) => {
      pending.push({ to, pid, resolve: () => { sent.push(pid); resolve() }, reject })
    }),
  })
  const finish = async (pid: number, err?: Error): Promise<void> => {
    const i = pending.findIndex((p) => p.pid === pid)
    const [p] = pending.splice(i, 1)
    if (err === undefined) p!.resolve()
    else p!.reject(err)
    await env.scheduler.drain()
  }
  return { env, outgoing, pending, sent, add, finish, lines }
}

describe('outgoing migrations', () => {
  it('sends at most capacity() partitions at once, taking receivers in turn', async () => {
    const h = harness(() => 2)
    for (let pid = 0; pid < 3; pid++) h.add('B', pid)
    h.add('C', 10)
    h.outgoing.run()
    assert.deepEqual(h.pending.map((p) => `${p.to}${p.pid}`), ['B0', 'C10'])
    assert.equal(h.outgoing.active('test'), 2)
    assert.equal(h.outgoing.remaining('test'), 4)
    await h.finish(10)
    assert.deepEqual(h.pending.map((p) => `${p.to}${p.pid}`), ['B0', 'B1'])
    assert.equal(h.outgoing.remaining(), 3)
  })

  it('capacity 0 pauses them; raising it resumes', async () => {
    let capacity = 0
    const h = harness(() => capacity)
    h.add('B', 1)
    h.outgoing.run()
    assert.equal(h.pending.length, 0)
    assert.equal(h.outgoing.remaining('test'), 1)
    capacity = limits.migrationsPerThread
    h.outgoing.run()
    await h.finish(1)
    assert.deepEqual(h.sent, [1])
    assert.equal(h.outgoing.remaining(), 0)
  })

  it('a receiver that refuses is left alone for the retry wait, its partition first again; nothing is logged for a full receiver', async () => {
    const h = harness(() => 1)
    h.add('B', 1)
    h.add('B', 2)
    h.outgoing.run()
    await h.finish(1, new MigrationRefusedError('B', INCOMING_FULL))
    assert.equal(h.pending.length, 0, 'B rests: not asked for its next partition at once')
    assert.equal(h.outgoing.remaining(), 2, 'the refused partition still waits to be sent')
    await h.env.scheduler.advance(limits.migrationRetryMs)
    assert.deepEqual(h.pending.map((p) => p.pid), [1])
    await h.finish(1)
    await h.finish(2)
    assert.deepEqual(h.sent, [1, 2])
    assert.equal(h.lines.filter((l) => l.msg === 'migration stopped; retrying').length, 0)
  })

  it('a receiver that refused is asked again as soon as a partition sent to it finishes (its slot is free)', async () => {
    const h = harness(() => 2)
    h.add('B', 1)
    h.add('B', 2)
    h.add('B', 3)
    h.outgoing.run()
    await h.finish(2, new MigrationRefusedError('B', INCOMING_FULL))
    assert.deepEqual(h.pending.map((p) => p.pid), [1], 'B rests')
    await h.finish(1)
    assert.deepEqual(h.pending.map((p) => p.pid), [2, 3], 'no wait: the refused partition goes first')
  })

  it('other receivers go on while one rests', async () => {
    const h = harness(() => 1)
    h.add('B', 1)
    h.add('C', 2)
    h.outgoing.run()
    await h.finish(1, new Error('B\'s plan is not ready'))
    assert.deepEqual(h.pending.map((p) => p.pid), [2])
    assert.equal(h.lines.filter((l) => l.msg === 'migration stopped; retrying').length, 1)
  })

  it('clear() forgets what was queued; a send of the former view that fails is not retried', async () => {
    const h = harness(() => 1)
    h.add('B', 1)
    h.add('B', 2)
    h.outgoing.run()
    h.outgoing.clear()
    assert.equal(h.outgoing.remaining(), 0)
    await h.finish(1, new Error('the view changed'))
    await h.env.scheduler.advance(limits.migrationRetryMs * 2)
    assert.equal(h.pending.length, 0)
  })
})

describe('incoming migrations', () => {
  const ref = (pid: number): PartitionRef => ({ namespace: 'test', pid, kind: 'fill' })

  it('admits up to capacity() partitions; one already admitted stays admitted; the next waits for a freed slot, in order', async () => {
    let capacity = 2
    const incoming = new IncomingMigrations(() => capacity)
    assert.equal(incoming.admit(ref(1), 'A'), true)
    assert.equal(incoming.admit(ref(2), 'A'), true)
    const third = incoming.admit(ref(3), 'A')
    const fourth = incoming.admit(ref(4), 'B')
    assert.ok(third instanceof Promise && fourth instanceof Promise, 'past capacity a partition waits')
    assert.equal(incoming.admit(ref(1), 'A'), true, 'the next batch of a partition being received')
    assert.equal(incoming.active('test'), 2)
    const admitted: number[] = []
    void third.then((ok) => ok && admitted.push(3))
    void fourth.then((ok) => ok && admitted.push(4))
    incoming.finish(ref(1), 'A')
    await Promise.resolve()
    assert.deepEqual(admitted, [3], 'the first to wait takes the freed slot')
    capacity = 3
    incoming.admitWaiting()
    await Promise.resolve()
    assert.deepEqual(admitted, [3, 4], 'a larger capacity admits the next')
  })

  it('a bounded number wait; past it, and at capacity 0, a partition is refused; clear() turns the waiting away', async () => {
    let capacity = 1
    const incoming = new IncomingMigrations(() => capacity)
    assert.equal(incoming.admit(ref(0), 'A'), true)
    const waiting = Array.from({ length: limits.migrationsWaitingForSlot }, (_, i) => incoming.admit(ref(i + 1), 'A'))
    assert.ok(waiting.every((w) => w instanceof Promise))
    assert.equal(incoming.admit(ref(999), 'A'), false, 'too many wait already')
    incoming.clear()
    assert.deepEqual(await Promise.all(waiting), waiting.map(() => false))
    assert.equal(incoming.active('test'), 0)
    capacity = 0
    const none = incoming.admit(ref(5), 'A')
    assert.ok(none instanceof Promise, 'capacity 0 takes nothing new (the partition waits for a raise)')
  })
})
