// Aerospike result codes as the server sends them in byte 5 of a message header.

export interface ResultCodeInfo {
  code: number
  name: string
  message: string
}

const TABLE = [
  [0, 'OK', 'success'],
  [1, 'SERVER_ERROR', 'unknown server failure'],
  [2, 'RECORD_NOT_FOUND', 'record not found'],
  [3, 'GENERATION_ERROR', 'generation check failed'],
  [4, 'PARAMETER_ERROR', 'invalid request or parameter'],
  [5, 'RECORD_EXISTS', 'record already exists'],
  [6, 'BIN_EXISTS', 'bin already exists'],
  [7, 'CLUSTER_KEY_MISMATCH', 'cluster changed during the command'],
  [8, 'SERVER_FULL', 'namespace is out of space (stop-writes)'],
  [9, 'TIMEOUT', 'server-side timeout'],
  [10, 'ALWAYS_FORBIDDEN', 'operation not allowed for this configuration'],
  [11, 'PARTITION_UNAVAILABLE', 'partition unavailable'],
  [12, 'BIN_TYPE_ERROR', 'operation not applicable to the bin type'],
  [13, 'RECORD_TOO_BIG', 'record larger than max-record-size'],
  [14, 'KEY_BUSY', 'too many concurrent operations on the record'],
  [15, 'SCAN_ABORT', 'scan or query aborted'],
  [16, 'UNSUPPORTED_FEATURE', 'feature not supported'],
  [17, 'BIN_NOT_FOUND', 'bin not found'],
  [18, 'DEVICE_OVERLOAD', 'storage device overloaded'],
  [19, 'KEY_MISMATCH', 'stored key does not match the key sent'],
  [20, 'NAMESPACE_NOT_FOUND', 'namespace not found'],
  [21, 'BIN_NAME_TOO_LONG', 'bin name longer than 15 bytes'],
  [22, 'FAIL_FORBIDDEN', 'operation forbidden now'],
  [23, 'ELEMENT_NOT_FOUND', 'collection element not found'],
  [24, 'ELEMENT_EXISTS', 'collection element already exists'],
  [25, 'ENTERPRISE_ONLY', 'enterprise edition only'],
  [26, 'OP_NOT_APPLICABLE', 'operation not applicable'],
  [27, 'FILTERED_OUT', 'record filtered out by the filter expression'],
  [28, 'LOST_CONFLICT', 'write lost a conflict (XDR)'],
  [32, 'XDR_KEY_BUSY', 'record busy with XDR'],
  [50, 'QUERY_END', 'end of query results'],
  [51, 'SECURITY_NOT_SUPPORTED', 'security not supported'],
  [52, 'SECURITY_NOT_ENABLED', 'security not enabled'],
  [53, 'SECURITY_SCHEME_NOT_SUPPORTED', 'security scheme not supported'],
  [54, 'INVALID_COMMAND', 'invalid admin command'],
  [55, 'INVALID_FIELD', 'invalid admin field'],
  [56, 'ILLEGAL_STATE', 'illegal security state'],
  [60, 'INVALID_USER', 'invalid user'],
  [61, 'USER_ALREADY_EXISTS', 'user already exists'],
  [62, 'INVALID_PASSWORD', 'invalid password'],
  [63, 'EXPIRED_PASSWORD', 'expired password'],
  [64, 'FORBIDDEN_PASSWORD', 'forbidden password'],
  [65, 'INVALID_CREDENTIAL', 'invalid credential'],
  [66, 'EXPIRED_SESSION', 'expired session'],
  [70, 'INVALID_ROLE', 'invalid role'],
  [71, 'ROLE_ALREADY_EXISTS', 'role already exists'],
  [72, 'INVALID_PRIVILEGE', 'invalid privilege'],
  [73, 'INVALID_WHITELIST', 'invalid allowlist'],
  [74, 'QUOTAS_NOT_ENABLED', 'quotas not enabled'],
  [75, 'INVALID_QUOTA', 'invalid quota'],
  [80, 'NOT_AUTHENTICATED', 'not authenticated'],
  [81, 'ROLE_VIOLATION', 'role violation'],
  [82, 'NOT_WHITELISTED', 'client address not allowed'],
  [83, 'QUOTA_EXCEEDED', 'quota exceeded'],
  [90, 'LDAP_NOT_ENABLED', 'LDAP not enabled'],
  [91, 'LDAP_SETUP', 'LDAP setup error'],
  [92, 'LDAP_TLS_SETUP', 'LDAP TLS setup error'],
  [93, 'LDAP_AUTHENTICATION', 'LDAP authentication failed'],
  [94, 'LDAP_QUERY', 'LDAP query failed'],
  [100, 'UDF_ERROR', 'UDF failed'],
  [120, 'MRT_BLOCKED', 'record blocked by a transaction'],
  [121, 'MRT_VERSION_MISMATCH', 'transaction record version mismatch'],
  [122, 'MRT_EXPIRED', 'transaction expired'],
  [123, 'MRT_TOO_MANY_WRITES', 'too many writes in the transaction'],
  [124, 'MRT_COMMITTED', 'transaction already committed'],
  [125, 'MRT_ABORTED', 'transaction already aborted'],
  [126, 'MRT_ALREADY_LOCKED', 'record already locked by a transaction'],
  [127, 'MRT_MONITOR_EXISTS', 'transaction monitor exists'],
  [150, 'BATCH_DISABLED', 'batch commands disabled'],
  [151, 'BATCH_MAX_REQUESTS', 'batch has too many rows'],
  [152, 'BATCH_QUEUES_FULL', 'batch queues full'],
  [160, 'GEO_INVALID_GEOJSON', 'invalid GeoJSON'],
  [200, 'INDEX_FOUND', 'index already exists'],
  [201, 'INDEX_NOT_FOUND', 'index not found'],
  [202, 'INDEX_OOM', 'index out of memory'],
  [203, 'INDEX_NOT_READABLE', 'index not readable'],
  [204, 'INDEX_GENERIC', 'index error'],
  [205, 'INDEX_NAME_MAXLEN', 'index name too long'],
  [206, 'INDEX_MAXCOUNT', 'too many indexes'],
] as const satisfies ReadonlyArray<readonly [number, string, string]>

type ResultCodeTable = typeof TABLE

/** Result code numbers by name, for use in code: ResultCode.RECORD_NOT_FOUND === 2; a misspelt name does not compile. */
export const ResultCode = Object.freeze(Object.fromEntries(TABLE.map(([code, name]) => [name, code]))) as {
  readonly [Entry in ResultCodeTable[number] as Entry[1]]: Entry[0]
}

const BY_CODE = new Map<number, ResultCodeInfo>(TABLE.map(([code, name, message]): [number, ResultCodeInfo] => [code, { code, name, message }]))

export function resultCodeInfo(code: number): ResultCodeInfo | undefined {
  return BY_CODE.get(code)
}

export function allResultCodes(): ResultCodeInfo[] {
  return [...BY_CODE.values()]
}
