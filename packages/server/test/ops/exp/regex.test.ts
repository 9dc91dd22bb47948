import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ResultCode } from '@aerolite/protocol'
import { compilePosixRegex, RegexFlag } from '../../../src/ops/exp/regex.ts'
import { E, Name, T, bin, buildError, evalPlain, intBin, pack, record, strBin } from './exp-fixtures.ts'

const matches = (pattern: string, flags: number, subject: string): boolean | undefined =>
  compilePosixRegex(Buffer.from(pattern, 'latin1'), flags)?.test(subject)

test('REGEX matches a string bin anywhere, with the regcomp flags', () => {
  const rec = record({ bins: [strBin('title', 'Star Wars'), intBin('n', 1)] })
  const regex = (flags: number, pattern: string, subject = bin(T.STR, 'title')) => [E.REGEX, flags, new Name(pattern), subject]
  assert.equal(evalPlain(regex(0, '^Star'), rec), true)
  assert.equal(evalPlain(regex(0, 'Treck$'), rec), false)
  assert.equal(evalPlain(regex(RegexFlag.ICASE, '^sTaR'), rec), true)
  assert.equal(evalPlain(regex(RegexFlag.ICASE, 'trEcK$'), rec), false)
  assert.equal(evalPlain(regex(RegexFlag.EXTENDED, 'W(a|o)rs$'), rec), true)
  assert.equal(evalPlain(regex(0, 'x', bin(T.STR, 'missing')), rec), 'unknown')
  assert.equal(buildError(pack(regex(RegexFlag.EXTENDED, '(unclosed'))), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.REGEX, 0, new Name('a'), bin(T.INT, 'n')])), ResultCode.PARAMETER_ERROR)
  assert.equal(buildError(pack([E.REGEX, 0, new Name('a')])), ResultCode.PARAMETER_ERROR)
})

test('basic syntax: groups and intervals are escaped, + ? | ( ) { } are literals', () => {
  assert.equal(matches('a\\(b\\)\\{2\\}', 0, 'abb'), true)
  assert.equal(matches('a+', 0, 'aa'), false)
  assert.equal(matches('a+', 0, 'a+'), true)
  assert.equal(matches('(x)', 0, '(x)'), true)
  assert.equal(matches('*a', 0, '*a'), true)
  assert.equal(matches('a\\|b', 0, 'b'), true)
  assert.equal(matches('a^b', 0, 'a^b'), true)
  assert.equal(matches('a$b', 0, 'a$b'), true)
})

test('extended syntax, bracket expressions and classes', () => {
  assert.equal(matches('^[[:digit:]]+$', RegexFlag.EXTENDED, '123'), true)
  assert.equal(matches('^[[:alpha:]_]+$', RegexFlag.EXTENDED, 'ab_c'), true)
  assert.equal(matches('[]x]', RegexFlag.EXTENDED, ']'), true)
  assert.equal(matches('[\\d]', RegexFlag.EXTENDED, '\\'), true)
  assert.equal(matches('[\\d]', RegexFlag.EXTENDED, '5'), false)
  assert.equal(matches('a{2,3}', RegexFlag.EXTENDED, 'caab'), true)
  assert.equal(matches('\\d', RegexFlag.EXTENDED, 'd'), true)
  assert.equal(matches('\\bword\\b', RegexFlag.EXTENDED, 'a word here'), true)
  assert.equal(matches('[[:nope:]]', RegexFlag.EXTENDED, 'x'), undefined)
  assert.equal(matches('[abc', RegexFlag.EXTENDED, 'x'), undefined)
})

test('without NEWLINE, . and [^x] match a newline and anchors only the ends; with it, lines', () => {
  assert.equal(matches('a.b', 0, 'a\nb'), true)
  assert.equal(matches('a.b', RegexFlag.NEWLINE, 'a\nb'), false)
  assert.equal(matches('^b', 0, 'a\nb'), false)
  assert.equal(matches('^b', RegexFlag.NEWLINE, 'a\nb'), true)
  assert.equal(matches('a[^x]b', RegexFlag.NEWLINE, 'a\nb'), false)
})
