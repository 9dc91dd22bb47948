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
