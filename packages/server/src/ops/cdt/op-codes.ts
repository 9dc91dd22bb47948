// CDT op codes (the first element of an op payload) and the arguments each one takes, in order.
// Trailing arguments past the required ones are optional; an op that takes no argument ignores
// whatever follows its code, as the server does.

export const ListOp = {
  SET_TYPE: 0,
  APPEND: 1,
  APPEND_ITEMS: 2,
  INSERT: 3,
  INSERT_ITEMS: 4,
  POP: 5,
  POP_RANGE: 6,
  REMOVE: 7,
  REMOVE_RANGE: 8,
  SET: 9,
  TRIM: 10,
  CLEAR: 11,
  INCREMENT: 12,
  SORT: 13,
  SIZE: 16,
  GET: 17,
  GET_RANGE: 18,
  GET_BY_INDEX: 19,
  GET_BY_VALUE: 20,
  GET_BY_RANK: 21,
  GET_ALL_BY_VALUE: 22,
  GET_ALL_BY_VALUE_LIST: 23,
  GET_BY_INDEX_RANGE: 24,
  GET_BY_VALUE_INTERVAL: 25,
  GET_BY_RANK_RANGE: 26,
  GET_BY_VALUE_REL_RANK_RANGE: 27,
  REMOVE_BY_INDEX: 32,
  REMOVE_BY_VALUE: 33,
  REMOVE_BY_RANK: 34,
  REMOVE_ALL_BY_VALUE: 35,
  REMOVE_ALL_BY_VALUE_LIST: 36,
  REMOVE_BY_INDEX_RANGE: 37,
  REMOVE_BY_VALUE_INTERVAL: 38,
  REMOVE_BY_RANK_RANGE: 39,
  REMOVE_BY_VALUE_REL_RANK_RANGE: 40,
} as const

export const MapOp = {
  SET_TYPE: 64,
  ADD: 65,
  ADD_ITEMS: 66,
  PUT: 67,
  PUT_ITEMS: 68,
  REPLACE: 69,
  REPLACE_ITEMS: 70,
  INCREMENT: 73,
  DECREMENT: 74,
  CLEAR: 75,
  REMOVE_BY_KEY: 76,
  REMOVE_BY_INDEX: 77,
  REMOVE_BY_VALUE: 78,
  REMOVE_BY_RANK: 79,
  REMOVE_BY_KEY_LIST: 81,
  REMOVE_ALL_BY_VALUE: 82,
  REMOVE_BY_VALUE_LIST: 83,
  REMOVE_BY_KEY_INTERVAL: 84,
  REMOVE_BY_INDEX_RANGE: 85,
  REMOVE_BY_VALUE_INTERVAL: 86,
  REMOVE_BY_RANK_RANGE: 87,
  REMOVE_BY_KEY_REL_INDEX_RANGE: 88,
  REMOVE_BY_VALUE_REL_RANK_RANGE: 89,
  SIZE: 96,
  GET_BY_KEY: 97,
  GET_BY_INDEX: 98,
  GET_BY_VALUE: 99,
  GET_BY_RANK: 100,
  GET_ALL_BY_VALUE: 102,
  GET_BY_KEY_INTERVAL: 103,
  GET_BY_INDEX_RANGE: 104,
  GET_BY_VALUE_INTERVAL: 105,
  GET_BY_RANK_RANGE: 106,
  GET_BY_KEY_LIST: 107,
  GET_BY_VALUE_LIST: 108,
  GET_BY_KEY_REL_INDEX_RANGE: 109,
  GET_BY_VALUE_REL_RANK_RANGE: 110,
} as const

/** Path select (Aerospike 8.1) and the context wrapper. */
export const CDT_SELECT = 0xfe
export const CDT_CONTEXT_EVAL = 0xff

/** Argument kinds: any value, a storable value, unsigned flags/count, signed index. */
export const Arg = { VALUE: 1, STORAGE: 2, UINT: 3, INT: 4 } as const

export interface OpSpec {
  name: string
  modify: boolean
  /** How many trailing arguments may be left out. */
  optional: number
  args: readonly number[]
}

const { VALUE, STORAGE, UINT, INT } = Arg

function spec(name: string, modify: boolean, optional: number, ...args: number[]): OpSpec {
  return { name, modify, optional, args }
}

const READ_BY_ONE = [UINT, INT]
const READ_BY_VALUE = [UINT, VALUE]

