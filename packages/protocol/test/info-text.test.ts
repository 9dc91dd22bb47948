import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  formatInfoResponse,
  formatKeyValues,
  infoError,
  parseInfoCommand,
  parseInfoRequest,
  parseInfoResponse,
  parseKeyValues,
  type InfoAnswer,
} from '../src/info-text.ts'

describe('parseInfoRequest', () => {
  test('splits on newlines and drops empty lines', () => {
    assert.deepEqual(parseInfoRequest('node\npartition-generation\nbuild\n'), ['node', 'partition-generation', 'build'])
    assert.deepEqual(parseInfoRequest(Buffer.from('node\npeers-generation\npartition-generation\n')), ['node', 'peers-generation', 'partition-generation'])
    assert.deepEqual(parseInfoRequest('build'), ['build'])
    assert.deepEqual(parseInfoRequest('\n\nbuild\n\n\nnode'), ['build', 'node'])
    assert.deepEqual(parseInfoRequest(''), [])
    assert.deepEqual(parseInfoRequest(Buffer.alloc(0)), [])
    assert.deepEqual(parseInfoRequest('\n'), [])
  })

  test('keeps parameters and other separators untouched', () => {
    assert.deepEqual(parseInfoRequest('user-agent-set:value=MSxub2RlanMtNi43LjEsbm90LXNldA==\n'), ['user-agent-set:value=MSxub2RlanMtNi43LjEsbm90LXNldA=='])
    assert.deepEqual(parseInfoRequest('a b\tc;d,e\n'), ['a b\tc;d,e'])
  })
})

describe('formatInfoResponse', () => {
  test('echoes each line, a tab, the value and a newline', () => {
    const out = formatInfoResponse([
      { line: 'node', value: 'BB901000000FC02' },
      { line: 'partition-generation', value: '0' },
      { line: 'build', value: '8.1.1.2' },
    ])
    assert.ok(Buffer.isBuffer(out))
    assert.equal(out.toString('utf8'), 'node\tBB901000000FC02\npartition-generation\t0\nbuild\t8.1.1.2\n')
  })

  test('empty values and no answers', () => {
    assert.equal(formatInfoResponse([{ line: 'udf-list', value: '' }]).toString(), 'udf-list\t\n')
    assert.equal(formatInfoResponse([]).length, 0)
  })

  test('UTF-8 encoded', () => {
    assert.deepEqual(formatInfoResponse([{ line: 'x', value: 'é' }]), Buffer.from('x\t\u00e9\n', 'utf8'))
  })
})

describe('parseInfoResponse', () => {
  test('recorded tend reply', () => {
    const m = parseInfoResponse('node\tBB901000000FC02\npeers-generation\t0\npartition-generation\t0\n')
    assert.deepEqual([...m], [
      ['node', 'BB901000000FC02'],
      ['peers-generation', '0'],
      ['partition-generation', '0'],
    ])
  })

  test('a row without a tab is a name with an empty value', () => {
    assert.deepEqual([...parseInfoResponse('build\nnode\tA\n')], [['build', ''], ['node', 'A']])
  })

  test('only the first tab separates; values keep later tabs', () => {
    assert.deepEqual([...parseInfoResponse('k\ta\tb\n')], [['k', 'a\tb']])
  })

  test('values with parameters echoed in the name', () => {
    const m = parseInfoResponse(Buffer.from('user-agent-set:value=abc=\tok\nudf-list\t\n'))
    assert.equal(m.get('user-agent-set:value=abc='), 'ok')
    assert.equal(m.get('udf-list'), '')
    assert.equal(m.size, 2)
  })

  test('empty input', () => {
    assert.equal(parseInfoResponse('').size, 0)
    assert.equal(parseInfoResponse('\n\n').size, 0)
  })

  test('property: parseInfoResponse(formatInfoResponse(answers)) gives the answers back', () => {
    const lineArb = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\n') && !s.includes('\t'))
    const valueArb = fc.string({ maxLength: 60 }).filter((s) => !s.includes('\n'))
    fc.assert(
      fc.property(fc.uniqueArray(fc.record({ line: lineArb, value: valueArb }), { selector: (a) => a.line, maxLength: 8 }), (answers: InfoAnswer[]) => {
        const body = formatInfoResponse(answers)
        assert.deepEqual([...parseInfoResponse(body)], answers.map((a) => [a.line, a.value]))
        assert.deepEqual([...parseInfoResponse(body.toString('utf8'))], answers.map((a) => [a.line, a.value]))
      }),
      { numRuns: 200 },
    )
  })

  test('property: request lines -> response -> the same lines, in order', () => {
    const lineArb = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\n') && !s.includes('\t'))
    fc.assert(
      fc.property(fc.uniqueArray(lineArb, { maxLength: 8 }), (lines) => {
        const request = lines.map((l) => l + '\n').join('')
        const parsed = parseInfoRequest(request)
        assert.deepEqual(parsed, lines)
        const response = formatInfoResponse(parsed.map((line) => ({ line, value: `v:${line}` })))
        assert.deepEqual([...parseInfoResponse(response).keys()], lines)
      }),
      { numRuns: 200 },
    )
  })
})

