// The Aerolite web console: polls /api/state every second and shows the cluster's nodes,
// namespaces, sets, indexes, alerts, and charts of the last minutes (uPlot). Plain browser
// JavaScript, no build step. Every value is set with textContent: names come from users' data.
'use strict'

const POLL_MS = 1000
/** Points kept per chart: two minutes at one a second. */
const HISTORY = 120
const KINDS = ['read', 'write', 'udf', 'query', 'batch-index']
const COLORS = ['#2f6fd6', '#d6562f', '#7a3fc2', '#1e9a6b', '#9a8a1e']

const history = { times: [], ops: KINDS.map(() => []), p99: KINDS.map(() => []) }
const charts = {}
/** For tests and curious users: how many polls have been shown. */
window.aeroliteConsole = { polls: 0, history }

function cell(row, text, options = {}) {
  const td = document.createElement('td')
  td.textContent = String(text)
  if (typeof text === 'number') td.className = 'num'
  if (options.className) td.className += ` ${options.className}`
  for (const [key, value] of Object.entries(options.data ?? {})) td.dataset[key] = value
  row.appendChild(td)
  return td
}

function fillTable(id, rows, render) {
  const body = document.querySelector(`#${id} tbody`)
  body.replaceChildren()
  for (const row of rows) {
    const tr = document.createElement('tr')
    render(tr, row)
    body.appendChild(tr)
  }
}

function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

function duration(seconds) {
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${seconds % 60}s`
}

function render(state) {
  const nodes = state.nodes.filter((n) => n.error === undefined)
  const self = nodes.find((n) => n.nodeId === state.self)
  document.getElementById('summary').textContent = self === undefined ? '' :
    `cluster ${self.clusterName} · ${self.clusterSize} node${self.clusterSize === 1 ? '' : 's'} · build ${self.build} · this page from node ${self.nodeId}`
  document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`

  fillTable('nodes', state.nodes, (tr, n) => {
    const data = { node: n.nodeId }
    cell(tr, n.nodeId, { data })
    cell(tr, n.service ?? '', { data })
    if (n.error !== undefined) {
      cell(tr, `unreachable: ${n.error}`, { className: 'bad', data })
      return
    }
    cell(tr, n.notReadyBecause === undefined ? 'ready' : `not ready: ${n.notReadyBecause}`, { className: n.notReadyBecause === undefined ? 'ok' : 'bad', data })
    cell(tr, n.clusterSize, { data: { ...data, stat: 'cluster_size' } })
    cell(tr, n.clientConnections, { data: { ...data, stat: 'client_connections' } })
    cell(tr, n.migratePartitionsRemaining, { data: { ...data, stat: 'migrate_partitions_remaining' } })
    cell(tr, n.clockSkewMs, { data: { ...data, stat: 'cluster_clock_skew_ms' } })
    cell(tr, duration(n.uptimeSeconds), { data })
  })

  const namespaces = nodes.flatMap((n) => n.namespaces.map((ns) => ({ node: n.nodeId, ns })))
  fillTable('namespaces', namespaces, (tr, { node, ns }) => {
    const data = (stat) => ({ node, ns: ns.name, stat })
    cell(tr, node)
    cell(tr, ns.name)
    cell(tr, ns.storageEngine)
    cell(tr, ns.objects, { data: data('objects') })
    cell(tr, ns.masterObjects, { data: data('master_objects') })
    cell(tr, ns.proleObjects, { data: data('prole_objects') })
    cell(tr, `${bytes(ns.dataUsedBytes)} of ${bytes(ns.dataTotalBytes)}`, { data: data('data_used_bytes') }).dataset.value = String(ns.dataUsedBytes)
    cell(tr, ns.dataUsedPct, { data: data('data_used_pct'), className: ns.stopWritesUsedPct > 0 && ns.dataUsedPct >= ns.stopWritesUsedPct - 10 ? 'bad' : '' })
    cell(tr, ns.dataAvailPct, { data: data('data_avail_pct') })
    cell(tr, ns.stopWrites ? 'STOP-WRITES' : 'no', { data: data('stop_writes'), className: ns.stopWrites ? 'bad' : 'ok' })
    cell(tr, `${ns.migrateTxPartitionsRemaining} / ${ns.migrateRxPartitionsRemaining}`)
  })
  fillTable('sets', namespaces.flatMap(({ node, ns }) => ns.sets.map((set) => ({ node, ns: ns.name, set }))), (tr, { node, ns, set }) => {
    cell(tr, node)
    cell(tr, ns)
    cell(tr, set.name)
    cell(tr, set.objects, { data: { node, ns, set: set.name, stat: 'objects' } })
    cell(tr, bytes(set.dataUsedBytes))
  })
  fillTable('sindexes', namespaces.flatMap(({ node, ns }) => ns.sindexes.map((index) => ({ node, ns: ns.name, index }))), (tr, { node, ns, index }) => {
    cell(tr, node)
    cell(tr, ns)
    cell(tr, index.name)
    cell(tr, index.bin)
    cell(tr, index.type)
    cell(tr, index.entries, { data: { node, ns, sindex: index.name, stat: 'entries' } })
    cell(tr, index.state)
  })

  const alerts = state.alerts
  const note = document.getElementById('alerts-note')
  if (alerts === undefined) note.textContent = 'No Alertmanager configured (network { http { alertmanager-url URL } }).'
  else if ('error' in alerts) note.textContent = alerts.error
  else note.textContent = alerts.alerts.length === 0 ? 'No alert fires.' : `${alerts.alerts.length} alert${alerts.alerts.length === 1 ? '' : 's'} firing.`
  fillTable('alerts', alerts !== undefined && 'alerts' in alerts ? alerts.alerts : [], (tr, alert) => {
    cell(tr, alert.name, { data: { alert: alert.name } })
    cell(tr, alert.severity, { className: alert.severity })
    cell(tr, alert.summary)
    cell(tr, alert.startsAt === '' ? '' : new Date(alert.startsAt).toLocaleTimeString())
  })
  const shipping = nodes.flatMap((n) => n.xdr.map(({ dc, stats }) => ({ node: n.nodeId, dc, stats })))
  document.getElementById('xdr-note').textContent = shipping.length === 0 ? 'No remote datacenter is configured.' : ''
  fillTable('xdr', shipping, (tr, { node, dc, stats }) => {
    const data = (stat) => ({ node, dc, stat })
    cell(tr, node)
    cell(tr, dc)
    cell(tr, stats.lag, { data: data('lag'), className: stats.lag > 5 ? 'bad' : '' })
    cell(tr, stats.in_queue, { data: data('in_queue') })
    cell(tr, stats.in_progress)
    cell(tr, stats.success, { data: data('success') })
    cell(tr, stats.throughput)
    cell(tr, stats.latency_ms)
    cell(tr, stats.retry_conn_reset + stats.retry_dest + stats.retry_no_node)
    cell(tr, stats.abandoned, { className: stats.abandoned > 0 ? 'bad' : '' })
    cell(tr, stats.recoveries)
  })

  record(nodes)
}

