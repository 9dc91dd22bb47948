// The manual Env: timers fire in time order only when the test advances time, queued work runs
// only when it drains, and the random source repeats for a seed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MANUAL_EPOCH_MS, ManualClock, ManualScheduler, SeededRandom, manualEnv } from '../../src/env/manual-env.ts'

test('timers fire in time order (ties in the order they were set) and only when time is advanced', async () => {
  const clock = new ManualClock()
  const scheduler = new ManualScheduler(clock)
  const fired: string[] = []
  scheduler.after(30, () => fired.push(`b@${clock.monotonicMs()}`))
  scheduler.after(10, () => fired.push(`a@${clock.monotonicMs()}`))
  scheduler.after(30, () => fired.push(`c@${clock.monotonicMs()}`))
  const cancelled = scheduler.after(20, () => fired.push('cancelled'))
  const every = scheduler.every(25, () => fired.push(`every@${clock.monotonicMs()}`))
  cancelled.cancel()
  await scheduler.drain()
  assert.deepEqual(fired, [])
  await scheduler.advance(50)
  assert.deepEqual(fired, ['a@10', 'every@25', 'b@30', 'c@30', 'every@50'])
  assert.equal(clock.monotonicMs(), 50)
  assert.equal(clock.nowMs(), MANUAL_EPOCH_MS + 50)
  every.cancel()
  await scheduler.advance(100)
  assert.equal(fired.length, 5)
  assert.equal(scheduler.pendingTimers, 0)
})

test('soon and yieldTurn work waits for drain; a timer sees the work it queued run before the next one', async () => {
  const { clock, scheduler } = manualEnv()
  const steps: string[] = []
  scheduler.soon(() => steps.push('soon'))
  const sliced = (async () => {
    for (let i = 0; i < 3; i++) {
      steps.push(`slice ${i}`)
      await scheduler.yieldTurn()
    }
    steps.push('sliced done')
  })()
  assert.deepEqual(steps, ['slice 0'])
  await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(steps, ['slice 0'], 'real turns of the event loop do not run queued work')
  await scheduler.drain()
  await sliced
  assert.deepEqual(steps, ['slice 0', 'soon', 'slice 1', 'slice 2', 'sliced done'])
  scheduler.after(5, () => scheduler.soon(() => steps.push(`queued by timer at ${clock.monotonicMs()}`)))
  scheduler.after(6, () => steps.push('next timer'))
  await scheduler.advance(10)
  assert.deepEqual(steps.slice(-2), ['queued by timer at 5', 'next timer'])
})

test('work off the clock holds simulated time and queued work until it is done, whether it succeeds or fails', async () => {
  const { clock, scheduler } = manualEnv()
  const order: string[] = []
  const realDelay = (what: string, fail: boolean) => () => new Promise<string>((resolve, reject) => {
    setTimeout(() => {
      order.push(`${what}@${clock.monotonicMs()}`)
      if (fail) reject(new Error(what))
      else resolve(what)
    }, 20)
  })
  scheduler.soon(() => order.push('queued'))
  const compiled = scheduler.offClock(realDelay('compiled', false))
  scheduler.after(5, () => {
    order.push('timer@5')
    void scheduler.offClock(realDelay('failed', true)).catch(() => order.push('caught'))
    scheduler.soon(() => order.push('after-failed'))
  })
  await scheduler.advance(10)
  assert.equal(await compiled, 'compiled')
  assert.deepEqual(order, ['compiled@0', 'queued', 'timer@5', 'failed@5', 'caught', 'after-failed'])
  assert.equal(clock.monotonicMs(), 10)
})

test('the wall clock can be skewed without moving monotonic time', () => {
  const clock = new ManualClock(1_000)
  clock.skewWallMs(-500)
  assert.equal(clock.nowMs(), 500)
  assert.equal(clock.monotonicMs(), 0)
  assert.throws(() => clock.moveTo(-1), /cannot go back/)
})

test('a seed gives the same random sequence every time; another seed another one', () => {
  const draw = (seed: number): number[] => {
    const random = new SeededRandom(seed)
    const bytes = new Uint8Array(7)
    random.fill(bytes)
    return [random.float(), random.float(), ...bytes]
  }
  assert.deepEqual(draw(42), draw(42))
  assert.notDeepEqual(draw(42), draw(43))
  const random = new SeededRandom(1)
  let sum = 0
  for (let i = 0; i < 10_000; i++) {
    const x = random.float()
    assert.ok(x >= 0 && x < 1)
    sum += x
  }
  assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02, `mean ${sum / 10_000} is near 0.5`)
})
