// A self-contained SVG chart of the baseline: throughput per system (left) and p50/p99 latency
// (right). Written by hand so the suite needs no plotting dependency.

const W = 960
const H = 440
const PANEL = { top: 70, bottom: 360, height: 290 }
const COLORS = { ops: '#3b6fb6', p50: '#7fb3e6', p99: '#d9822b' }

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** A "nice" axis maximum and step for values up to max. */
function axis(max) {
  if (!(max > 0)) return { top: 1, step: 0.25 }
  const raw = max / 5
  const pow = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((k) => k * pow).find((s) => s >= raw)
  return { top: Math.ceil(max / step) * step, step }
}

function label(run) {
  const name = run.system.startsWith('Upper bound') ? 'Upper bound' : run.system.startsWith('Redis') ? 'Redis' : run.system
  return `${name} c${run.connections}`
}

function panel(x0, width, title, unit, groups, series) {
  const parts = []
  const max = Math.max(0, ...groups.flatMap((g) => series.map((s) => g.values[s.key] ?? 0)))
  const { top, step } = axis(max)
  const y = (v) => PANEL.bottom - (v / top) * PANEL.height
  parts.push(`<text x="${x0 + width / 2}" y="40" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`)
  for (let v = 0; v <= top + step / 2; v += step) {
    parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`)
    parts.push(`<text x="${x0 - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${esc(unit === 'ops/s' ? `${Math.round(v / 1000)}k` : v.toFixed(step < 1 ? 2 : 0))}</text>`)
  }
  parts.push(`<text x="${x0 - 44}" y="${(PANEL.top + PANEL.bottom) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${x0 - 44} ${(PANEL.top + PANEL.bottom) / 2})">${esc(unit)}</text>`)
  const groupWidth = width / Math.max(1, groups.length)
  const barWidth = Math.min(48, (groupWidth * 0.7) / series.length)
  groups.forEach((g, i) => {
    const gx = x0 + i * groupWidth + (groupWidth - barWidth * series.length) / 2
    series.forEach((s, k) => {
      const v = g.values[s.key]
      if (v === undefined || Number.isNaN(v)) return
      const bx = gx + k * barWidth
      parts.push(`<rect x="${bx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(PANEL.bottom - y(v)).toFixed(1)}" fill="${s.color}"><title>${esc(`${g.label} ${s.name}: ${v}`)}</title></rect>`)
      parts.push(`<text x="${(bx + barWidth / 2 - 1).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${esc(unit === 'ops/s' ? `${(v / 1000).toFixed(1)}k` : v.toFixed(2))}</text>`)
    })
    parts.push(`<text x="${(x0 + i * groupWidth + groupWidth / 2).toFixed(1)}" y="${PANEL.bottom + 18}" text-anchor="middle" font-size="11">${esc(g.label)}</text>`)
  })
  parts.push(`<line x1="${x0}" x2="${x0 + width}" y1="${PANEL.bottom}" y2="${PANEL.bottom}" stroke="#333"/>`)
  series.forEach((s, k) => {
    const lx = x0 + k * 90
    parts.push(`<rect x="${lx}" y="${PANEL.bottom + 34}" width="12" height="12" fill="${s.color}"/><text x="${lx + 16}" y="${PANEL.bottom + 44}" font-size="11">${esc(s.name)}</text>`)
  })
  return parts.join('\n')
}

/** The runs to draw: with repeated runs, one bar per system at its medians, and the runs made once. */
function chartedRuns(results) {
  if (!results.repeats) return results.runs
  const medians = results.repeats.map((x) => ({ system: `${x.system} (median)`, connections: x.connections, opsPerSecond: x.opsPerSecond?.median, serverCpuMicrosPerOp: x.serverCpuMicrosPerOp?.median, latencyMs: { p50: x.p50Ms?.median, p99: x.p99Ms?.median } }))
  return [...medians, ...results.runs.filter((run) => run.round === undefined)]
}

export function renderChart(results) {
  const runs = chartedRuns(results)
  const groups = runs.map((run) => ({ label: label(run), values: { ops: run.opsPerSecond, p50: run.latencyMs.p50, p99: run.latencyMs.p99 } }))
  const body = [
    panel(80, 380, 'Throughput (RU,50, 1 KiB, 1 in flight per connection)', 'ops/s', groups, [{ key: 'ops', name: 'ops/s', color: COLORS.ops }]),
    panel(560, 380, 'Latency', 'ms', groups, [{ key: 'p50', name: 'p50', color: COLORS.p50 }, { key: 'p99', name: 'p99', color: COLORS.p99 }]),
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle" font-size="11" fill="#555">${esc(`${results.date} · ${results.machine.cpuModel} × ${results.machine.cpuCount} · Node ${results.machine.node} · server CPU µs/op: ${runs.map((r) => `${label(r)} ${r.serverCpuMicrosPerOp?.toFixed(1) ?? '–'}`).join(', ')}`)}</text>`,
  ]
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n<rect width="${W}" height="${H}" fill="#fff"/>\n${body.join('\n')}\n</svg>\n`
}
