// The alerts firing now, from the Alertmanager the console was told of (network { http {
// alertmanager-url URL } }): active, not silenced or inhibited, as Alertmanager's v2 API lists them.

export interface FiringAlert {
  name: string
  severity: string
  summary: string
  labels: Record<string, string>
  startsAt: string
}

export type AlertsAnswer = { alerts: FiringAlert[] } | { error: string }

/** How long the console waits for Alertmanager before saying it did not answer. */
const ALERTMANAGER_TIMEOUT_MS = 2000

export async function firingAlerts(alertmanagerUrl: string): Promise<AlertsAnswer> {
  const url = `${alertmanagerUrl.replace(/\/+$/, '')}/api/v2/alerts?active=true&silenced=false&inhibited=false`
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ALERTMANAGER_TIMEOUT_MS) })
    if (!res.ok) return { error: `Alertmanager at ${alertmanagerUrl} answered HTTP ${res.status}` }
    const body = await res.json() as Array<{ labels?: Record<string, string>; annotations?: Record<string, string>; startsAt?: string }>
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
