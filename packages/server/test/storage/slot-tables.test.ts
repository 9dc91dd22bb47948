import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { limits } from '../../src/limits.ts'
import { SlotTables } from '../../src/storage/slot-tables.ts'

describe('SlotTables', () => {
  it('carves zeroed, disjoint tables of one size out of shared buffers', () => {
    const tables = new SlotTables()
    const count = limits.slotTablesPerChunk * 3 + 1
    const given = Array.from({ length: count }, () => tables.allocate(32))
    given.forEach((table, i) => {
      assert.equal(table.length, 32)
      assert.ok(table.every((slot) => slot === 0))
      table.fill(i + 1)
    })
    given.forEach((table, i) => assert.ok(table.every((slot) => slot === i + 1), `table ${i} was written by another`))
    assert.equal(new Set(given.map((table) => table.buffer)).size, 4)
    assert.equal(tables.reservedBytes, 4 * limits.slotTablesPerChunk * 32 * 4)
  })

  it('hands a freed table out again, zeroed, without reserving more', () => {
    const tables = new SlotTables()
    const kept = tables.allocate(64)
    const freed = tables.allocate(64)
    freed.fill(7)
    kept.fill(9)
    const reserved = tables.reservedBytes
    tables.free(freed)
    const again = tables.allocate(64)
    assert.equal(again.byteOffset, freed.byteOffset)
    assert.ok(again.every((slot) => slot === 0))
    assert.ok(kept.every((slot) => slot === 9))
    assert.equal(tables.reservedBytes, reserved)
  })

  it('drops a chunk once all its tables are free, as when every partition has grown past a size', () => {
    const tables = new SlotTables()
    const small = Array.from({ length: 100 }, () => tables.allocate(16))
    const grown = small.map(() => tables.allocate(32))
    for (const table of small) tables.free(table)
    assert.equal(tables.reservedBytes, 2 * limits.slotTablesPerChunk * 32 * 4)
    for (const table of grown) tables.free(table)
    assert.equal(tables.reservedBytes, 0)
  })

  it('puts fewer large tables in a chunk, at least one', () => {
    const tables = new SlotTables()
    const huge = limits.maxSlotChunkBytes / 4 * 2
    const a = tables.allocate(huge)
    const b = tables.allocate(huge)
    assert.notEqual(a.buffer, b.buffer)
    assert.equal(tables.reservedBytes, 2 * huge * 4)
    const large = limits.maxSlotChunkBytes / 4 / 4
    const parts = Array.from({ length: 5 }, () => tables.allocate(large))
    assert.equal(new Set(parts.map((table) => table.buffer)).size, 2)
  })

  it('refuses a table it did not give out', () => {
    assert.throws(() => new SlotTables().free(new Int32Array(16)), /did not give out/)
  })
})
