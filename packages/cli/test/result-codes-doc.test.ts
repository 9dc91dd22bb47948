// docs/result-codes.md documents every result code the protocol package knows, with its name,
// what it means and what to do. A code added to result-codes.ts without a row here fails.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { allResultCodes } from '@aerolite/protocol'

const DOC = fileURLToPath(new URL('../../../docs/result-codes.md', import.meta.url))

interface Row {
  code: number
  name: string
  meaning: string
  action: string
  line: number
}

/** Table rows whose first cell is a number: | code | `NAME` | meaning | what to do | */
function readRows(text: string): Row[] {
  const rows: Row[] = []
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim()
    if (!line.startsWith('|')) continue
    const cells = line.slice(1, line.endsWith('|') ? -1 : undefined).split('|').map((c) => c.trim())
    if (!/^\d+$/.test(cells[0] ?? '')) continue
    assert.equal(cells.length, 4, `docs/result-codes.md line ${index + 1} has ${cells.length} cells, expected 4: ${line}`)
    rows.push({ code: Number(cells[0]), name: cells[1]!.replace(/`/g, ''), meaning: cells[2]!, action: cells[3]!, line: index + 1 })
  }
  return rows
}

const rows = readRows(readFileSync(DOC, 'utf8'))
const byCode = new Map(rows.map((r) => [r.code, r]))

describe('docs/result-codes.md', () => {
  test('has a table row for every code of allResultCodes(), with its name', () => {
    const missing: string[] = []
    for (const { code, name } of allResultCodes()) {
      const row = byCode.get(code)
      if (row === undefined) missing.push(`${code} ${name} (no row)`)
      else if (row.name !== name) missing.push(`${code}: the row says ${row.name}, the code says ${name} (line ${row.line})`)
    }
    assert.deepEqual(missing, [], `document these result codes in docs/result-codes.md:\n${missing.join('\n')}`)
  })

  test('lists no code that allResultCodes() does not know, and none twice', () => {
    const known = new Set(allResultCodes().map((c) => c.code))
    assert.deepEqual(rows.filter((r) => !known.has(r.code)).map((r) => r.code), [])
    assert.equal(byCode.size, rows.length, 'a code appears in two rows')
  })

  test('rows are in ascending code order', () => {
    const codes = rows.map((r) => r.code)
    assert.deepEqual(codes, [...codes].sort((a, b) => a - b))
  })

  test('every row says what the code means and what to do', () => {
    for (const row of rows) {
      assert.ok(row.meaning.length >= 10, `meaning of ${row.code} ${row.name} (line ${row.line})`)
      assert.ok(row.action.length >= 5, `what to do for ${row.code} ${row.name} (line ${row.line})`)
    }
  })
})