describe('parseInfoCommand', () => {
  test('namespace/test', () => {
    const c = parseInfoCommand('namespace/test')
    assert.equal(c.name, 'namespace')
    assert.deepEqual(c.path, ['test'])
    assert.equal(c.params.size, 0)
  })

  test('truncate-namespace:namespace=test;lut=123', () => {
    const c = parseInfoCommand('truncate-namespace:namespace=test;lut=123')
    assert.equal(c.name, 'truncate-namespace')
    assert.deepEqual(c.path, [])
    assert.deepEqual([...c.params], [['namespace', 'test'], ['lut', '123']])
  })

  test('sets/test/demo', () => {
    const c = parseInfoCommand('sets/test/demo')
    assert.equal(c.name, 'sets')
    assert.deepEqual(c.path, ['test', 'demo'])
    assert.equal(c.params.size, 0)
  })

  test('user-agent-set:value=abc= (value keeps its own "=")', () => {
    const c = parseInfoCommand('user-agent-set:value=abc=')
    assert.equal(c.name, 'user-agent-set')
    assert.deepEqual(c.path, [])
    assert.deepEqual([...c.params], [['value', 'abc=']])
  })

  test('recorded user-agent-set with base64 padding', () => {
    const c = parseInfoCommand('user-agent-set:value=MSxub2RlanMtNi43LjEsbm90LXNldA==')
    assert.equal(c.params.get('value'), 'MSxub2RlanMtNi43LjEsbm90LXNldA==')
    assert.equal(Buffer.from(c.params.get('value')!, 'base64').toString(), '1,nodejs-6.7.1,not-set')
  })

  test('plain names', () => {
    for (const name of ['node', 'build', 'replicas', 'peers-clear-std', 'partition-generation']) {
      const c = parseInfoCommand(name)
      assert.equal(c.name, name)
      assert.deepEqual(c.path, [])
      assert.equal(c.params.size, 0)
    }
  })

  test('udf-remove:filename=x.lua; (trailing separator, empty pairs skipped)', () => {
    const c = parseInfoCommand('udf-remove:filename=anchor_udf.lua;')
    assert.equal(c.name, 'udf-remove')
    assert.deepEqual([...c.params], [['filename', 'anchor_udf.lua']])
  })

  test('parameters without "=" get an empty value; a bare ":" gives no params', () => {
    assert.deepEqual([...parseInfoCommand('cmd:flag;k=v').params], [['flag', ''], ['k', 'v']])
    const c = parseInfoCommand('cmd:')
    assert.equal(c.name, 'cmd')
    assert.equal(c.params.size, 0)
  })

  test('a path before parameters', () => {
    const c = parseInfoCommand('sindex/test/idx:k=v')
    assert.equal(c.name, 'sindex')
    assert.deepEqual(c.path, ['test', 'idx'])
    assert.deepEqual([...c.params], [['k', 'v']])
  })

  test('"/" inside parameter values does not create path parts', () => {
    const c = parseInfoCommand('udf-put:filename=a.lua;content=ab/c+d==;content-len=8;udf-type=LUA;')
    assert.equal(c.name, 'udf-put')
    assert.deepEqual(c.path, [])
    assert.deepEqual([...c.params], [['filename', 'a.lua'], ['content', 'ab/c+d=='], ['content-len', '8'], ['udf-type', 'LUA']])
  })

  test('empty line', () => {
    const c = parseInfoCommand('')
    assert.equal(c.name, '')
    assert.deepEqual(c.path, [])
    assert.equal(c.params.size, 0)
  })
})

