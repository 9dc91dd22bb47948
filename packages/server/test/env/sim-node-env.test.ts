// A simulated node's Env: its clock may run skewed (offset and rate) against simulated time, its
// timers follow its own clock, and halting it (a crash) silences every timer it had or asks for.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { manualEnv } from '../../src/env/manual-env.ts'
import { MemoryDisk } from '../../src/env/memory-disk.ts'
import { SimNetwork } from '../../src/env/sim-network.ts'
import { simNodeEnv } from '../../src/env/sim-node-env.ts'

function setup(skew?: { wallOffsetMs: number; rate: number }) {
  const shared = manualEnv({ seed: 3 })
  const node = simNodeEnv(shared, { disk: new MemoryDisk(shared.scheduler), network: new SimNetwork(shared).forHost('10.0.0.1'), skew })
  return { shared, node }
}

test('a skewed node clock runs at its rate from its offset, and its timers follow it', async () => {
  const { shared, node } = setup({ wallOffsetMs: 5000, rate: 1.25 })
  assert.equal(node.clock.nowMs(), shared.clock.nowMs() + 5000)
  const fired: number[] = []
  node.scheduler.after(125, () => fired.push(shared.clock.monotonicMs()))
  const every = node.scheduler.every(50, () => fired.push(shared.clock.monotonicMs()))
  await shared.scheduler.advance(100)
  every.cancel()
  assert.equal(node.clock.monotonicMs(), 125)
  assert.equal(node.clock.nowMs(), shared.clock.nowMs() + 5000 + 25)
  assert.deepEqual(fired, [40, 80, 100], 'every 50 node ms is every 40 simulated ms; 125 node ms is 100')
  assert.throws(() => simNodeEnv(shared, { disk: node.disk, network: node.network, skew: { wallOffsetMs: 0, rate: 0 } }), /rate/)
})

test('halt cancels the node\'s timers and ignores new ones; other nodes go on', async () => {
  const { shared, node } = setup()
  const other = simNodeEnv(shared, { disk: node.disk, network: node.network })
  const fired: string[] = []
  node.scheduler.after(10, () => fired.push('after'))
  node.scheduler.every(10, () => fired.push('every'))
  node.scheduler.soon(() => fired.push('soon'))
  other.scheduler.after(10, () => fired.push('other'))
  node.halt()
  assert.equal(node.halted, true)
  node.scheduler.after(1, () => fired.push('after halt'))
  let yielded = false
  void node.scheduler.yieldTurn().then(() => (yielded = true))
  await shared.scheduler.advance(50)
  assert.deepEqual(fired, ['other'])
  assert.equal(yielded, false, 'a halted node never gets its turn back')
})

test('pause holds the node\'s due work (clocks running) and resume runs it in the order it came due', async () => {
  const { shared, node } = setup()
  const other = simNodeEnv(shared, { disk: node.disk, network: node.network })
  const fired: string[] = []
  const at = (what: string) => () => fired.push(`${what}@${shared.clock.monotonicMs()}`)
  node.scheduler.after(30, at('a30'))
  node.scheduler.after(10, at('a10'))
  const every = node.scheduler.every(15, at('every'))
  const cancelled = node.scheduler.after(20, at('cancelled'))
  node.pause()
  assert.equal(node.paused, true)
  node.scheduler.soon(at('soon'))
  node.scheduler.after(40, at('set-while-paused'))
  other.scheduler.after(25, at('other'))
  await shared.scheduler.advance(60)
  assert.deepEqual(fired, ['other@25'], 'a paused node runs nothing; another node goes on')
  assert.equal(node.clock.monotonicMs(), 60, 'the paused node\'s clock keeps running')
  cancelled.cancel()
  node.resume()
  assert.equal(node.paused, false)
  assert.deepEqual(fired, ['other@25'], 'held work runs on the next turn, not inside resume()')
  await shared.scheduler.drain()
  assert.deepEqual(fired, ['other@25', 'soon@60', 'a10@60', 'every@60', 'a30@60', 'set-while-paused@60'],
    'in the order it came due; the repeating timer once; the cancelled one never')
  await shared.scheduler.advance(15)
  every.cancel()
  assert.deepEqual(fired.slice(6), ['every@75'], 'after resume the node\'s timers keep their schedule')
})

test('a node paused again before its held work ran keeps it held; halt drops it; a factory disk waits with the node', async () => {
  const shared = manualEnv({ seed: 3 })
  const node = simNodeEnv(shared, { disk: (scheduler) => new MemoryDisk(scheduler), network: new SimNetwork(shared).forHost('10.0.0.1') })
  const fired: string[] = []
  node.scheduler.soon(() => fired.push('first'))
  node.pause()
  await shared.scheduler.drain()
  node.resume()
  node.pause()
  await shared.scheduler.drain()
  assert.equal(fired.length, 0, 'paused again before the held work ran: still held')
  const disk = node.disk as MemoryDisk
  disk.mkdir('/d')
  const fd = disk.open('/d/f', 'w')
  disk.write(fd, Buffer.from('x'), 0, 1, 0, (err, n) => fired.push(`write ${err?.code ?? n}`))
  await shared.scheduler.advance(10)
  assert.equal(fired.length, 0, 'a disk call of a paused node does not complete')
  node.resume()
  node.scheduler.soon(() => fired.push('after resume'))
  await shared.scheduler.drain()
  assert.deepEqual(fired, ['first', 'write 1', 'after resume'])
  node.scheduler.after(5, () => fired.push('halted'))
  node.pause()
  await shared.scheduler.advance(10)
  node.halt()
  node.resume()
  await shared.scheduler.advance(10)
  assert.deepEqual(fired, ['first', 'write 1', 'after resume'], 'a halted node runs nothing it held')
})
