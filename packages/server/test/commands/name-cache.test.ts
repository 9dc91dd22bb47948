import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { NameCache } from '../../src/commands/name-cache.ts'

describe('NameCache', () => {
  it('decodes names as UTF-8, and the same bytes again to the same string', () => {
    const cache = new NameCache()
    assert.equal(cache.decode(Buffer.from('test')), 'test')
    assert.equal(cache.decode(Buffer.from('tést')), 'tést')
    assert.equal(cache.decode(Buffer.from('test')), 'test')
    assert.equal(cache.decode(Buffer.from('tes')), 'tes')
    assert.equal(cache.decode(Buffer.alloc(0)), '')
  })

  it('keeps a copy of the bytes: a reused read buffer does not change a name already seen', () => {
    const cache = new NameCache()
    const read = Buffer.from('xxusersxx')
    assert.equal(cache.decode(read.subarray(2, 7)), 'users')
    read.write('other', 2)
    assert.equal(cache.decode(read.subarray(2, 7)), 'other')
    assert.equal(cache.decode(Buffer.from('users')), 'users')
  })

  it('stays right past its slots, with names evicted and decoded again', () => {
    const cache = new NameCache()
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) assert.equal(cache.decode(Buffer.from(`set-${i}`)), `set-${i}`)
    }
  })
})
