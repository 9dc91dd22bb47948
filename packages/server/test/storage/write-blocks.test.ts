import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { WriteBlocks } from '../../src/storage/write-blocks.ts'

describe('WriteBlocks', () => {
  it('appends records contiguously and opens a new block when one is full', () => {
    const blocks = new WriteBlocks(1024)
    const a = blocks.reserve(400)
    const b = blocks.reserve(400)
    const c = blocks.reserve(400)
    assert.deepEqual([a, b, c], [{ block: 0, offset: 0 }, { block: 0, offset: 400 }, { block: 1, offset: 0 }])
    assert.equal(blocks.fillOf(0), 800)
    assert.equal(blocks.liveBytes, 1200)
    assert.equal(blocks.blocksInUse, 2)
  })

  it('frees a block once its last live record is released, and reuses it', () => {
    const blocks = new WriteBlocks(1024)
    blocks.reserve(600)
    blocks.reserve(600) // block 1 is now current
    blocks.release(0, 600)
    assert.equal(blocks.isAllocated(0), false)
    assert.equal(blocks.blocksInUse, 1)
    blocks.reserve(600) // block 1 cannot fit it: the freed block 0 is reused
    assert.equal(blocks.isAllocated(0), true)
    assert.equal(blocks.liveBytes, 1200)
  })

  it('never frees the block being written', () => {
    const blocks = new WriteBlocks(1024)
    blocks.reserve(100)
    blocks.release(0, 100)
    assert.equal(blocks.isAllocated(0), true)
    assert.deepEqual(blocks.reserve(100), { block: 0, offset: 100 })
  })

  it('lists sparse blocks under the low-water mark, except the current one', () => {
    const blocks = new WriteBlocks(1000)
    for (let i = 0; i < 3; i++) blocks.reserve(500)
    blocks.release(0, 500) // block 0 at 50%
    assert.deepEqual(blocks.sparseBlocks(50), [])
    assert.deepEqual(blocks.sparseBlocks(51), [0])
  })

  it('refuses a record larger than a block', () => {
    assert.throws(() => new WriteBlocks(1024).reserve(1025), RangeError)
  })
})
