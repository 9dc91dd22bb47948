import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { BLOCK_HEADER_BYTES, readBlockSeq } from '../../src/storage/block-format.ts'
import { WriteBlocks } from '../../src/storage/write-blocks.ts'

const H = BLOCK_HEADER_BYTES

describe('WriteBlocks', () => {
  it('appends records contiguously after the block header and opens a new block when one is full', () => {
    const blocks = new WriteBlocks(1024)
    const a = blocks.reserve(400)
    const b = blocks.reserve(400)
    const c = blocks.reserve(400)
    assert.deepEqual([a, b, c], [{ block: 0, offset: H }, { block: 0, offset: H + 400 }, { block: 1, offset: H }])
    assert.equal(blocks.fillOf(0), H + 800)
    assert.equal(blocks.liveBytes, 1200)
    assert.equal(blocks.blocksInUse, 2)
  })

  it('numbers blocks in the order they are opened, in their headers', () => {
    const blocks = new WriteBlocks(1024)
    blocks.reserve(900)
    blocks.reserve(900)
    assert.equal(readBlockSeq(blocks.buffer(0), 0), 1)
    assert.equal(readBlockSeq(blocks.buffer(1), 0), 2)
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
    assert.equal(blocks.seqOf(0), 3)
  })

  it('never frees the block being written', () => {
    const blocks = new WriteBlocks(1024)
    blocks.reserve(100)
    blocks.release(0, 100)
    assert.equal(blocks.isAllocated(0), true)
    assert.deepEqual(blocks.reserve(100), { block: 0, offset: H + 100 })
  })

  it('lists sparse blocks under the low-water mark, except the current one', () => {
    const blocks = new WriteBlocks(1000)
    for (let i = 0; i < 3; i++) blocks.reserve(490)
    blocks.release(0, 490) // block 0 at 49%
    assert.deepEqual(blocks.sparseBlocks(49), [])
    assert.deepEqual(blocks.sparseBlocks(50), [0])
  })

  it('refuses a record larger than a block', () => {
    assert.throws(() => new WriteBlocks(1024).reserve(1024 - H + 1), RangeError)
  })

  it('refuses to open a block past its capacity with SERVER_FULL', () => {
    const blocks = new WriteBlocks(1024, { capacityBlocks: 2 })
    blocks.reserve(900)
    blocks.reserve(900)
    assert.throws(() => blocks.reserve(900), (err: Error & { resultCode?: number }) => err.resultCode === 8)
    assert.equal(blocks.blocksInUse, 2)
  })

  it('cuts the memory engine\'s buffers from one untracked arena, sized to its capacity', () => {
    const blocks = new WriteBlocks(1024, { capacityBlocks: 3 })
    for (let i = 0; i < 3; i++) blocks.reserve(900)
    const arena = blocks.buffer(0).buffer
    assert.ok(arena instanceof SharedArrayBuffer)
    assert.equal(arena.byteLength, 3 * 1024)
    assert.deepEqual([0, 1, 2].map((b) => [blocks.buffer(b).buffer === arena, blocks.buffer(b).byteOffset]), [[true, 0], [true, 1024], [true, 2048]])
  })

  it('gives freed blocks\' buffers to the next blocks instead of taking new memory', () => {
    const blocks = new WriteBlocks(1024, { capacityBlocks: 8 })
    for (let i = 0; i < 8; i++) blocks.reserve(900)
    const arena = blocks.buffer(0).buffer
    for (let b = 0; b < 7; b++) blocks.release(b, 900) // block 7 is current: it stays
    for (let i = 0; i < 7; i++) blocks.reserve(900)
    assert.equal(blocks.blocksInUse, 8)
    assert.ok([0, 1, 2, 3, 4, 5, 6].every((b) => blocks.buffer(b).buffer === arena))
  })

  it('gives the device engine buffers the collector sees, one per block', () => {
    const blocks = new WriteBlocks(1024, { dataInMemory: false })
    const [a, b] = [blocks.takeBuffer(), blocks.takeBuffer()]
    assert.ok(a.buffer instanceof ArrayBuffer && b.buffer instanceof ArrayBuffer)
    assert.notEqual(a.buffer, b.buffer)
  })
})