/** Appends this poll's cluster-wide ops/s (summed over nodes) and p99 (the worst node's) per kind. */
function record(nodes) {
  history.times.push(Date.now() / 1000)
  KINDS.forEach((kind, i) => {
    const per = nodes.map((n) => n.latency[kind]).filter((k) => k !== undefined)
    history.ops[i].push(per.reduce((sum, k) => sum + k.opsPerSecond, 0))
    history.p99[i].push(per.some((k) => k.opsPerSecond > 0) ? Math.max(...per.map((k) => k.p99Ms)) : null)
  })
  if (history.times.length > HISTORY) {
    history.times.shift()
    for (const series of [...history.ops, ...history.p99]) series.shift()
  }
  drawChart('ops', 'ops-chart', history.ops, 'ops/s')
  drawChart('p99', 'latency-chart', history.p99, 'ms')
}

function drawChart(name, elementId, series, unit) {
  const data = [history.times, ...series]
  if (charts[name] === undefined) {
    const element = document.getElementById(elementId)
    charts[name] = new uPlot({
      width: Math.max(300, element.clientWidth),
      height: 220,
      series: [{}, ...KINDS.map((kind, i) => ({ label: kind, stroke: COLORS[i], width: 2, value: (_, v) => (v === null ? '–' : `${v.toFixed(1)} ${unit}`) }))],
      axes: [{}, { size: 60 }],
    }, data, element)
    window.aeroliteConsole[name] = charts[name]
  } else {
    charts[name].setData(data)
  }
}

async function poll() {
  try {
    const res = await fetch('/api/state', { cache: 'no-store' })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    render(await res.json())
    window.aeroliteConsole.polls++
  } catch (err) {
    document.getElementById('summary').textContent = `cannot reach the node: ${err.message}`
  }
  setTimeout(poll, POLL_MS)
}

poll()
