// The baseline's results as a Markdown page (bench/results/baseline.md).

const num = (v, digits = 0) => (v === undefined || v === null || Number.isNaN(v) ? '–' : Number(v).toFixed(digits))
const ratioOrValue = (g) => (g.measured === undefined ? '–' : g.note === 'ratio' ? `${num(g.measured, 2)}x` : `${num(g.measured, g.note === 'B' ? 1 : 2)} ${g.note}`)

export function renderMarkdown(r) {
  const m = r.machine
  const out = []
  out.push('# Performance baseline', '')
  out.push(`Taken ${r.date} with \`${r.suiteCommand}\` on ${m.cpuModel} × ${m.cpuCount}, ${num(m.memoryBytes / 2 ** 30, 1)} GiB, ${m.os}, Node ${m.node}.`)
  out.push(`Load average at start ${m.loadAverageAtStart.map((l) => l.toFixed(2)).join(' / ')}, at end ${m.loadAverageAtEnd?.map((l) => l.toFixed(2)).join(' / ') ?? '–'}: server and generator share the machine (and anything else running on it), so compare runs from the same machine and a quiet moment only.`, '')
  const s = r.settings
  out.push(`## Throughput and latency`, '')
  out.push(`Workload ${s.workload} (50% reads of all bins, 50% updates), ${s.keys} keys, one ${s.valueBytes}-byte blob bin, ${s.inflightPerConnection} command in flight per connection, ${s.secondsPerRun} s per run. Server CPU per operation is utime+stime of the server process (/proc/<pid>/stat) over the run divided by its operations. ${flagsSentence(s)}`, '')
  const gc = r.runs.some((run) => run.gc !== undefined)
  out.push(`| system | connections | round | ops/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | server CPU µs/op | generator CPU µs/op | errors | timeouts |${gc ? ' GC pauses | longest GC pause ms |' : ''}`)
  out.push(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|${gc ? '---:|---:|' : ''}`)
  for (const run of r.runs) {
    const l = run.latencyMs
    const gcCells = gc ? ` ${run.gc?.count ?? '–'} | ${run.gc === undefined ? '–' : `${num(run.gc.maxPauseMs, 2)} (${run.gc.maxPauseKind ?? '–'})`} |` : ''
    out.push(`| ${run.system} | ${run.connections} | ${run.round ?? '–'} | ${num(run.opsPerSecond)} | ${num(l.p50, 3)} | ${num(l.p90, 3)} | ${num(l.p99, 3)} | ${num(l.p999, 3)} | ${num(l.max, 3)} | ${num(run.serverCpuMicrosPerOp, 1)} | ${num(run.generatorCpuMicrosPerOp, 1)} | ${run.errors} | ${run.timeouts} |${gcCells}`)
  }
  if (r.repeats) {
    const spread = (f, digits) => (f === undefined ? '–' : `${num(f.median, digits)} (${num(f.min, digits)}–${num(f.max, digits)})`)
    out.push('', `Medians (min–max) of ${r.repeats[0]?.runs ?? 0} alternating runs at ${s.connections} connections:`, '')
    out.push('| system | ops/s | server CPU µs/op | p99 ms | longest GC pause ms |', '|---|---:|---:|---:|---:|')
    for (const x of r.repeats) out.push(`| ${x.system} | ${spread(x.opsPerSecond, 0)} | ${spread(x.serverCpuMicrosPerOp, 1)} | ${spread(x.p99Ms, 3)} | ${spread(x.maxGcPauseMs, 2)} |`)
  }
  const redis = r.runs.find((x) => x.perTest)
  if (redis) {
    out.push('', `Redis: redis-benchmark runs SET and then GET (${redis.ops / 2} requests each, random keys in a ${s.keys}-key space); ops/s is the rate of the pairs (harmonic mean), latencies are the worse of the two tests (redis-benchmark does not report p90 or p99.9): SET ${num(redis.perTest.SET.rps)}/s p50 ${redis.perTest.SET.p50} ms p99 ${redis.perTest.SET.p99} ms; GET ${num(redis.perTest.GET.rps)}/s p50 ${redis.perTest.GET.p50} ms p99 ${redis.perTest.GET.p99} ms.`)
  }
  out.push('', '![throughput and latency](baseline.svg)', '')
  out.push(`## Goals (${r.repeats ? 'from the medians of the repeated runs' : 'from one run'}; reported, not asserted)`, '')
  out.push('| goal | target | measured | met |', '|---|---|---:|:---:|')
  for (const g of r.goals ?? []) out.push(`| ${g.name} | ${g.target} | ${ratioOrValue(g)} | ${g.met === undefined ? '–' : g.met ? 'yes' : 'no'} |`)
  if (r.memory) {
    const mem = r.memory
    out.push('', '## Memory', '')
    out.push(`${mem.records} records (one integer bin, one 20-byte string bin, no stored key) written with \`aerolite bench --workload I\`; the node reports ${num(mem.objectsReported)} objects. RSS before ${num(mem.rssBeforeBytes / 2 ** 20, 1)} MiB, after ${num(mem.rssAfterBytes / 2 ** 20, 1)} MiB (peak ${num(mem.hwmAfterBytes / 2 ** 20, 1)} MiB): **${num(mem.bytesPerRecord, 1)} bytes per record** (RSS after minus before, divided by the records). Load rate ${num(mem.loadOpsPerSecond)} ops/s, server CPU ${num(mem.loadServerCpuMicrosPerOp, 1)} µs per insert.`)
  }
  if (r.profile) {
    const p = r.profile
    out.push('', '## Server profile under load', '')
    out.push(`\`node --cpu-prof\` on the server process during the preload and the 50-connection RU,50 run: ${num(p.sampledMs)} ms sampled, ${num(p.busyMs)} ms not idle. Self time, highest first (share of the non-idle time; "(program)" is V8/native work outside JavaScript, "(garbage collector)" is GC). V8 samples on wall-clock time: when the server is preempted (server and generator share the cores) or stalls on a page fault, the sample lands on the function that was running, so \`writeBuffer\` (the socket write) and \`reserve\` (first touch of a new write block's pages) carry more than their CPU time; \`perf record\` gives the CPU-only view.`, '')
    out.push('| # | self % | self ms | function | source |', '|---:|---:|---:|---|---|')
    p.top.forEach((row, i) => out.push(`| ${i + 1} | ${num(row.pctOfBusy, 1)} | ${num(row.selfMs)} | \`${row.name}\` | ${row.source} |`))
  }
  if (r.failures.length > 0) {
    out.push('', '## Steps that failed', '')
    for (const f of r.failures) out.push(`- ${f.step}: ${f.error}`)
  }
  out.push('', '## Exact commands', '')
  const sections = [...r.runs.map((x) => [`${x.system}, ${x.connections} connections${x.round === undefined ? '' : `, round ${x.round}`}`, x.commands]), ['Memory', r.memory?.commands], ['Profile', r.profile?.commands]]
  for (const [title, commands] of sections) {
    if (!commands) continue
    out.push(`${title}:`, '', '```sh', ...commands, '```', '')
  }
  return out.join('\n') + '\n'
}

/** Which V8 flags the servers ran with (the upper bound's own, when they differ). */
function flagsSentence(s) {
  const named = (flags) => (flags?.length ? flags.map((f) => `\`${f}\``).join(' ') : 'none')
  const upperBound = s.upperBoundNodeFlags ?? s.nodeFlags
  if (named(upperBound) === named(s.nodeFlags)) return `Aerolite and the upper bound run with the node flags ${named(s.nodeFlags)}.`
  return `Aerolite runs with the node flags ${named(s.nodeFlags)}, the upper bound with ${named(upperBound)}.`
}
