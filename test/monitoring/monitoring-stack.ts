// Prometheus and Alertmanager (Debian's packages) on free loopback ports, scraping Aerolite nodes'
// /metrics as job "aerolite" with the shipped rules, and a webhook receiver in the test that
// records every notification. Every wait is bounded.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const RULES_FILE = fileURLToPath(new URL('../../deploy/monitoring/aerolite-rules.yml', import.meta.url))
export const RULES_TEST_FILE = fileURLToPath(new URL('../../deploy/monitoring/aerolite-rules.test.yml', import.meta.url))
export const PROMETHEUS_MISSING = 'promtool, prometheus or prometheus-alertmanager is not on PATH: install them with "apt-get install prometheus prometheus-alertmanager" (Debian/Ubuntu)'

export function prometheusInstalled(): boolean {
  return ['promtool', 'prometheus', 'prometheus-alertmanager'].every((bin) => {
    const result = spawnSync(bin, ['--version'], { stdio: 'ignore' })
    return result.error === undefined && result.status === 0
  })
}

export interface Notification {
  /** When the webhook received it (ms, performance.now()). */
  atMs: number
  status: 'firing' | 'resolved'
  labels: Record<string, string>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** The shipped rules with every `for:` made 1 s, so an end-to-end test takes seconds. */
function rulesWithShortFor(): string {
  return readFileSync(RULES_FILE, 'utf8').replace(/^(\s+)for: \S+$/gm, '$1for: 1s')
}

export class MonitoringStack {
  readonly notifications: Notification[] = []
  private readonly dir: string
  private readonly children: ChildProcess[] = []
  private readonly output: string[] = []
  private webhook: Server | undefined
  prometheusPort = 0

  private constructor(dir: string) {
    this.dir = dir
  }

  alertmanagerPort = 0

  /**
   * Starts the webhook, Alertmanager and Prometheus scraping `targets` (host:port of nodes' HTTP
   * ports); with no targets, no Prometheus (alerts are posted to Alertmanager directly).
   */
  static async start(targets: readonly string[]): Promise<MonitoringStack> {
    const stack = new MonitoringStack(mkdtempSync(join(tmpdir(), 'aerolite-monitoring-')))
    try {
      await stack.startAll(targets)
    } catch (err) {
      await stack.stop()
      throw err
    }
    return stack
  }

  private async startAll(targets: readonly string[]): Promise<void> {
    this.webhook = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')))
      req.on('end', () => {
        const atMs = performance.now()
        const message = JSON.parse(body) as { alerts: Array<{ status: 'firing' | 'resolved'; labels: Record<string, string> }> }
        for (const alert of message.alerts) this.notifications.push({ atMs, status: alert.status, labels: alert.labels })
        res.end('ok')
      })
    })
    await new Promise<void>((resolve) => this.webhook!.listen(0, '127.0.0.1', resolve))
    const hookPort = (this.webhook.address() as AddressInfo).port
    const alertmanagerPort = await freePort()
    this.alertmanagerPort = alertmanagerPort
    writeFileSync(join(this.dir, 'rules.yml'), rulesWithShortFor())
    writeFileSync(join(this.dir, 'am.yml'), [
      'route:',
      '  receiver: hook',
      '  group_by: [alertname, service, ns, instance]',
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: hook',
      `    webhook_configs: [{ url: "http://127.0.0.1:${hookPort}/", send_resolved: true }]`,
    ].join('\n'))
    writeFileSync(join(this.dir, 'prom.yml'), [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [rules.yml]',
      `alerting: { alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${alertmanagerPort}"] }] }] }`,
      'scrape_configs:',
      '  - job_name: aerolite',
      `    static_configs: [{ targets: [${targets.map((t) => `"${t}"`).join(', ')}] }]`,
    ].join('\n'))
    this.spawn('prometheus-alertmanager', [`--config.file=${join(this.dir, 'am.yml')}`, `--storage.path=${join(this.dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${alertmanagerPort}`, '--cluster.listen-address='])
    await this.until('Alertmanager ready', 30_000, () => ready(`http://127.0.0.1:${alertmanagerPort}/-/ready`))
    if (targets.length === 0) return
    this.prometheusPort = await freePort()
    this.spawn('prometheus', [`--config.file=${join(this.dir, 'prom.yml')}`, `--storage.tsdb.path=${join(this.dir, 'prom')}`,
      `--web.listen-address=127.0.0.1:${this.prometheusPort}`])
    await this.until('Prometheus ready', 30_000, () => ready(`http://127.0.0.1:${this.prometheusPort}/-/ready`))
  }

  /** Posts an alert to Alertmanager as Prometheus would. */
  async postAlert(labels: Record<string, string>, annotations: Record<string, string>): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${this.alertmanagerPort}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, annotations, startsAt: new Date().toISOString() }]),
    })
    if (!res.ok) throw new Error(`Alertmanager refused the alert: HTTP ${res.status} ${await res.text()}`)
  }

  private spawn(bin: string, args: string[]): void {
    const child = spawn(bin, args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')))
    child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString('utf8')))
    this.children.push(child)
  }

  /** The first notification at or after sinceMs matching `status` and every label in `labels`. */
  async notified(status: Notification['status'], labels: Record<string, string>, sinceMs: number, timeoutMs: number): Promise<Notification> {
    let found: Notification | undefined
    const what = `a ${status} notification of ${JSON.stringify(labels)}`
    await this.until(what, timeoutMs, async () => {
      found = this.notifications.find((n) => n.atMs >= sinceMs && n.status === status && Object.entries(labels).every(([k, v]) => n.labels[k] === v))
      return found !== undefined
    })
    return found!
  }

  /** Runs a PromQL query now; the samples' labels and values. */
  async query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const res = await fetch(`http://127.0.0.1:${this.prometheusPort}/api/v1/query?query=${encodeURIComponent(promql)}`)
    const body = await res.json() as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } }
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }))
  }

  async until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (!(await check())) {
      if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nnotifications: ${JSON.stringify(this.notifications)}\n${this.output.join('').slice(-4000)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async stop(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode !== null || child.signalCode !== null) continue
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    await new Promise((resolve) => (this.webhook === undefined ? resolve(undefined) : this.webhook.close(resolve)))
    rmSync(this.dir, { recursive: true, force: true })
  }
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok
  } catch {
    return false
  }
}
