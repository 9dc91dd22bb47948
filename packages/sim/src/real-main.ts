// `npm run sim -- --real --seed S [--faults KIND,...]`: one run of the workload and checker on real
// processes (etcd and three `aerolite start` nodes), its faults drawn from the seed.
import { NAMESPACED_FAULT_KINDS, REAL_FAULT_KINDS, realSchedule, reportReal, runReal, type RealFaultKind } from './real-cluster.ts'
import { netNamespacesUsable } from './net-namespaces.ts'
import { etcdInstalled, loopbackAliases } from './real-processes.ts'

export async function realMain(seedText: string | undefined, faults: string | undefined, print: (line: string) => void): Promise<number> {
  const seed = Number(seedText)
  if (seedText === undefined || !Number.isSafeInteger(seed) || seed < 0) {
    console.error('--real needs --seed S (a whole number)')
    return 2
  }
  const kinds = new Set((faults ?? REAL_FAULT_KINDS.join(',')).split(',').filter((kind) => kind !== ''))
  for (const kind of kinds) {
    if (!(REAL_FAULT_KINDS as readonly string[]).includes(kind)) {
      console.error(`--faults ${kind} is not a real-process fault kind (allowed: ${REAL_FAULT_KINDS.join(', ')})`)
      return 2
    }
  }
  const cannotIsolate = netNamespacesUsable()
  if (cannotIsolate !== undefined) {
    const needing = [...NAMESPACED_FAULT_KINDS].filter((kind) => kinds.has(kind))
    if (faults !== undefined && needing.length > 0) {
      console.error(`--faults ${needing.join(',')}: ${cannotIsolate}`)
      return 2
    }
    for (const kind of needing) kinds.delete(kind)
    if (needing.length > 0) print(`without ${needing.join(', ')}: ${cannotIsolate}`)
  }
  if (!etcdInstalled()) {
    console.error('--real needs etcd on PATH (apt-get install etcd-server)')
    return 2
  }
  if (!(await loopbackAliases())) {
    console.error('--real needs the loopback addresses 127.0.0.2 and 127.0.0.3 (Linux has them)')
    return 2
  }
  const result = await runReal(seed, realSchedule(seed, { kinds: kinds as Set<RealFaultKind> }), { log: print })
  for (const line of reportReal(result)) print(line)
  return result.violations.length > 0 ? 1 : 0
}
