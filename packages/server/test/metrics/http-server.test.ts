// The HTTP port closes at once even while a scraper holds a keep-alive connection and keeps asking
// (Prometheus does, every scrape interval): a stop or a kill must not wait for it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Agent, get } from 'node:http'
import { HttpServer } from '../../src/metrics/http-server.ts'
import { realNetwork } from '../../src/env/real-network.ts'
import { createLogger } from '../../src/log.ts'

const CLOSED_WITHIN_MS = 1000

function ask(agent: Agent, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/health', agent }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    }).on('error', reject)
  })
}

test('close() ends the connections a keep-alive client holds open', async () => {
  const server = new HttpServer({ metrics: () => '', notReadyBecause: () => undefined, consoleState: () => undefined }, realNetwork, createLogger({ level: 'silent', sinks: [] }))
  const { port } = await server.listen('127.0.0.1', 0)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    assert.equal(await ask(agent, port), 200)
    assert.equal(await ask(agent, port), 200)
    const startedMs = performance.now()
    await server.close()
    const tookMs = performance.now() - startedMs
    assert.ok(tookMs < CLOSED_WITHIN_MS, `close took ${tookMs.toFixed(0)} ms`)
    await assert.rejects(ask(new Agent(), port), /ECONNREFUSED/)
  } finally {
    agent.destroy()
  }
})
