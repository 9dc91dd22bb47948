// API errors as the API server reports them: a Status object with an HTTP code and a reason that
// clients switch on (AlreadyExists, Conflict, NotFound, ...).
import { qualifiedName, type ResourceDef } from './resources.ts'

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'RequestEntityTooLarge'
  | 'InternalError'

export interface StatusObject {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Failure'
  message: string
  reason: StatusReason
  code: number
  details?: { name?: string; group?: string; kind?: string }
}

export class ApiError extends Error {
  readonly code: number
  readonly reason: StatusReason
  readonly details: StatusObject['details']

  constructor(code: number, reason: StatusReason, message: string, details?: StatusObject['details']) {
    super(message)
    this.code = code
    this.reason = reason
    this.details = details
  }

  toStatus(): StatusObject {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: this.message, reason: this.reason, code: this.code,
      ...(this.details === undefined ? {} : { details: this.details }),
    }
  }
}

function details(r: ResourceDef, name: string): StatusObject['details'] {
  return { name, group: r.group, kind: r.plural }
}

export function notFound(r: ResourceDef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedName(r)} "${name}" not found`, details(r, name))
}

export function alreadyExists(r: ResourceDef, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedName(r)} "${name}" already exists`, details(r, name))
}

export function conflict(r: ResourceDef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": ${why}`, details(r, name))
}

export function invalid(r: ResourceDef, name: string, why: string): ApiError {
  return new ApiError(422, 'Invalid', `${r.kind}${r.group === '' ? '' : `.${r.group}`} "${name}" is invalid: ${why}`, details(r, name))
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message)
}
