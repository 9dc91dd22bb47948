// `aerolite deploy global-lb`: the HAProxy configuration it writes (checked by HAProxy itself when
// installed) and its answers to bad arguments.
import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lines, runCli } from './cli-process.ts'

const dir = mkdtempSync(join(tmpdir(), 'aerolite-deploy-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const haproxyMissing = spawnSync('haproxy', ['-v'], { stdio: 'ignore' }).error !== undefined

test('global-lb --out writes a configuration HAProxy accepts: the first region while it has a healthy node, then the next', async (t) => {
  const out = join(dir, 'lb')
  const run = await runCli(['deploy', 'global-lb', '--site', 'east=10.0.1.1:3000, 10.0.1.2:3000', '--site', 'west=[fd00::2]:3100', '--listen', '127.0.0.1:4000', '--check-interval-ms', '250', '--fall', '3', '--out', out])
  assert.equal(run.code, 0, run.stderr)
  const file = join(out, 'haproxy.cfg')
  assert.deepEqual(lines(run.stdout).slice(0, 3), [
    `wrote ${file}: clients connect to 127.0.0.1:4000`,
    'regions in order of preference: east (2 nodes), west (1 node)',
    // fall × (interval + check timeout): 3 × (250 + 250).
    'a region that stops answering is passed over within 1500 ms',
  ])
  const config = readFileSync(file, 'utf8')
  assert.match(config, /^# Rendered by: aerolite deploy global-lb --site east=/)
  assert.match(config, /bind 127\.0\.0\.1:4000\n\s+use_backend region_east if \{ nbsrv\(region_east\) gt 0 \}\n\s+default_backend region_west\n/)
  assert.match(config, /server east_1 10\.0\.1\.1:3000 check\n\s+server east_2 10\.0\.1\.2:3000 check\n/)
  assert.match(config, /server west_1 \[fd00::2\]:3100 check\n/)
  assert.match(config, /default-server inter 250ms fall 3 rise 2 on-marked-down shutdown-sessions/)
  // The health check is the info command "status" in the Aerospike protocol, answered "status\tok".
  assert.ok(config.includes(`tcp-check send-binary ${Buffer.concat([Buffer.from([2, 1, 0, 0, 0, 0, 0, 7]), Buffer.from('status\n')]).toString('hex')}`))
  assert.ok(config.includes(`tcp-check expect binary ${Buffer.from('status\tok').toString('hex')}`))
  if (haproxyMissing) return t.skip('haproxy is not installed: the configuration was not checked by HAProxy')
  const check = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' })
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`)
})

test('global-lb without --out prints the configuration', async () => {
  const run = await runCli(['deploy', 'global-lb', '--site', 'a=127.0.0.1:3000', '--site', 'b=127.0.0.1:3001'])
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, /^# Rendered by: aerolite deploy global-lb/)
  assert.match(run.stdout, /server b_1 127\.0\.0\.1:3001 check/)
})

test('deploy answers bad arguments with a usage error (exit 2) that names the problem', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['deploy'], /deploy needs a target: global-lb, cloud/],
    [['deploy', 'k8s'], /unknown deploy target "k8s" \(targets: global-lb, cloud\)/],
    [['deploy', 'global-lb', '--site', 'a=127.0.0.1:3000'], /needs at least two --site/],
    [['deploy', 'global-lb', '--site', 'a=127.0.0.1:3000', '--site', 'a=127.0.0.1:3001'], /--site a is given twice/],
    [['deploy', 'global-lb', '--site', 'a b=127.0.0.1:3000', '--site', 'b=127.0.0.1:3001'], /--site "a b=127\.0\.0\.1:3000" is not NAME=HOST:PORT/],
    [['deploy', 'global-lb', '--site', 'a=127.0.0.1', '--site', 'b=127.0.0.1:3001'], /--site a: "127\.0\.0\.1" is not HOST:PORT/],
    [['deploy', 'global-lb', '--site', 'a=127.0.0.1:70000', '--site', 'b=127.0.0.1:3001'], /--site a: "127\.0\.0\.1:70000" is not HOST:PORT/],
    [['deploy', 'global-lb', '--site', 'a=127.0.0.1:3000', '--site', 'b=127.0.0.1:3001', '--fall', '0'], /--fall "0" is not a whole number from 1 to 100/],
    [['deploy', 'global-lb', '--site', 'a=127.0.0.1:3000', '--site', 'b=127.0.0.1:3001', '--listen', 'everywhere'], /--listen: "everywhere" is not HOST:PORT/],
  ]
  for (const [args, message] of cases) {
    const run = await runCli(args)
    assert.equal(run.code, 2, `${args.join(' ')}: exit ${run.code}`)
    assert.match(run.stderr, message, args.join(' '))
    assert.equal(lines(run.stderr).length, 1, `one line for ${args.join(' ')}: ${run.stderr}`)
  }
})
