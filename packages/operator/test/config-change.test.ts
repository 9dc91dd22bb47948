// Dynamic or not, decided by the server's own set-config table: changes set-config can make are
// applied by the server's setters and give exactly the new config; anything else needs a restart.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { namespaceSetters, serviceSetters } from '@aerolite/server/config'
import { compareConfigs, isDynamic, parseRenderedConfig, setConfigCommand, settingsToApply } from '../src/index.ts'

function conf(service: string, namespace: string, storage = 'data-size 1G'): string {
  return `service {\n${service}\n}\nnamespace test {\n${namespace}\nstorage-engine memory {\n${storage}\n}\n}\n`
}

test('the dynamic keys are exactly the keys the server\'s set-config accepts, named as get-config prints them', () => {
  for (const key of Object.keys(serviceSetters)) assert.equal(isDynamic('service', key), true, key)
  for (const key of Object.keys(namespaceSetters)) {
    const storageKey = ['stop-writes-used-pct', 'stop-writes-avail-pct', 'evict-used-pct', 'defrag-lwm-pct', 'flush-max-ms'].includes(key)
    assert.equal(isDynamic('namespace', storageKey ? `storage-engine.${key}` : key), true, key)
  }
  for (const key of ['cluster-name', 'node-id']) assert.equal(isDynamic('service', key), false, key)
  for (const key of ['replication-factor', 'rack-id', 'storage-engine.compression', 'storage-engine.data-size', 'tomb-raider-eligible-age']) {
    assert.equal(isDynamic('namespace', key), false, key)
  }
})

test('a dynamic change: the settings, and the server\'s setters turn the old config into the new one', () => {
  const before = parseRenderedConfig(conf('proto-fd-max 1000', 'default-ttl 30d\nnsup-period 120', 'data-size 1G\nstop-writes-used-pct 70'))
  const after = parseRenderedConfig(conf('proto-fd-max 2000', 'default-ttl 1h\nnsup-period 120', 'data-size 1G\nstop-writes-used-pct 60'))
  const change = compareConfigs(before, after)
  assert.equal(change.restartRequired, false)
  assert.deepEqual(change.dynamic, [
    { context: 'service', key: 'proto-fd-max', value: '2000' },
    { context: 'namespace', namespace: 'test', key: 'default-ttl', value: '3600' },
    { context: 'namespace', namespace: 'test', key: 'storage-engine.stop-writes-used-pct', value: '60' },
  ])
  const applied = structuredClone(before)
  for (const setting of change.dynamic) {
    const problem = setting.context === 'service'
      ? serviceSetters[setting.key]!(applied.service, setting.value)
      : namespaceSetters[setting.key.replace(/^storage-engine\./, '')]!(applied.namespaces[0]!, setting.value)
    assert.equal(problem, undefined)
  }
  assert.deepEqual(applied, after)
})

test('a change set-config cannot make needs a restart, whatever else changes with it', () => {
  const before = parseRenderedConfig(conf('proto-fd-max 1000', 'default-ttl 30d'))
  assert.equal(compareConfigs(before, parseRenderedConfig(conf('proto-fd-max 1000', 'default-ttl 30d', 'data-size 2G'))).restartRequired, true)
  const mixed = compareConfigs(before, parseRenderedConfig(conf('proto-fd-max 3000', 'default-ttl 30d\nreplication-factor 3')))
  assert.equal(mixed.restartRequired, true)
  assert.deepEqual(mixed.dynamic, [{ context: 'service', key: 'proto-fd-max', value: '3000' }])
  // The same config written another way is no change at all.
  const same = compareConfigs(before, parseRenderedConfig(`# comment\n${conf('proto-fd-max 1000', 'default-ttl 2592000', 'data-size 1024M')}`))
  assert.deepEqual(same, { restartRequired: false, dynamic: [] })
})

test('the settings a node must be sent: those it reports with another value', () => {
  const desired = parseRenderedConfig(conf('proto-fd-max 2000', 'default-ttl 1h'))
  const running = {
    service: { 'proto-fd-max': '1000', 'ticker-interval': '10' },
    namespaces: { test: { 'default-ttl': '3600', 'nsup-period': '60' } },
  }
  assert.deepEqual(settingsToApply(running, desired), [
    { context: 'service', key: 'proto-fd-max', value: '2000' },
    { context: 'namespace', namespace: 'test', key: 'nsup-period', value: '120' },
  ])
})

test('set-config commands in the server\'s syntax', () => {
  assert.equal(setConfigCommand('service', undefined, [{ key: 'proto-fd-max', value: '2000' }]), 'set-config:context=service;proto-fd-max=2000')
  assert.equal(
    setConfigCommand('namespace', 'test', [{ key: 'default-ttl', value: '3600' }, { key: 'nsup-period', value: '60' }]),
    'set-config:context=namespace;id=test;default-ttl=3600;nsup-period=60',
  )
})
