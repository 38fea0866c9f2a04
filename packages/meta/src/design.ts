import { MetaInputError } from "./errors.js";

/**
 * A moderator: numeric values, or a categorical one given as strings with its
 * levels listed in order (the first level is the reference under treatment
 * coding).
 */
export type Moderator =
  | { name: string; values: ArrayLike<number> }
  | { name: string; values: ArrayLike<string>; levels: readonly string[] };

/** A model matrix in row-major storage, with one name per column. */
export interface Design {
  /** k×p, row-major. */
  X: Float64Array;
  k: number;
  p: number;
  terms: string[];
  /** True when the first column is the intercept. */
  intercept: boolean;
}

export const INTERCEPT_TERM = "intrcpt";

/** Name of the dummy column for level `level` of categorical moderator `name`. */
export function levelTerm(name: string, level: string): string {
  return `${name}[${level}]`;
}

/**
 * Builds the model matrix as R's `model.matrix` does for
 * `~ m1 + m2 + …` (or `~ … - 1`): numeric moderators enter as is; a
 * categorical moderator gets treatment (dummy) coding against its first
 * level, except that without an intercept the first categorical moderator
 * gets one indicator per level (cell-means coding), as in R.
 */
export function designMatrix(k: number, mods: readonly Moderator[] = [], intercept = true): Design {
  const cols: Float64Array[] = [];
  const terms: string[] = [];
  if (intercept) {
    cols.push(new Float64Array(k).fill(1));
    terms.push(INTERCEPT_TERM);
  }
  let fullCodingUsed = intercept;
  const seen = new Set<string>();
  for (const m of mods) {
    if (seen.has(m.name)) throw new MetaInputError(`moderator "${m.name}" is given twice`);
    seen.add(m.name);
    if (m.values.length !== k) {
      throw new MetaInputError(`moderator "${m.name}" has ${m.values.length} values, expected ${k}`);
    }
    if ("levels" in m) {
      const levels = m.levels;
      if (levels.length < 1) throw new MetaInputError(`moderator "${m.name}" lists no levels`);
      if (new Set(levels).size !== levels.length) throw new MetaInputError(`moderator "${m.name}" lists a level twice`);
      const index = new Map(levels.map((l, i) => [l, i]));
      const codes = new Int32Array(k);
      for (let i = 0; i < k; i++) {
        const v = m.values[i];
        const c = index.get(String(v));
        if (c === undefined) {
          throw new MetaInputError(`row ${i + 1}: moderator "${m.name}" has value "${String(v)}", which is not one of its levels`);
        }
        codes[i] = c;
      }
      const first = fullCodingUsed ? 1 : 0;
      fullCodingUsed = true;
      for (let l = first; l < levels.length; l++) {
        const col = new Float64Array(k);
        for (let i = 0; i < k; i++) if (codes[i] === l) col[i] = 1;
        cols.push(col);
        terms.push(levelTerm(m.name, levels[l]));
      }
    } else {
      const col = new Float64Array(k);
      for (let i = 0; i < k; i++) {
        const v = m.values[i];
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new MetaInputError(`row ${i + 1}: moderator "${m.name}" is not a finite number`);
        }
        col[i] = v;
      }
      cols.push(col);
      terms.push(m.name);
    }
  }
  const p = cols.length;
  if (p === 0) throw new MetaInputError("the model has no coefficients (no intercept and no moderators)");
  const X = new Float64Array(k * p);
  for (let j = 0; j < p; j++) for (let i = 0; i < k; i++) X[i * p + j] = cols[j][i];
  return { X, k, p, terms, intercept };
}

/** Rows `rows` of a row-major k×p matrix. */
export function subsetRows(X: Float64Array, p: number, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * p);
  for (let r = 0; r < rows.length; r++) out.set(X.subarray(rows[r] * p, rows[r] * p + p), r * p);
  return out;
}
