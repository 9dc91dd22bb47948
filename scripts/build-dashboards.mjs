#!/usr/bin/env node
// Writes the Grafana dashboards of deploy/monitoring/dashboards/ from the short descriptions below:
// one place for the queries, one shape for every panel. `node scripts/build-dashboards.mjs` after a
// change; test/monitoring/dashboards.test.ts fails while the files differ from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const DASHBOARD_DIR = fileURLToPath(new URL('../deploy/monitoring/dashboards/', import.meta.url))

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' }
const NODE = 'cluster_name=~"$cluster",service=~"$node"'
const NS = `${NODE},ns=~"$namespace"`

/** A time series panel; `queries` are [PromQL, legend] pairs. */
function timeseries(title, unit, queries, options = {}) {
  return { type: 'timeseries', title, unit, queries, ...options }
}

function stat(title, unit, queries, options = {}) {
  return { type: 'stat', title, unit, queries, ...options }
}

const quantile = (q, kind) => `histogram_quantile(${q}, sum by (service, ns, le) (rate(aerolite_latencies_${kind}_ms_bucket{${NODE}}[1m])))`
const opsPerSecond = (stats) => stats.map((s) => `rate(aerospike_namespace_${s}{${NS}}[1m])`).join(' + ')

const DASHBOARDS = [
  {
    uid: 'aerolite-cluster',
    title: 'Aerolite: cluster overview',
    variables: ['cluster', 'node'],
    panels: [
      stat('Nodes serving', 'none', [[`count(aerospike_node_up{${NODE}})`, 'nodes']]),
      stat('Cluster size (smallest view)', 'none', [[`min(aerospike_node_stats_cluster_size{${NODE}})`, 'size']]),
      stat('Partitions left to migrate', 'none', [[`sum(aerospike_node_stats_migrate_partitions_remaining{${NODE}})`, 'partitions']]),
      stat('Largest clock skew', 'ms', [[`max(aerospike_node_stats_cluster_clock_skew_ms{${NODE}})`, 'skew']]),
      timeseries('Cluster size per node', 'none', [[`aerospike_node_stats_cluster_size{${NODE}}`, '{{service}}']]),
      timeseries('Client commands per second', 'ops', [[`sum by (service) (rate(aerospike_node_stats_message_requests{${NODE}}[1m]))`, '{{service}}']]),
      timeseries('Client connections', 'none', [
        [`aerospike_node_stats_client_connections{${NODE}}`, '{{service}}'],
        [`aerospike_node_stats_proto_fd_max{${NODE}}`, '{{service}} proto-fd-max'],
      ]),
      timeseries('Connections opened and closed per second', 'ops', [
        [`rate(aerospike_node_stats_client_connections_opened{${NODE}}[1m])`, '{{service}} opened'],
        [`rate(aerospike_node_stats_client_connections_closed{${NODE}}[1m])`, '{{service}} closed'],
      ]),
      timeseries('Migrations: partitions left, records moved per second', 'none', [
        [`aerospike_node_stats_migrate_partitions_remaining{${NODE}}`, '{{service}} partitions left'],
        [`rate(aerospike_node_stats_migrate_records_sent{${NODE}}[1m])`, '{{service}} records sent/s'],
      ]),
      timeseries('Proxied commands per second', 'ops', [
        [`rate(aerospike_node_stats_client_proxy_complete{${NODE}}[1m])`, '{{service}} complete'],
        [`rate(aerospike_node_stats_client_proxy_error{${NODE}}[1m]) + rate(aerospike_node_stats_client_proxy_timeout{${NODE}}[1m])`, '{{service}} failed'],
      ]),
      timeseries('Process memory', 'bytes', [
        [`aerospike_node_stats_process_rss_bytes{${NODE}}`, '{{service}} RSS'],
        [`aerospike_node_stats_heap_used_bytes{${NODE}}`, '{{service}} heap'],
      ]),
      timeseries('Host memory free', 'percent', [[`aerospike_node_stats_system_free_mem_pct{${NODE}}`, '{{service}}']]),
    ],
  },
  {
    uid: 'aerolite-namespace',
    title: 'Aerolite: namespaces',
    variables: ['cluster', 'node', 'namespace'],
    panels: [
      timeseries('Objects by role', 'none', [
        [`sum by (ns) (aerospike_namespace_master_objects{${NS}})`, '{{ns}} master'],
        [`sum by (ns) (aerospike_namespace_prole_objects{${NS}})`, '{{ns}} replica'],
      ]),
      timeseries('Space used against stop-writes', 'percent', [
        [`aerospike_namespace_data_used_pct{${NS}}`, '{{service}} {{ns}} used'],
        [`aerospike_namespace_storage_engine_stop_writes_used_pct{${NS}}`, '{{service}} {{ns}} stop-writes'],
        [`aerospike_namespace_storage_engine_evict_used_pct{${NS}}`, '{{service}} {{ns}} eviction'],
      ]),
      timeseries('Space available', 'percent', [
        [`aerospike_namespace_data_avail_pct{${NS}}`, '{{service}} {{ns}} available'],
        [`aerospike_namespace_storage_engine_stop_writes_avail_pct{${NS}}`, '{{service}} {{ns}} stop-writes under'],
      ]),
      stat('Stop-writes / over eviction mark', 'none', [
        [`max by (ns) (aerospike_namespace_stop_writes{${NS}})`, '{{ns}} stop-writes'],
        [`max by (ns) (aerospike_namespace_hwm_breached{${NS}})`, '{{ns}} evicting'],
      ]),
      timeseries('Reads per second', 'ops', [
        [`sum by (ns) (${opsPerSecond(['client_read_success'])})`, '{{ns}} found'],
        [`sum by (ns) (${opsPerSecond(['client_read_not_found'])})`, '{{ns}} not found'],
        [`sum by (ns) (${opsPerSecond(['client_read_error', 'client_read_timeout'])})`, '{{ns}} failed'],
      ]),
      timeseries('Writes and deletes per second', 'ops', [
        [`sum by (ns) (${opsPerSecond(['client_write_success'])})`, '{{ns}} writes'],
        [`sum by (ns) (${opsPerSecond(['client_delete_success'])})`, '{{ns}} deletes'],
        [`sum by (ns) (${opsPerSecond(['client_write_error', 'client_write_timeout', 'client_delete_error', 'client_delete_timeout'])})`, '{{ns}} failed'],
        [`sum by (ns) (rate(aerospike_namespace_stop_writes_rejections{${NS}}[1m]))`, '{{ns}} refused at stop-writes'],
      ]),
      timeseries('Expired and evicted per second', 'ops', [
        [`sum by (ns) (rate(aerospike_namespace_expired_objects{${NS}}[5m]))`, '{{ns}} expired'],
        [`sum by (ns) (rate(aerospike_namespace_evicted_objects{${NS}}[5m]))`, '{{ns}} evicted'],
      ]),
      timeseries('Write and defrag queues (blocks)', 'none', [
        [`aerospike_namespace_storage_engine_file_write_q{${NS}}`, '{{service}} {{file}} write'],
        [`aerospike_namespace_storage_engine_file_defrag_q{${NS}}`, '{{service}} {{file}} defrag'],
        [`aerospike_namespace_storage_engine_stripe_write_q{${NS}}`, '{{service}} {{ns}} write'],
        [`aerospike_namespace_storage_engine_stripe_defrag_q{${NS}}`, '{{service}} {{ns}} defrag'],
      ]),
      timeseries('Expiry sweep (nsup)', 'ms', [[`aerospike_namespace_nsup_cycle_duration{${NS}}`, '{{service}} {{ns}}']]),
      timeseries('Objects per set', 'none', [[`sum by (ns, set) (aerospike_sets_objects{${NS}})`, '{{ns}}.{{set}}']]),
      timeseries('Secondary index entries', 'none', [[`sum by (ns, sindex) (aerospike_sindex_entries{${NS}})`, '{{ns}} {{sindex}}']]),
    ],
  },
  {
    uid: 'aerolite-latency',
    title: 'Aerolite: latency',
    variables: ['cluster', 'node'],
    panels: [
      ...['read', 'write', 'udf', 'query'].map((kind) => timeseries(`${kind}: 50th, 99th and 99.9th percentile`, 'ms', [
        [quantile(0.5, kind), '{{service}} {{ns}} p50'],
        [quantile(0.99, kind), '{{service}} {{ns}} p99'],
        [quantile(0.999, kind), '{{service}} {{ns}} p99.9'],
      ])),
      timeseries('batch-index: 50th and 99th percentile', 'ms', [
        [quantile(0.5, 'batch_index'), '{{service}} p50'],
        [quantile(0.99, 'batch_index'), '{{service}} p99'],
      ]),
      timeseries('Operations per second by kind (last ticker slice)', 'ops', [
        [`aerospike_latencies_read_ms_count{${NODE}}`, '{{service}} {{ns}} read'],
        [`aerospike_latencies_write_ms_count{${NODE}}`, '{{service}} {{ns}} write'],
        [`aerospike_latencies_udf_ms_count{${NODE}}`, '{{service}} {{ns}} udf'],
        [`aerospike_latencies_query_ms_count{${NODE}}`, '{{service}} {{ns}} query'],
        [`aerospike_latencies_batch_index_ms_count{${NODE}}`, '{{service}} batch-index'],
      ]),
      timeseries('Reads over 1 ms and over 8 ms (last ticker slice)', 'percentunit', [
        [`1 - aerospike_latencies_read_ms_bucket{${NODE},le="1"} / aerospike_latencies_read_ms_count{${NODE}}`, '{{service}} {{ns}} > 1 ms'],
        [`1 - aerospike_latencies_read_ms_bucket{${NODE},le="8"} / aerospike_latencies_read_ms_count{${NODE}}`, '{{service}} {{ns}} > 8 ms'],
      ]),
    ],
  },
  {
    uid: 'aerolite-xdr',
    title: 'Aerolite: cross-datacenter replication',
    variables: ['cluster', 'node', 'dc'],
    panels: [
      timeseries('Lag per DC', 's', [[`max by (dc) (aerospike_xdr_lag{${NODE},dc=~"$dc"})`, '{{dc}}']]),
      timeseries('Records waiting and in flight', 'none', [
        [`sum by (dc) (aerospike_xdr_in_queue{${NODE},dc=~"$dc"})`, '{{dc}} in queue'],
        [`sum by (dc) (aerospike_xdr_in_progress{${NODE},dc=~"$dc"})`, '{{dc}} in progress'],
      ]),
      timeseries('Shipped per second', 'ops', [
        [`sum by (dc) (rate(aerospike_xdr_success{${NODE},dc=~"$dc"}[1m]))`, '{{dc}} shipped'],
        [`sum by (dc) (rate(aerospike_xdr_filtered_out{${NODE},dc=~"$dc"}[1m]))`, '{{dc}} filtered out'],
        [`sum by (dc) (rate(aerospike_xdr_abandoned{${NODE},dc=~"$dc"}[1m]))`, '{{dc}} abandoned'],
      ]),
      timeseries('Retries per second', 'ops', [
        [`sum by (dc) (rate(aerospike_xdr_retry_conn_reset{${NODE},dc=~"$dc"}[1m]))`, '{{dc}} connection reset'],
        [`sum by (dc) (rate(aerospike_xdr_retry_dest{${NODE},dc=~"$dc"}[1m]))`, '{{dc}} refused by the destination'],
        [`sum by (dc) (rate(aerospike_xdr_retry_no_node{${NODE},dc=~"$dc"}[1m]))`, '{{dc}} no node'],
      ]),
      timeseries('Shipping latency', 'ms', [[`max by (dc) (aerospike_xdr_latency_ms{${NODE},dc=~"$dc"})`, '{{dc}}']]),
      timeseries('Recoveries', 'none', [
        [`sum by (dc) (increase(aerospike_xdr_recoveries{${NODE},dc=~"$dc"}[5m]))`, '{{dc}} started'],
        [`sum by (dc) (aerospike_xdr_recoveries_pending{${NODE},dc=~"$dc"})`, '{{dc}} pending'],
      ]),
    ],
  },
]

