// The operations Lua code asks of the node through its one host function, host(op, ...).
// lua-record.ts and lua-stream.ts name the same numbers; keep them in step.
export const HostOp = {
  /** host(BIN, name) -> msgpack of the bin's value, or nil. */
  BIN: 1,
  /** host(STAGE, name, msgpack) -> nothing; a bin value for the next CREATE or UPDATE. */
  STAGE: 2,
  /** host(CREATE) -> 0, or 1 when the record exists. */
  CREATE: 3,
  /** host(UPDATE) -> 0, or -2 when there is no record to update. */
  UPDATE: 4,
  /** host(REMOVE) -> 0, or 1 when there is no record. */
  REMOVE: 5,
  /** host(EXISTS) -> boolean. */
  EXISTS: 6,
  /** host(META, which) -> one metadata value (MetaField). */
  META: 7,
  /** host(BIN_NAMES) -> each bin name as its own return value. */
  BIN_NAMES: 8,
  /** host(SET_TTL, seconds) -> nothing. */
  SET_TTL: 9,
  /** host(DROP_KEY) -> nothing. */
  DROP_KEY: 10,
  /** host(LOG, level, message) -> nothing. */
  LOG: 11,
  /** host(NEXT) -> true once the next record of a stream batch is open, false past the last. */
  NEXT: 12,
  /** host(EMIT, msgpack) -> nothing; a value a stream UDF hands out. */
  EMIT: 13,
} as const

export const MetaField = {
  TTL: 1,
  GENERATION: 2,
  LAST_UPDATE_TIME: 3,
  SET_NAME: 4,
  /** msgpack of the user key, or nil. */
  KEY: 5,
  /** The 20-byte digest as a string. */
  DIGEST: 6,
  BIN_COUNT: 7,
  SIZE_BYTES: 8,
} as const
