// The alerts firing now, from the Alertmanager the console was told of (network { http {
// alertmanager-url URL } }): active, not silenced or inhibited, as Alertmanager's v2 API lists them.
import type { Env } from '@aerolite/protocol'
import { limits } from '../limits.ts'
import { httpGet } from './http-get.ts'

export interface FiringAlert {
  name: string
  severity: string
  summary: string
  labels: Record<string, string>
  startsAt: string
}

export type AlertsAnswer = { alerts: FiringAlert[] } | { error: string }

export async function firingAlerts(env: Env, alertmanagerUrl: string): Promise<AlertsAnswer> {
  const url = new URL(`${alertmanagerUrl.replace(/\/+$/, '')}/api/v2/alerts?active=true&silenced=false&inhibited=false`)
  try {
    const res = await httpGet(env, url, limits.alertmanagerTimeoutMs)
    if (res.status < 200 || res.status > 299) return { error: `Alertmanager at ${alertmanagerUrl} answered HTTP ${res.status}` }
    const body = JSON.parse(res.body) as Array<{ labels?: Record<string, string>; annotations?: Record<string, string>; startsAt?: string }>
    return {
      alerts: body.map((alert) => ({
        name: alert.labels?.alertname ?? '',
        severity: alert.labels?.severity ?? '',
        summary: alert.annotations?.summary ?? '',
        labels: alert.labels ?? {},
        startsAt: alert.startsAt ?? '',
      })),
    }
  } catch (err) {
    return { error: `Alertmanager at ${alertmanagerUrl} did not answer: ${err instanceof Error ? err.message : String(err)}` }
  }
}
