// Merge patch (RFC 7386), JSON patch (RFC 6902), selectors and quantities, without a server.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiError } from './errors.ts'
import { applyPatch, jsonPatch, mergePatch, JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH } from './patch.ts'
import { parseQuantity } from './quantity.ts'
import { fieldSelector, labelSelector } from './selectors.ts'

function code(fn: () => unknown): number {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err))
    return err.code
  }
  assert.fail('no error')
}

test('merge patch: the examples of RFC 7386', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ]
  for (const [target, patch, result] of cases) assert.deepEqual(mergePatch(target, patch), result, JSON.stringify({ target, patch }))
})

test('strategic merge patch is a merge patch: a list is replaced, not merged by key', () => {
  const pod = { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] } }
  assert.deepEqual(applyPatch(pod, { spec: { containers: [{ name: 'a', image: '2' }] } }, STRATEGIC_MERGE_PATCH), { spec: { containers: [{ name: 'a', image: '2' }] } })
})

test('JSON patch: add, remove, replace, test, pointers with ~0 ~1 and -, all or nothing', () => {
  const doc = { a: { 'b/c': 1, 'd~e': [1, 2] } }
  assert.deepEqual(jsonPatch(doc, [
    { op: 'add', path: '/a/d~0e/-', value: 3 },
    { op: 'add', path: '/a/d~0e/0', value: 0 },
    { op: 'replace', path: '/a/b~1c', value: 2 },
    { op: 'test', path: '/a/b~1c', value: 2 },
    { op: 'remove', path: '/a/d~0e/1' },
    { op: 'add', path: '/x', value: { y: null } },
  ]), { a: { 'b/c': 2, 'd~e': [0, 2, 3] }, x: { y: null } })
  assert.deepEqual(doc, { a: { 'b/c': 1, 'd~e': [1, 2] } }, 'the input is not changed')
  assert.deepEqual(jsonPatch(doc, [{ op: 'replace', path: '', value: [1] }]), [1])

  assert.equal(code(() => jsonPatch(doc, [{ op: 'test', path: '/a/b~1c', value: 5 }])), 422)
  assert.equal(code(() => jsonPatch(doc, [{ op: 'remove', path: '/missing' }])), 422)
  assert.equal(code(() => jsonPatch(doc, [{ op: 'replace', path: '/a/d~0e/2', value: 1 }])), 422)
  assert.equal(code(() => jsonPatch(doc, [{ op: 'add', path: '/no/such/parent', value: 1 }])), 422)
  assert.equal(code(() => jsonPatch(doc, { op: 'add' })), 400)
  assert.equal(code(() => jsonPatch(doc, [{ op: 'copy', from: '/a', path: '/b' }])), 400)
  assert.equal(code(() => jsonPatch(doc, [{ op: 'add', path: 'a' }])), 400)
  assert.equal(code(() => applyPatch(doc, {}, 'application/apply-patch+yaml')), 415)
  assert.deepEqual(applyPatch(doc, [], JSON_PATCH), doc)
  assert.equal(code(() => applyPatch(doc, ['not an object'], MERGE_PATCH)), 400, 'a merge patch of a whole object must be an object')
})

test('label and field selectors: equality terms, existence, and refusals', () => {
  const object = { metadata: { name: 'n', namespace: 'ns', labels: { app: 'a', tier: 'web' } } }
  const accepts = (selector: string): boolean => labelSelector(selector)(object)
  assert.equal(accepts(''), true)
  assert.equal(accepts('app=a'), true)
  assert.equal(accepts('app==a,tier=web'), true)
  assert.equal(accepts('app=a,tier!=web'), false)
  assert.equal(accepts('missing!=x'), true)
  assert.equal(accepts('tier'), true)
  assert.equal(accepts('!tier'), false)
  assert.equal(accepts('!missing'), true)
  assert.equal(code(() => labelSelector('app in (a,b)')), 400)
  assert.equal(fieldSelector('metadata.name=n,metadata.namespace=ns')(object), true)
  assert.equal(fieldSelector('metadata.name!=n')(object), false)
  assert.equal(code(() => fieldSelector('status.phase=Running')), 400)
})

test('quantities', () => {
  assert.equal(parseQuantity('64Mi'), 64 * 2 ** 20)
  assert.equal(parseQuantity('1G'), 1e9)
  assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30)
  assert.equal(parseQuantity('2e3'), 2000)
  assert.equal(parseQuantity('500m'), 0.5)
  assert.ok(parseQuantity('1Gi') > parseQuantity('1G'))
  assert.equal(code(() => parseQuantity('1 GB')), 400)
})
