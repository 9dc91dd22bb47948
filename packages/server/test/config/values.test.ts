import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  formatDuration,
  formatSize,
  parseBoolean,
  parseDurationSeconds,
  parseSizeBytes,
  parseWholeNumber,
} from '../../src/config/values.ts'

describe('value parsers', () => {
  it('sizes', () => {
    assert.equal(parseSizeBytes('0'), 0)
    assert.equal(parseSizeBytes('512'), 512)
    assert.equal(parseSizeBytes('1k'), 1024)
    assert.equal(parseSizeBytes('8M'), 8 * 1024 * 1024)
    assert.equal(parseSizeBytes('4G'), 4 * 1024 ** 3)
    assert.equal(parseSizeBytes('2t'), 2 * 1024 ** 4)
    for (const bad of ['', 'K', '1.5G', '-1', '1KB', '1 K', '1P', '99999999999999999999']) {
      assert.equal(parseSizeBytes(bad), undefined, bad)
    }
  })

  it('durations', () => {
    assert.equal(parseDurationSeconds('90'), 90)
    assert.equal(parseDurationSeconds('90s'), 90)
    assert.equal(parseDurationSeconds('3m'), 180)
    assert.equal(parseDurationSeconds('2H'), 7200)
    assert.equal(parseDurationSeconds('7d'), 604800)
    for (const bad of ['', 'd', '1w', '1.5h', '-1', 'abc']) assert.equal(parseDurationSeconds(bad), undefined, bad)
  })

  it('booleans and whole numbers', () => {
    assert.equal(parseBoolean('TRUE'), true)
    assert.equal(parseBoolean('no'), false)
    assert.equal(parseBoolean('1'), undefined)
    assert.equal(parseWholeNumber('007'), 7)
    assert.equal(parseWholeNumber('1e3'), undefined)
    assert.equal(parseWholeNumber('+1'), undefined)
  })

  it('formatting picks the largest exact unit', () => {
    assert.equal(formatSize(8 * 1024 * 1024), '8M')
    assert.equal(formatSize(1536), '1536')
    assert.equal(formatSize(0), '0')
    assert.equal(formatDuration(315360000), '3650d')
    assert.equal(formatDuration(5400), '90m')
    assert.equal(formatDuration(61), '61')
  })
})