export const OP_SPECS: ReadonlyMap<number, OpSpec> = new Map<number, OpSpec>([
  [ListOp.SET_TYPE, spec('list_set_type', true, 0, UINT)],
  [ListOp.APPEND, spec('list_append', true, 2, STORAGE, UINT, UINT)],
  [ListOp.APPEND_ITEMS, spec('list_append_items', true, 2, STORAGE, UINT, UINT)],
  [ListOp.INSERT, spec('list_insert', true, 1, INT, STORAGE, UINT)],
  [ListOp.INSERT_ITEMS, spec('list_insert_items', true, 1, INT, STORAGE, UINT)],
  [ListOp.POP, spec('list_pop', true, 0, INT)],
  [ListOp.POP_RANGE, spec('list_pop_range', true, 1, INT, UINT)],
  [ListOp.REMOVE, spec('list_remove', true, 0, INT)],
  [ListOp.REMOVE_RANGE, spec('list_remove_range', true, 1, INT, UINT)],
  [ListOp.SET, spec('list_set', true, 1, INT, STORAGE, UINT)],
  [ListOp.TRIM, spec('list_trim', true, 0, INT, UINT)],
  [ListOp.CLEAR, spec('list_clear', true, 0)],
  [ListOp.INCREMENT, spec('list_increment', true, 3, INT, VALUE, UINT, UINT)],
  [ListOp.SORT, spec('list_sort', true, 1, UINT)],
  [ListOp.SIZE, spec('list_size', false, 0)],
  [ListOp.GET, spec('list_get', false, 0, INT)],
  [ListOp.GET_RANGE, spec('list_get_range', false, 1, INT, UINT)],
  [ListOp.GET_BY_INDEX, spec('list_get_by_index', false, 0, ...READ_BY_ONE)],
  [ListOp.GET_BY_VALUE, spec('list_get_by_value', false, 0, ...READ_BY_VALUE)],
  [ListOp.GET_BY_RANK, spec('list_get_by_rank', false, 0, ...READ_BY_ONE)],
  [ListOp.GET_ALL_BY_VALUE, spec('list_get_all_by_value', false, 0, ...READ_BY_VALUE)],
  [ListOp.GET_ALL_BY_VALUE_LIST, spec('list_get_all_by_value_list', false, 0, ...READ_BY_VALUE)],
  [ListOp.GET_BY_INDEX_RANGE, spec('list_get_by_index_range', false, 1, UINT, INT, UINT)],
  [ListOp.GET_BY_VALUE_INTERVAL, spec('list_get_by_value_interval', false, 1, UINT, VALUE, VALUE)],
  [ListOp.GET_BY_RANK_RANGE, spec('list_get_by_rank_range', false, 1, UINT, INT, UINT)],
  [ListOp.GET_BY_VALUE_REL_RANK_RANGE, spec('list_get_by_value_rel_rank_range', false, 1, UINT, VALUE, INT, UINT)],
  [ListOp.REMOVE_BY_INDEX, spec('list_remove_by_index', true, 0, ...READ_BY_ONE)],
  [ListOp.REMOVE_BY_VALUE, spec('list_remove_by_value', true, 0, ...READ_BY_VALUE)],
  [ListOp.REMOVE_BY_RANK, spec('list_remove_by_rank', true, 0, ...READ_BY_ONE)],
  [ListOp.REMOVE_ALL_BY_VALUE, spec('list_remove_all_by_value', true, 0, ...READ_BY_VALUE)],
  [ListOp.REMOVE_ALL_BY_VALUE_LIST, spec('list_remove_all_by_value_list', true, 0, ...READ_BY_VALUE)],
  [ListOp.REMOVE_BY_INDEX_RANGE, spec('list_remove_by_index_range', true, 1, UINT, INT, UINT)],
  [ListOp.REMOVE_BY_VALUE_INTERVAL, spec('list_remove_by_value_interval', true, 1, UINT, VALUE, VALUE)],
  [ListOp.REMOVE_BY_RANK_RANGE, spec('list_remove_by_rank_range', true, 1, UINT, INT, UINT)],
  [ListOp.REMOVE_BY_VALUE_REL_RANK_RANGE, spec('list_remove_by_value_rel_rank_range', true, 1, UINT, VALUE, INT, UINT)],

  [MapOp.SET_TYPE, spec('map_set_type', true, 0, UINT)],
  [MapOp.ADD, spec('map_add', true, 1, STORAGE, STORAGE, UINT)],
  [MapOp.ADD_ITEMS, spec('map_add_items', true, 1, STORAGE, UINT)],
  [MapOp.PUT, spec('map_put', true, 2, STORAGE, STORAGE, UINT, UINT)],
  [MapOp.PUT_ITEMS, spec('map_put_items', true, 2, STORAGE, UINT, UINT)],
  [MapOp.REPLACE, spec('map_replace', true, 0, STORAGE, STORAGE)],
  [MapOp.REPLACE_ITEMS, spec('map_replace_items', true, 0, STORAGE)],
  [MapOp.INCREMENT, spec('map_increment', true, 2, VALUE, VALUE, UINT)],
  [MapOp.DECREMENT, spec('map_decrement', true, 2, VALUE, VALUE, UINT)],
  [MapOp.CLEAR, spec('map_clear', true, 0)],
  [MapOp.REMOVE_BY_KEY, spec('map_remove_by_key', true, 0, ...READ_BY_VALUE)],
  [MapOp.REMOVE_BY_VALUE, spec('map_remove_by_value', true, 0, ...READ_BY_VALUE)],
  [MapOp.REMOVE_BY_INDEX, spec('map_remove_by_index', true, 0, ...READ_BY_ONE)],
  [MapOp.REMOVE_BY_RANK, spec('map_remove_by_rank', true, 0, ...READ_BY_ONE)],
  [MapOp.REMOVE_BY_KEY_LIST, spec('map_remove_by_key_list', true, 0, ...READ_BY_VALUE)],
  [MapOp.REMOVE_ALL_BY_VALUE, spec('map_remove_all_by_value', true, 0, ...READ_BY_VALUE)],
  [MapOp.REMOVE_BY_VALUE_LIST, spec('map_remove_by_value_list', true, 0, ...READ_BY_VALUE)],
  [MapOp.REMOVE_BY_KEY_INTERVAL, spec('map_remove_by_key_interval', true, 1, UINT, VALUE, VALUE)],
  [MapOp.REMOVE_BY_INDEX_RANGE, spec('map_remove_by_index_range', true, 1, UINT, INT, UINT)],
  [MapOp.REMOVE_BY_VALUE_INTERVAL, spec('map_remove_by_value_interval', true, 1, UINT, VALUE, VALUE)],
  [MapOp.REMOVE_BY_RANK_RANGE, spec('map_remove_by_rank_range', true, 1, UINT, INT, UINT)],
  [MapOp.REMOVE_BY_KEY_REL_INDEX_RANGE, spec('map_remove_by_key_rel_index_range', true, 1, UINT, VALUE, INT, UINT)],
  [MapOp.REMOVE_BY_VALUE_REL_RANK_RANGE, spec('map_remove_by_value_rel_rank_range', true, 1, UINT, VALUE, INT, UINT)],
  [MapOp.SIZE, spec('map_size', false, 0)],
  [MapOp.GET_BY_KEY, spec('map_get_by_key', false, 0, ...READ_BY_VALUE)],
  [MapOp.GET_BY_INDEX, spec('map_get_by_index', false, 0, ...READ_BY_ONE)],
  [MapOp.GET_BY_VALUE, spec('map_get_by_value', false, 0, ...READ_BY_VALUE)],
  [MapOp.GET_BY_RANK, spec('map_get_by_rank', false, 0, ...READ_BY_ONE)],
  [MapOp.GET_ALL_BY_VALUE, spec('map_get_all_by_value', false, 0, ...READ_BY_VALUE)],
  [MapOp.GET_BY_KEY_INTERVAL, spec('map_get_by_key_interval', false, 1, UINT, VALUE, VALUE)],
  [MapOp.GET_BY_INDEX_RANGE, spec('map_get_by_index_range', false, 1, UINT, INT, UINT)],
  [MapOp.GET_BY_VALUE_INTERVAL, spec('map_get_by_value_interval', false, 1, UINT, VALUE, VALUE)],
  [MapOp.GET_BY_RANK_RANGE, spec('map_get_by_rank_range', false, 1, UINT, INT, UINT)],
  [MapOp.GET_BY_KEY_LIST, spec('map_get_by_key_list', false, 0, ...READ_BY_VALUE)],
  [MapOp.GET_BY_VALUE_LIST, spec('map_get_by_value_list', false, 0, ...READ_BY_VALUE)],
  [MapOp.GET_BY_KEY_REL_INDEX_RANGE, spec('map_get_by_key_rel_index_range', false, 1, UINT, VALUE, INT, UINT)],
  [MapOp.GET_BY_VALUE_REL_RANK_RANGE, spec('map_get_by_value_rel_rank_range', false, 1, UINT, VALUE, INT, UINT)],
])

/** List ops have codes below 64, map ops from 64 (Aerospike's IS_CDT_LIST_OP). */
export function isListOp(code: number): boolean {
  return code < MapOp.SET_TYPE
}