describe('key=value lists', () => {
  test('parseKeyValues', () => {
    assert.deepEqual([...parseKeyValues('objects=0;tombstones=1;replication-factor=2')], [['objects', '0'], ['tombstones', '1'], ['replication-factor', '2']])
    assert.deepEqual([...parseKeyValues('a=1;;b=;c')], [['a', '1'], ['b', ''], ['c', '']])
    assert.deepEqual([...parseKeyValues('k=a=b')], [['k', 'a=b']])
    assert.deepEqual([...parseKeyValues('filename=f.lua,hash=abc,type=LUA', ',')], [['filename', 'f.lua'], ['hash', 'abc'], ['type', 'LUA']])
    assert.deepEqual([...parseKeyValues('ns=test:set=demo:objects=2', ':')], [['ns', 'test'], ['set', 'demo'], ['objects', '2']])
    assert.equal(parseKeyValues('').size, 0)
  })

  test('formatKeyValues from an object, a Map and an array of pairs', () => {
    assert.equal(formatKeyValues({ objects: 3, 'stop-writes': false, name: 'test' }), 'objects=3;stop-writes=false;name=test')
    assert.equal(formatKeyValues(new Map<string, string | number | boolean>([['a', 1], ['b', true]])), 'a=1;b=true')
    assert.equal(formatKeyValues([['x', 'y'], ['z', 0]] as const), 'x=y;z=0')
    assert.equal(formatKeyValues({ a: 1, b: 2 }, ':'), 'a=1:b=2')
    assert.equal(formatKeyValues({}), '')
  })

  test('property: parseKeyValues(formatKeyValues(entries)) round trips', () => {
    const keyArb = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[=;]/.test(s))
    const valArb = fc.oneof(
      fc.string({ maxLength: 20 }).filter((s) => !s.includes(';')),
      fc.integer().map(String),
    )
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(keyArb, valArb), { selector: (e) => e[0], maxLength: 10 }), (entries) => {
        const text = formatKeyValues(entries)
        assert.deepEqual([...parseKeyValues(text)], entries)
        assert.equal(formatKeyValues(parseKeyValues(text)), text)
      }),
      { numRuns: 200 },
    )
  })
})

describe('infoError', () => {
  test('ERROR:<code>:<message>', () => {
    assert.equal(infoError(4, 'unrecognized command'), 'ERROR:4:unrecognized command')
    assert.equal(infoError(200, 'index already exists'), 'ERROR:200:index already exists')
    assert.equal(infoError(1, ''), 'ERROR:1:')
  })

  test('an error value inside a response is recognised by its prefix', () => {
    const body = formatInfoResponse([{ line: 'bogus', value: infoError(4, 'unrecognized command') }])
    assert.equal(body.toString(), 'bogus\tERROR:4:unrecognized command\n')
    const value = parseInfoResponse(body).get('bogus')!
    assert.match(value, /^ERROR:(\d+):/)
    assert.equal(/^ERROR:(\d+):/.exec(value)![1], '4')
  })
})