const VARIABLES = {
  cluster: { label: 'Cluster', query: 'label_values(aerospike_node_up, cluster_name)' },
  node: { label: 'Node', query: 'label_values(aerospike_node_up{cluster_name=~"$cluster"}, service)' },
  namespace: { label: 'Namespace', query: 'label_values(aerospike_namespace_objects{cluster_name=~"$cluster"}, ns)' },
  dc: { label: 'DC', query: 'label_values(aerospike_xdr_lag{cluster_name=~"$cluster"}, dc)' },
}

function variable(name) {
  const { label, query } = VARIABLES[name]
  return {
    name, label, type: 'query', datasource: DATASOURCE, query: { query, refId: name }, definition: query,
    refresh: 2, includeAll: true, multi: true, allValue: '.*', current: { text: 'All', value: '$__all' }, sort: 1,
  }
}

/** Two panels of 12 columns a row; stats are 6 wide and 4 high. */
function layout(panels) {
  let x = 0
  let y = 0
  let rowHeight = 0
  return panels.map((panel, i) => {
    const w = panel.type === 'stat' ? 6 : 12
    const h = panel.type === 'stat' ? 4 : 8
    if (x + w > 24) {
      x = 0
      y += rowHeight
      rowHeight = 0
    }
    const gridPos = { x, y, w, h }
    x += w
    rowHeight = Math.max(rowHeight, h)
    return {
      id: i + 1,
      type: panel.type,
      title: panel.title,
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      options: panel.type === 'stat' ? { reduceOptions: { calcs: ['lastNotNull'] }, colorMode: 'value' } : { legend: { displayMode: 'list', placement: 'bottom' } },
      targets: panel.queries.map(([expr, legendFormat], q) => ({ datasource: DATASOURCE, expr, legendFormat, refId: String.fromCharCode(65 + q) })),
    }
  })
}

export function dashboards() {
  return DASHBOARDS.map((d) => ({
    file: `${d.uid}.json`,
    json: {
      uid: d.uid,
      title: d.title,
      tags: ['aerolite', 'aerospike'],
      editable: true,
      schemaVersion: 39,
      version: 1,
      refresh: '10s',
      time: { from: 'now-1h', to: 'now' },
      templating: { list: [{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus' }, ...d.variables.map(variable)] },
      panels: layout(d.panels),
    },
  }))
}

export function dashboardText(json) {
  return `${JSON.stringify(json, null, 2)}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  mkdirSync(DASHBOARD_DIR, { recursive: true })
  for (const { file, json } of dashboards()) writeFileSync(new URL(file, `file://${DASHBOARD_DIR}`), dashboardText(json))
}
