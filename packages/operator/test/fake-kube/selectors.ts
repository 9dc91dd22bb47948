// labelSelector and fieldSelector query parameters. Label selectors take the equality-based terms
// (a=b, a==b, a!=b, a, !a); the set-based ones (in, notin) are refused rather than misread.
// Field selectors take metadata.name and metadata.namespace, as every resource does.
import { badRequest } from './errors.ts'
import type { KubeObject } from './objects.ts'

export type Selector = (object: KubeObject) => boolean

interface Term {
  key: string
  op: '=' | '!=' | 'exists' | '!exists'
  value: string
}

const EQUALITY = /^([^\s=!]+)\s*(==|=|!=)\s*([^\s=!]*)$/
const EXISTS = /^(!?)([^\s=!(),]+)$/

function parseTerms(text: string | null, what: string): Term[] {
  if (text === null || text.trim() === '') return []
  return text.split(',').map((raw) => {
    const term = raw.trim()
    const equality = EQUALITY.exec(term)
    if (equality !== null) return { key: equality[1]!, op: equality[2] === '!=' ? '!=' : '=', value: equality[3]! }
    const exists = EXISTS.exec(term)
    if (exists !== null && what === 'label') return { key: exists[2]!, op: exists[1] === '!' ? '!exists' : 'exists', value: '' }
    throw badRequest(`unable to parse requirement: ${what} selector term "${term}" is not supported by the fake API server`)
  })
}

function holds(term: Term, actual: string | undefined): boolean {
  switch (term.op) {
    case '=': return actual === term.value
    case '!=': return actual !== term.value
    case 'exists': return actual !== undefined
    case '!exists': return actual === undefined
  }
}

export function labelSelector(text: string | null): Selector {
  const terms = parseTerms(text, 'label')
  return (object) => terms.every((term) => holds(term, object.metadata.labels?.[term.key]))
}

const FIELDS: Record<string, (object: KubeObject) => string | undefined> = {
  'metadata.name': (object) => object.metadata.name,
  'metadata.namespace': (object) => object.metadata.namespace ?? '',
}

export function fieldSelector(text: string | null): Selector {
  const terms = parseTerms(text, 'field').map((term) => {
    const field = FIELDS[term.key]
    if (field === undefined) throw badRequest(`field label not supported: ${term.key}`)
    return { term, field }
  })
  return (object) => terms.every(({ term, field }) => holds(term, field(object)))
}

/** Whether labels satisfy a LabelSelector object's matchLabels (matchExpressions are refused by the caller). */
export function matchesLabels(labels: Record<string, string> | undefined, matchLabels: Record<string, string> | undefined): boolean {
  return Object.entries(matchLabels ?? {}).every(([key, value]) => labels?.[key] === value)
}
