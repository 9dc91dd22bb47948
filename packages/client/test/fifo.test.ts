import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { Fifo } from '../src/fifo.ts'

test('Fifo behaves like an array queue under any mix of pushes and shifts', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 500 }), (script) => {
    const fifo = new Fifo<number>()
    const model: number[] = []
    for (const step of script) {
      if (step === null) assert.equal(fifo.shift(), model.shift())
      else {
        fifo.push(step)
        model.push(step)
      }
      assert.equal(fifo.length, model.length)
    }
    assert.deepEqual(fifo.drain(), model)
    assert.equal(fifo.length, 0)
  }), { interruptAfterTimeLimit: 2000 })
})
