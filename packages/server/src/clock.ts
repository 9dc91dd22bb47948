// Time is injected so expiry and TTL logic can be tested (and simulated) without waiting.
import { citrusleafSeconds } from '@aerolite/protocol'

export interface Clock {
  nowMs(): number
}

export const systemClock: Clock = { nowMs: () => Date.now() }

/** Seconds since 2010-01-01, the unit of void times. */
export function nowCitrusleaf(clock: Clock): number {
  return citrusleafSeconds(clock.nowMs())
}
