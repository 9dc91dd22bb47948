import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ResultCode, allResultCodes, resultCodeInfo } from '../src/result-codes.ts'

const REFERENCE = fileURLToPath(new URL('../../../../shared/protocol/aerospike-wire.md', import.meta.url))

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i)

/** Section 5.2 of the reference: server-sent (non-negative) codes. 210..213 are client-only codes. */
const LDAP = range(90, 94)
const SERVER_CODES_WITHOUT_LDAP = [
  ...range(0, 28),
  32,
  ...range(50, 56),
  ...range(60, 66),
  ...range(70, 75),
  ...range(80, 83),
  100,
  ...range(120, 127),
  ...range(150, 152),
  160,
  ...range(200, 206),
]
const SERVER_CODES = [...SERVER_CODES_WITHOUT_LDAP, ...LDAP].sort((a, b) => a - b)

function checkPresent(codes: readonly number[]): void {
  const missing = codes.filter((c) => resultCodeInfo(c) === undefined)
  assert.deepEqual(missing, [], `missing result codes: ${missing.join(', ')}`)
  for (const code of codes) {
    const info = resultCodeInfo(code)!
    assert.equal(info.code, code)
    assert.match(info.name, /^[A-Z][A-Z0-9_]*$/, `name of ${code}`)
    assert.ok(info.message.length > 0, `message of ${code}`)
    assert.equal((ResultCode as Readonly<Record<string, number>>)[info.name], code, `ResultCode.${info.name}`)
  }
}

describe('result code table', () => {
  test('every server-sent code of §5.2 is present with a name and a message (LDAP 90..94 aside)', () => {
    checkPresent(SERVER_CODES_WITHOUT_LDAP)
  })

  // §5.2 lists "90–94 | LDAP errors (server)"; the table in src/result-codes.ts has nothing
  // between 83 and 100.
  test('LDAP codes 90..94 are present', () => {
    checkPresent(LDAP)
  })

  test('the expected list matches the reference document (when available)', { skip: existsSync(REFERENCE) ? false : `reference not found at ${REFERENCE}` }, () => {
    const text = readFileSync(REFERENCE, 'utf8')
    const start = text.indexOf('### 5.2 Result codes')
    const end = text.indexOf('Client-only (negative) codes', start)
    assert.ok(start >= 0 && end > start, 'section 5.2 not found')
    const codes: number[] = []
    for (const line of text.slice(start, end).split('\n')) {
      const m = /^\|\s*(\d+)(?:\s*[–-]\s*(\d+))?\s*\|([^|]*)\|([^|]*)\|/.exec(line)
      if (!m) continue
      if (/client codes; the server does not use them/.test(m[4]!)) continue
      const from = Number(m[1])
      const to = m[2] === undefined ? from : Number(m[2])
      codes.push(...range(from, to))
    }
    assert.deepEqual(codes.sort((a, b) => a - b), SERVER_CODES)
  })

  test('names are unique, codes are unique', () => {
    const all = allResultCodes()
    assert.equal(new Set(all.map((c) => c.name)).size, all.length)
    assert.equal(new Set(all.map((c) => c.code)).size, all.length)
  })

  test('no negative (client-only) codes and no code above 255 (one byte on the wire)', () => {
    for (const c of allResultCodes()) assert.ok(c.code >= 0 && c.code <= 255, `code ${c.code}`)
    for (const code of [-1, -3, -8, -15, -16]) assert.equal(resultCodeInfo(code), undefined)
  })

  test('client-only codes 210..213 and unused numbers are absent', () => {
    for (const code of [29, 30, 31, 33, 49, 57, 99, 101, 119, 128, 153, 161, 207, 210, 211, 212, 213, 255]) {
      assert.equal(resultCodeInfo(code), undefined, `code ${code}`)
    }
  })

  test('allResultCodes is in ascending code order and equals the lookup', () => {
    const all = allResultCodes()
    const codes = all.map((c) => c.code)
    assert.deepEqual(codes, [...codes].sort((a, b) => a - b))
    for (const c of all) assert.deepEqual(resultCodeInfo(c.code), c)
  })

  test('ResultCode constants used by the server', () => {
    assert.equal(ResultCode.OK, 0)
    assert.equal(ResultCode.SERVER_ERROR, 1)
    assert.equal(ResultCode.RECORD_NOT_FOUND, 2)
    assert.equal(ResultCode.GENERATION_ERROR, 3)
    assert.equal(ResultCode.PARAMETER_ERROR, 4)
    assert.equal(ResultCode.RECORD_EXISTS, 5)
    assert.equal(ResultCode.SERVER_FULL, 8)
    assert.equal(ResultCode.TIMEOUT, 9)
    assert.equal(ResultCode.BIN_TYPE_ERROR, 12)
    assert.equal(ResultCode.RECORD_TOO_BIG, 13)
    assert.equal(ResultCode.KEY_BUSY, 14)
    assert.equal(ResultCode.UNSUPPORTED_FEATURE, 16)
    assert.equal(ResultCode.KEY_MISMATCH, 19)
    assert.equal(ResultCode.NAMESPACE_NOT_FOUND, 20)
    assert.equal(ResultCode.BIN_NAME_TOO_LONG, 21)
    assert.equal(ResultCode.FAIL_FORBIDDEN, 22)
    assert.equal(ResultCode.OP_NOT_APPLICABLE, 26)
    assert.equal(ResultCode.FILTERED_OUT, 27)
    assert.equal(ResultCode.QUERY_END, 50)
    assert.equal(ResultCode.SECURITY_NOT_ENABLED, 52)
    assert.equal(ResultCode.UDF_ERROR, 100)
    assert.equal(ResultCode.INDEX_FOUND, 200)
    assert.equal(ResultCode.INDEX_MAXCOUNT, 206)
    assert.equal(Object.keys(ResultCode).length, allResultCodes().length)
  })

  test('ResultCode is frozen', () => {
    assert.ok(Object.isFrozen(ResultCode))
    assert.throws(() => {
      ;(ResultCode as Record<string, number>).OK = 1
    }, TypeError)
    assert.equal(ResultCode.OK, 0)
  })

  test('resultCodeInfo', () => {
    assert.deepEqual(resultCodeInfo(2), { code: 2, name: 'RECORD_NOT_FOUND', message: 'record not found' })
    assert.equal(resultCodeInfo(0)?.name, 'OK')
    assert.equal(resultCodeInfo(100)?.name, 'UDF_ERROR')
  })
})

test('a misspelt result code name does not compile', () => {
  // @ts-expect-error RECORD_NOT_FOUDN is not a result code; typecheck fails if this compiles.
  assert.equal(ResultCode.RECORD_NOT_FOUDN, undefined)
})
