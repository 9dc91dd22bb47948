import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { replyBuffer } from '../../src/commands/reply-buffer.ts'

describe('replyBuffer', () => {
  it('cuts consecutive replies from one pool, 8-byte aligned and disjoint', () => {
    const replies = [30, 1100, 1, 500].map((bytes, i) => replyBuffer(bytes).fill(i + 1))
    const pool = replies[0]!.buffer
    const fresh = replies.filter((r) => r.buffer === pool)
    // A pool may run out at most once in four small replies.
    assert.ok(fresh.length >= 3)
    for (const r of replies) assert.equal(r.byteOffset % 8, 0)
    replies.forEach((r, i) => assert.ok(r.every((byte) => byte === i + 1), `reply ${i} was overwritten`))
  })

  it('starts a new pool when one is used up, leaving the replies of the old one intact', () => {
    const first = replyBuffer(4000).fill(7)
    const later: Buffer[] = []
    for (let i = 0; i < 40; i++) later.push(replyBuffer(4000).fill(9))
    assert.ok(later.some((r) => r.buffer !== first.buffer))
    assert.ok(first.every((byte) => byte === 7))
  })

  it('gives a large reply memory of its own', () => {
    const large = replyBuffer(100_000)
    assert.equal(large.length, 100_000)
    assert.equal(large.buffer.byteLength >= 100_000, true)
    assert.notEqual(large.buffer, replyBuffer(10).buffer)
  })
})
