// The shipped alert rules pass `promtool check rules`, and `promtool test rules` runs a test for
// every one of them (each feeds a node that must fire and one that must not).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { PROMETHEUS_MISSING, RULES_FILE, RULES_TEST_FILE, prometheusInstalled } from './monitoring-stack.ts'

test('promtool check rules accepts the shipped rules', () => {
  assert.ok(prometheusInstalled(), PROMETHEUS_MISSING)
  const result = spawnSync('promtool', ['check', 'rules', RULES_FILE], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stdout + result.stderr)
})

test('promtool test rules passes, with a test for every alert', () => {
  const alerts = [...readFileSync(RULES_FILE, 'utf8').matchAll(/^\s+- alert: (\S+)$/gm)].map((m) => m[1]!)
  const tested = [...readFileSync(RULES_TEST_FILE, 'utf8').matchAll(/^\s+alertname: (\S+)$/gm)].map((m) => m[1]!)
  assert.ok(alerts.length >= 30, `${alerts.length} alerts`)
  assert.deepEqual([...new Set(tested)].sort(), [...alerts].sort(), 'every alert is tested, and only those')
  const result = spawnSync('promtool', ['test', 'rules', RULES_TEST_FILE], { encoding: 'utf8' })
  assert.equal(result.status, 0, result.stdout + result.stderr)
})
