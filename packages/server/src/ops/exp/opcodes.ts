// The expression language's wire codes: op codes, result types, CALL systems and op flags
// (reference §9; the client's as_exp.h names the same numbers).

export const ExpOp = {
  UNKNOWN: 0,
  EQ: 1,
  NE: 2,
  GT: 3,
  GE: 4,
  LT: 5,
  LE: 6,
  REGEX: 7,
  GEO: 8,
  IN_LIST: 9,
  AND: 16,
  OR: 17,
  NOT: 18,
  EXCLUSIVE: 19,
  ADD: 20,
  SUB: 21,
  MUL: 22,
  DIV: 23,
  POW: 24,
  LOG: 25,
  MOD: 26,
  ABS: 27,
  FLOOR: 28,
  CEIL: 29,
  TO_INT: 30,
  TO_FLOAT: 31,
  INT_AND: 32,
  INT_OR: 33,
  INT_XOR: 34,
  INT_NOT: 35,
  INT_LSHIFT: 36,
  INT_RSHIFT: 37,
  INT_ARSHIFT: 38,
  INT_COUNT: 39,
  INT_LSCAN: 40,
  INT_RSCAN: 41,
  MIN: 50,
  MAX: 51,
  DIGEST_MODULO: 64,
  DEVICE_SIZE: 65,
  LAST_UPDATE: 66,
  SINCE_UPDATE: 67,
  VOID_TIME: 68,
  TTL: 69,
  SET_NAME: 70,
  KEY_EXISTS: 71,
  IS_TOMBSTONE: 72,
  MEMORY_SIZE: 73,
  RECORD_SIZE: 74,
  KEY: 80,
  BIN: 81,
  BIN_TYPE: 82,
  REMOVE_RESULT: 100,
  MAP_KEYS: 101,
  MAP_VALUES: 102,
  LOOPVAR: 122,
  COND: 123,
  VAR: 124,
  LET: 125,
  QUOTE: 126,
  CALL: 127,
} as const

/** Result types, as BIN, KEY, CALL and LOOPVAR name them on the wire; REMOVE and END are internal. */
export const ExpType = {
  NIL: 0,
  BOOL: 1,
  INT: 2,
  STR: 3,
  LIST: 4,
  MAP: 5,
  BLOB: 6,
  FLOAT: 7,
  GEOJSON: 8,
  HLL: 9,
  /** Wire types are below this. */
  INPUT_END: 10,
  /** REMOVE_RESULT: tells a path modify to drop the element. */
  REMOVE: 11,
  /** Not known until run time (an ext literal such as INF or WILDCARD). */
  END: 12,
} as const

export type ExpTypeCode = (typeof ExpType)[keyof typeof ExpType]

/** CALL systems; MODIFY_LOCAL marks a modify applied to a copy of the operand. */
export const CallSystem = {
  CDT: 0,
  BITS: 1,
  HLL: 2,
  MODIFY_LOCAL: 0x40,
} as const

/** Flags of the expression read/modify ops. */
export const ExpOpFlag = {
  CREATE_ONLY: 1,
  UPDATE_ONLY: 2,
  ALLOW_DELETE: 4,
  POLICY_NO_FAIL: 8,
  EVAL_NO_FAIL: 16,
} as const

/** LOOPVAR slots a path expression fills: the element's key, value and index. */
export const BUILTIN_VAR_COUNT = 3
export const BUILTIN_VAR_INDEX = 2

/** CDT op codes that wrap another op: a context path, and a path select. */
export const CDT_CONTEXT_EVAL = 0xff
export const CDT_SELECT = 0xfe
