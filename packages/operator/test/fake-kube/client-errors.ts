// What a failed call of a @kubernetes/client-node typed client carried: the HTTP code and the
// Status reason of its body (the clients keep the body as text).
import assert from 'node:assert/strict'
import { ApiException } from '@kubernetes/client-node'

export async function apiFailure(call: Promise<unknown>): Promise<{ code: number; reason: string; message: string }> {
  try {
    await call
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`)
    const body = JSON.parse(String(err.body)) as { kind: string; reason: string; message: string }
    assert.equal(body.kind, 'Status')
    return { code: err.code, reason: body.reason, message: body.message }
  }
  assert.fail('the call succeeded')
}
