import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { NameCache, sameBytes } from '../src/name-cache.ts'

describe('NameCache', () => {
  it('decodes names as UTF-8, and the same bytes again to the same string', () => {
    const cache = new NameCache(4)
    assert.equal(cache.decode(Buffer.from('test')), 'test')
    assert.equal(cache.decode(Buffer.from('tést')), 'tést')
    assert.equal(cache.decode(Buffer.from('test')), 'test')
    assert.equal(cache.decode(Buffer.from('tes')), 'tes')
    assert.equal(cache.decode(Buffer.alloc(0)), '')
  })

  it('decodes a range of a buffer', () => {
    const cache = new NameCache(4)
    const record = Buffer.from('..bin1..bin2')
    assert.equal(cache.decode(record, 2, 6), 'bin1')
    assert.equal(cache.decode(record, 8, 12), 'bin2')
    assert.equal(cache.decode(record, 2, 6), 'bin1')
    assert.equal(cache.decode(record, 2, 5), 'bin')
  })

  it('keeps a copy of the bytes: a reused read buffer does not change a name already seen', () => {
    const cache = new NameCache(4)
    const read = Buffer.from('xxusersxx')
    assert.equal(cache.decode(read.subarray(2, 7)), 'users')
    read.write('other', 2)
    assert.equal(cache.decode(read.subarray(2, 7)), 'other')
    assert.equal(cache.decode(Buffer.from('users')), 'users')
  })

  it('stays right past its slots, with names evicted and decoded again', () => {
    const cache = new NameCache(4)
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 20; i++) assert.equal(cache.decode(Buffer.from(`set-${i}`)), `set-${i}`)
    }
  })

  it('gives the bytes of a name it holds, and nothing once the name is evicted', () => {
    const cache = new NameCache(2)
    cache.decode(Buffer.from('größe'))
    assert.deepEqual(Buffer.from(cache.bytesOf('größe')!), Buffer.from('größe'))
    assert.equal(cache.bytesOf('other'), undefined)
    cache.decode(Buffer.from('a'))
    cache.decode(Buffer.from('b'))
    assert.equal(cache.bytesOf('größe'), undefined)
  })

  it('sameBytes compares length and bytes', () => {
    assert.equal(sameBytes(Buffer.from('test'), Buffer.from('test')), true)
    assert.equal(sameBytes(Buffer.from('test'), Buffer.from('tesT')), false)
    assert.equal(sameBytes(Buffer.from('test'), Buffer.from('tests')), false)
    assert.equal(sameBytes(Buffer.alloc(0), Buffer.alloc(0)), true)
  })
})
