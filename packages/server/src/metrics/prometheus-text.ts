// Prometheus text exposition format 0.0.4: samples grouped by family, one TYPE line per family.

export type MetricType = 'gauge' | 'counter' | 'histogram'
export type Labels = ReadonlyArray<readonly [string, string]>

interface Family {
  type: MetricType
  samples: string[]
}

/** What Prometheus accepts as a metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. Anything else becomes '_'. */
export function metricName(text: string): string {
  const name = text.replace(/[^a-zA-Z0-9_:]/g, '_')
  return /^[0-9]/.test(name) ? `_${name}` : name
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}

export class MetricFamilies {
  private readonly families = new Map<string, Family>()

  /** One sample of family `family`; histograms name their samples `<family>_bucket`, `_sum`, `_count`. */
  add(family: string, type: MetricType, labels: Labels, value: number, sampleName = family): void {
    let entry = this.families.get(family)
    if (entry === undefined) {
      entry = { type, samples: [] }
      this.families.set(family, entry)
    }
    const labelText = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`
    entry.samples.push(`${sampleName}${labelText} ${formatValue(value)}`)
  }

  names(): string[] {
    return [...this.families.keys()]
  }

  text(): string {
    let out = ''
    for (const [name, family] of this.families) out += `# TYPE ${name} ${family.type}\n${family.samples.join('\n')}\n`
    return out
  }
}
