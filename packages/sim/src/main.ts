// `npm run sim -- --seed S` replays one seed and prints its schedule, its findings and its event
// log hash; `--seeds N [--from S]` runs many and prints `N seeds, K failures` and the failing seeds
// (each shrunk to its shortest failing schedule); `--plant NAME` switches a planted bug on.
import { parseArgs } from 'node:util'
import { PLANT_NAMES, type PlantName } from '@aerolite/server'
import { runMany, runOne, runSeeds } from './runner.ts'
import { FAULT_KINDS, type FaultKind } from './schedule.ts'

const USAGE = 'usage: npm run sim -- (--seed S [--schedule JSON] [--verbose] | --seeds N [--from S] [--workers W]) [--faults KIND,...] [--plant NAME]\n       npm run sim -- --real --seed S [--faults crash,pause,store-down,store-cut,node-cut]  (real processes: etcd and 3 nodes)'

function main(): Promise<number> {
  let args
  try {
    args = parseArgs({
      options: {
        seed: { type: 'string' },
        seeds: { type: 'string' },
        from: { type: 'string', default: '1' },
        plant: { type: 'string', multiple: true, default: [] },
        schedule: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        faults: { type: 'string', default: FAULT_KINDS.join(',') },
        workers: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        real: { type: 'boolean', default: false },
      },
      strict: true,
    }).values
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return Promise.resolve(2)
  }
  if (args.real) return import('./real-main.ts').then(({ realMain }) => realMain(args.seed, args.faults === FAULT_KINDS.join(',') ? undefined : args.faults, console.log))
  for (const plant of args.plant) {
    if (!(PLANT_NAMES as readonly string[]).includes(plant)) {
      console.error(`--plant ${plant} is not a planted fault (allowed: ${PLANT_NAMES.join(', ')})`)
      return Promise.resolve(2)
    }
  }
  const plants = new Set(args.plant as PlantName[])
  const kinds = new Set(args.faults.split(',').filter((kind) => kind !== ''))
  for (const kind of kinds) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      console.error(`--faults ${kind} is not a fault kind (allowed: ${FAULT_KINDS.join(', ')})`)
      return Promise.resolve(2)
    }
  }
  const faultKinds = kinds as Set<FaultKind>
  const count = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined
    const value = Number(text)
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`--${name} ${text} is not a whole number`)
    return value
  }
  try {
    const seed = count('seed', args.seed)
    const seeds = count('seeds', args.seeds)
    if ((seed === undefined) === (seeds === undefined)) throw new RangeError(`give --seed or --seeds\n${USAGE}`)
    if (seed !== undefined) return runOne(seed, { plants, kinds: faultKinds, schedule: args.schedule, verbose: args.verbose, print: console.log })
    const from = count('from', args.from)!
    if (args.json) return runSeeds(from, seeds!, { plants, kinds: faultKinds }, (summary) => console.log(JSON.stringify(summary))).then(() => 0)
    return runMany(from, seeds!, { plants, kinds: faultKinds, workers: Math.max(1, count('workers', args.workers)!), print: console.log })
  } catch (err) {
    console.error((err as Error).message)
    return Promise.resolve(2)
  }
}

process.exitCode = await main()
