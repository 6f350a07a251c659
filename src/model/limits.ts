// Limits a caller meets, each written once. The list limit is the core's (native/core/src/limits.rs, exported by
// the addon); MyRecModel, the CLI, the HTTP schemas and the OpenAPI document read them from here.

import { native } from '../native.js';

/** The longest list (M) a caller may ask for. */
export const MAX_M: number = native.MAX_LIST_LENGTH;
/** The largest k of the ranking metrics: the lists they score are at most that long. */
export const MAX_K: number = MAX_M;
/** The list length when none is given. */
export const DEFAULT_M = 20;
/** Movie and user ids are unsigned 32-bit integers in the core. */
export const MAX_ID = 0xffff_ffff;
/** The most values a list filter of many values (`genres`, `excludeGenres`, `exclude`) may hold. */
export const MAX_FILTER_VALUES: number = native.MAX_FILTER_VALUES;
/** The years a list's `yearMin` and `yearMax` may name. */
export const MIN_YEAR: number = native.MIN_YEAR;
export const MAX_YEAR: number = native.MAX_YEAR;
