// Types of build-dashboards.mjs for the TypeScript tests that read it.
export interface DashboardJson {
  uid: string
  title: string
  templating: { list: Array<{ name: string; definition?: string }> }
  panels: Array<{ title: string; targets: Array<{ expr: string; legendFormat: string }> }>
}
export const DASHBOARD_DIR: string
export function dashboards(): Array<{ file: string; json: DashboardJson }>
export function dashboardText(json: DashboardJson): string
