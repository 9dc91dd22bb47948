import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { firingAlerts } from '../../src/metrics/alertmanager.ts'
import { realEnv } from '../../src/env/real-env.ts'

test('firing alerts from Alertmanager\'s v2 API; an Alertmanager that fails or is down is named in the answer', async () => {
  let status = 200
  let asked = ''
  const server = createServer((req, res) => {
    asked = req.url ?? ''
    res.statusCode = status
    res.end(JSON.stringify([{ labels: { alertname: 'AeroliteNodeDown', severity: 'critical', instance: 'n1' }, annotations: { summary: 'Aerolite node n1 is down' }, startsAt: '2026-12-03T09:00:00Z' }]))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  try {
    assert.deepEqual(await firingAlerts(realEnv, url), {
      alerts: [{ name: 'AeroliteNodeDown', severity: 'critical', summary: 'Aerolite node n1 is down', labels: { alertname: 'AeroliteNodeDown', severity: 'critical', instance: 'n1' }, startsAt: '2026-12-03T09:00:00Z' }],
    })
    assert.equal(asked, '/api/v2/alerts?active=true&silenced=false&inhibited=false')
    status = 500
    assert.deepEqual(await firingAlerts(realEnv, url), { error: `Alertmanager at ${url} answered HTTP 500` })
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
  const down = await firingAlerts(realEnv, url)
  assert.ok('error' in down && down.error.startsWith(`Alertmanager at ${url} did not answer`), JSON.stringify(down))
})
