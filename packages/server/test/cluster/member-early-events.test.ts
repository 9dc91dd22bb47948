// A member can learn of a partition's change (an owner filled) before it has computed the view's
// plans: another member had every copy report sooner, planned, filled and told. The event is kept
// and applied once the plans are; before, it was confirmed and dropped, so the late member saw that
// owner unfilled forever and the cluster never settled.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ParticleType, computeDigest, integerParticle } from '@aerolite/protocol'
import { makeView } from '../../src/cluster/view.ts'
import { manualEnv } from '../../src/env/manual-env.ts'
import { TestFabric, memberInfo, settle, startNode } from './member-harness.ts'

test('partition events that arrive before the view\'s plans are applied once the plans are computed', async () => {
  const env = manualEnv({ seed: 9 })
  const fabric = new TestFabric(env)
  const alone = makeView(1, [memberInfo('A1')])
  const a = await startNode(env, fabric, 'A1', alone)
  await settle(env, [a])
  for (let i = 0; i < 200; i++) {
    const digest = computeDigest('demo', ParticleType.STRING, Buffer.from(`k${i}`))
    a.namespace.store(digest, -1, { generation: 1, voidTime: 0, lastUpdateMs: a.namespace.nowMs(), setId: a.namespace.sets.getOrCreate('demo')!.id, key: undefined, bins: [{ name: 'v', particleType: ParticleType.INTEGER, value: integerParticle(i) }] }, 'client')
  }
  const three = makeView(2, [memberInfo('A1'), memberInfo('B2'), memberInfo('C3')])
  // C3 lacks B2's copy report for a while: A1 and B2 plan, and A1 fills B2 and tells C3 meanwhile.
  fabric.cut.add('B2>C3')
  const b = await startNode(env, fabric, 'B2', three)
  const c = await startNode(env, fabric, 'C3', three)
  a.newView(three)
  await env.scheduler.advance(500)
  assert.ok(a.member.planOf('test') !== undefined && b.member.planOf('test') !== undefined, 'A1 and B2 planned')
  assert.equal(c.member.planOf('test'), undefined, 'C3 has no plan yet')
  const plan = a.member.planOf('test')!
  let filledEarly = 0
  for (let pid = 0; pid < 4096; pid++) if (plan.master(pid) === 0 && plan.owners(pid)[0] === 0 && plan.owners(pid)[1] === 1 && plan.isFull(1, pid) && a.namespace.entriesOf(pid).length > 0) filledEarly++
  assert.ok(filledEarly > 0, 'A1 filled B2 (and told C3) before C3 planned')
  fabric.cut.delete('B2>C3')
  await settle(env, [a, b, c])
  for (let pid = 0; pid < 4096; pid++) {
    const plans = [a, b, c].map((n) => n.member.planOf('test')!)
    for (const member of [0, 1, 2]) assert.equal(plans[2]!.isFull(member, pid), plans[0]!.isFull(member, pid), `C3 and A1 agree on member ${member}'s copy of partition ${pid}`)
  }
})
