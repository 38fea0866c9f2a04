/**
 * Multilevel meta-analysis with nested random intercepts, as metafor's
 * `rma.mv(yi, vi, random = ~ 1 | a/b/…)` (Konstantopoulos 2011; Viechtbauer
 * 2010): y = Xβ + Σ_l Z_l u_l + ε, u_l ~ N(0, σ_l² I), ε ~ N(0, diag(v)),
 * where Z_l indicates the level-l group (the interaction of the grouping
 * variables 1..l). The marginal covariance V = diag(v) + Σ_l σ_l² Z_lZ_lᵀ is
 * block-diagonal over the outermost groups, so every quantity below is a sum
 * over those blocks: nothing k×k is ever formed.
 *
 * Estimation maximises the (restricted) log-likelihood by Fisher scoring
 * (Harville 1977; Searle, Casella & McCulloch 1992, §6.3) with step halving
 * and projection onto σ² ≥ 0. With A_l = Z_lZ_lᵀ, W = V⁻¹,
 * P = W − WX(XᵀWX)⁻¹XᵀW:
 *   REML score  ∂ℓ/∂σ_l² = −½ tr(P A_l) + ½ yᵀP A_l P y
 *   REML information  I_lm = ½ tr(P A_l P A_m)
 *   ML   score  −½ tr(W A_l) + ½ rᵀW A_l W r,  information ½ tr(W A_l W A_m),
 * with r = y − Xβ̂(σ²). Log-likelihoods are metafor's (REML includes
 * ½ log|XᵀX|, its `REMLf = TRUE`):
 *   ℓ_ML   = −½k log 2π − ½ log|V| − ½ rᵀWr
 *   ℓ_REML = −½(k−p) log 2π + ½ log|XᵀX| − ½ log|V| − ½ log|XᵀWX| − ½ rᵀWr.
 * As metafor, components ≤ 10·ε are reported as 0.
 */
import { Design, designMatrix, Moderator, subsetRows } from "./design.js";
import { MetaInputError } from "./errors.js";
import { checkYiVi, coefficientTable, defaultBtt, omnibusTest } from "./inference.js";
import { cholesky, cholInverseInto, cholLogDet, matMul, solveNormalEquations, spdInverse } from "./linalg.js";
import { checkFullRank, logDetXtX } from "./rma.js";
import { pChisqUpper } from "./dist.js";
import type { MvMethod, RmaMvFit, Test } from "./types.js";

/** A grouping variable of the nested random effects. */
export interface RandomLevel {
  name: string;
  values: ArrayLike<string | number>;
}

export interface RmaMvControl {
  /** Convergence threshold on the largest absolute change in a variance component. Default 1e-12. */
  threshold?: number;
  /** Maximum Fisher-scoring iterations. Default 500. */
  maxIter?: number;
  /** Starting values for σ² (one per level). */
  sigma2Init?: number[];
}

export interface RmaMvInput {
  yi: ArrayLike<number>;
  vi: ArrayLike<number>;
  /** Nested grouping variables, outermost first: [study, esid] is `~ 1 | study/esid`. */
  random: readonly RandomLevel[];
  mods?: readonly Moderator[];
  intercept?: boolean;
  design?: Design;
  method?: MvMethod;
  test?: Test;
  level?: number;
  btt?: number[];
  control?: RmaMvControl;
}

/** Row structure of the nested random effects. */
export interface Nesting {
  /** groups[l][i]: level-l group of row i (0-based, dense). */
  groups: Int32Array[];
  nGroups: number[];
  /** Rows of each outermost group, in row order. */
  blocks: Int32Array[];
}

/** Group indices per level: level l groups are the distinct combinations of levels 0..l. */
export function nesting(k: number, random: readonly RandomLevel[]): Nesting {
  if (random.length < 1) throw new MetaInputError("rmaMv needs at least one random-effects grouping variable");
  const groups: Int32Array[] = [];
  const nGroups: number[] = [];
  let prev: Int32Array | null = null;
  for (const lvl of random) {
    if (lvl.values.length !== k) throw new MetaInputError(`grouping variable "${lvl.name}" has ${lvl.values.length} values, expected ${k}`);
    // Values are compared as strings (1 and "1" are one group); each distinct value gets a code.
    const codes = new Map<string, number>();
    const code = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      const v = lvl.values[i];
      if (v === null || v === undefined || v === "" || (typeof v === "number" && !Number.isFinite(v))) {
        throw new MetaInputError(`row ${i + 1}: grouping variable "${lvl.name}" is missing`);
      }
      const key = String(v);
      let c = codes.get(key);
      if (c === undefined) codes.set(key, (c = codes.size));
      code[i] = c;
    }
    // A level-l group is a (level l−1 group, value) pair, numbered in order of first appearance;
    // the pair is keyed by the integer parent·(number of values) + code (< k², exact below 2⁵³).
    const g = new Int32Array(k);
    let count = 0;
    if (prev === null || codes.size === k) {
      // Without a parent, or with every value distinct (e.g. outcome ids), the codes are the groups.
      g.set(code);
      count = codes.size;
    } else {
      const ids = new Map<number, number>();
      for (let i = 0; i < k; i++) {
        const key = prev[i] * codes.size + code[i];
        let id = ids.get(key);
        if (id === undefined) ids.set(key, (id = ids.size));
        g[i] = id;
      }
      count = ids.size;
    }
    groups.push(g);
    nGroups.push(count);
    prev = g;
  }
  const top = groups[0];
  const counts = new Int32Array(nGroups[0]);
  for (let i = 0; i < k; i++) counts[top[i]]++;
  const blocks = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(nGroups[0]);
  for (let i = 0; i < k; i++) blocks[top[i]][fill[top[i]]++] = i;
  return { groups, nGroups, blocks };
}

/**
 * The marginal covariance V restricted to `rows` (n×n, row-major):
 * V_ab = v_a·[a = b] + Σ_l σ_l²·[group_l(a) = group_l(b)].
 */
export function marginalBlock(vi: Float64Array, groups: Int32Array[], sigma2: readonly number[], rows: ArrayLike<number>): Float64Array {
  const n = rows.length;
  const V = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    const ra = rows[a];
    for (let b = 0; b <= a; b++) {
      const rb = rows[b];
      let s = a === b ? vi[ra] : 0;
      for (let l = 0; l < groups.length; l++) if (groups[l][ra] === groups[l][rb]) s += sigma2[l];
      V[a * n + b] = s;
      V[b * n + a] = s;
    }
  }
  return V;
}

interface Eval {
  llML: number;
  llREML: number;
  beta: Float64Array;
  /** (XᵀWX)⁻¹ */
  H: Float64Array;
  logDetXWX: number;
  grad: Float64Array;
  info: Float64Array;
}

/**
 * The data gathered block by block (rows of each outermost group contiguous,
 * in row order within the block) with the per-block inverses and scratch
 * space sized for the largest block. Built once per fit and reused by every
 * likelihood evaluation: with tens of thousands of small blocks, allocating
 * the per-block matrices on each evaluation cost more than the arithmetic.
 */
class Blocks {
  readonly count: number;
  /** Block b holds gathered rows start[b] … start[b+1] − 1. */
  readonly start: Int32Array;
  /** Offset of block b's n×n inverse in `W`. */
  readonly wOff: Int32Array;
  readonly y: Float64Array;
  readonly v: Float64Array;
  /** k×p, rows in gathered order. */
  readonly X: Float64Array;
  /** Group index per level, rows in gathered order. */
  readonly groups: Int32Array[];
  /** Level l has one group per row (A_l = I). */
  readonly singleton: boolean[];
  /** V_b⁻¹ of every block from the latest evaluation, row-major n×n each. */
  readonly W: Float64Array;
  // Scratch (n = largest block size).
  readonly Vb: Float64Array;
  readonly li: Float64Array;
  readonly Wb: Float64Array;
  readonly r: Float64Array;
  readonly Wr: Float64Array;
  readonly WX: Float64Array;
  readonly WA: Float64Array[];
  readonly F: Float64Array[];
  readonly WF: Float64Array[];

  constructor(y: Float64Array, v: Float64Array, X: Float64Array, p: number, nest: Nesting) {
    const k = y.length;
    const L = nest.groups.length;
    this.count = nest.blocks.length;
    this.start = new Int32Array(this.count + 1);
    this.wOff = new Int32Array(this.count + 1);
    this.y = new Float64Array(k);
    this.v = new Float64Array(k);
    this.X = new Float64Array(k * p);
    this.groups = nest.groups.map(() => new Int32Array(k));
    this.singleton = nest.nGroups.map((g) => g === k);
    let at = 0, maxN = 0;
    for (let b = 0; b < this.count; b++) {
      const rows = nest.blocks[b];
      const n = rows.length;
      maxN = Math.max(maxN, n);
      this.start[b] = at;
      this.wOff[b + 1] = this.wOff[b] + n * n;
      for (let a = 0; a < n; a++, at++) {
        const i = rows[a];
        this.y[at] = y[i];
        this.v[at] = v[i];
        for (let c = 0; c < p; c++) this.X[at * p + c] = X[i * p + c];
        for (let l = 0; l < L; l++) this.groups[l][at] = nest.groups[l][i];
      }
    }
    this.start[this.count] = at;
    this.W = new Float64Array(this.wOff[this.count]);
    const nn = maxN * maxN, np = maxN * p;
    this.Vb = new Float64Array(nn);
    this.li = new Float64Array(nn);
    this.Wb = new Float64Array(nn);
    this.r = new Float64Array(maxN);
    this.Wr = new Float64Array(maxN);
    this.WX = new Float64Array(np);
    // A level with one row per group has A_l = I, so WA_l = W and F_l = WX: share those arrays.
    this.WA = this.singleton.map((one) => (one ? this.Wb : new Float64Array(nn)));
    this.F = this.singleton.map((one) => (one ? this.WX : new Float64Array(np)));
    this.WF = Array.from({ length: L }, () => new Float64Array(np));
  }
}

/** Sums over blocks for the score and Fisher information. */
class ScoreSums {
  /** T_l = Σ_b (W_bX_b)ᵀ A_l W_bX_b (p×p). */
  readonly T: Float64Array[];
  /** M_lm = Σ_b (A_lW_bX_b)ᵀ W_b A_mW_bX_b (p×p), REML only. */
  readonly M: Float64Array[];
  readonly trWA: Float64Array;
  readonly trWAWA: Float64Array;
  /** (Wr)ᵀ A_l (Wr) */
  readonly quad: Float64Array;
  constructor(readonly L: number, p: number) {
    this.T = Array.from({ length: L }, () => new Float64Array(p * p));
    this.M = Array.from({ length: L * L }, () => new Float64Array(p * p));
    this.trWA = new Float64Array(L);
    this.trWAWA = new Float64Array(L * L);
    this.quad = new Float64Array(L);
  }
}

// The per-block steps below are separate small functions on purpose: V8
// optimises each as a hot function with complete type feedback, whereas one
// large loop body was repeatedly compiled on-stack and deoptimised.

/** Factorises block `bi` of V, stores its inverse in B.W and returns log|V_b| (NaN if not PD). */
function invertBlock(B: Blocks, bi: number, sigma2: readonly number[]): number {
  const { v, groups, Vb } = B;
  const L = sigma2.length;
  const s0 = B.start[bi];
  const n = B.start[bi + 1] - s0;
  // V_b[a,b] = v_a·[a = b] + Σ_l σ_l²·[same level-l group], as marginalBlock.
  for (let a = 0; a < n; a++) {
    for (let b = 0; b <= a; b++) {
      let s = a === b ? v[s0 + a] : 0;
      for (let l = 0; l < L; l++) if (groups[l][s0 + a] === groups[l][s0 + b]) s += sigma2[l];
      Vb[a * n + b] = s;
      Vb[b * n + a] = s;
    }
  }
  if (!cholesky(Vb, n)) return NaN;
  cholInverseInto(Vb, n, B.W, B.wOff[bi], B.li);
  return cholLogDet(Vb, n);
}

/** Adds X_bᵀW_bX_b (lower triangle) and X_bᵀW_by_b of block `bi`. */
function addNormalEquations(B: Blocks, bi: number, p: number, XtWX: Float64Array, XtWy: Float64Array): void {
  const { X, y, W } = B;
  const s0 = B.start[bi];
  const n = B.start[bi + 1] - s0;
  const w0 = B.wOff[bi];
  for (let a = 0; a < n; a++) {
    const ra = s0 + a;
    for (let b = 0; b < n; b++) {
      const wab = W[w0 + a * n + b];
      const rb = s0 + b;
      for (let c = 0; c < p; c++) {
        const xw = X[ra * p + c] * wab;
        XtWy[c] += xw * y[rb];
        for (let d = 0; d <= c; d++) XtWX[c * p + d] += xw * X[rb * p + d];
      }
    }
  }
}

/**
 * Loads block `bi`'s W into B.Wb, its residuals into B.r and W r into B.Wr;
 * returns rWr with the block's rᵀWr added (row by row, as one running sum).
 */
function residualBlock(B: Blocks, bi: number, p: number, beta: Float64Array, rWr: number): number {
  const { X, y, W, Wb, r, Wr } = B;
  const s0 = B.start[bi];
  const n = B.start[bi + 1] - s0;
  const w0 = B.wOff[bi];
  for (let a = 0; a < n * n; a++) Wb[a] = W[w0 + a];
  for (let a = 0; a < n; a++) {
    let f = 0;
    for (let c = 0; c < p; c++) f += X[(s0 + a) * p + c] * beta[c];
    r[a] = y[s0 + a] - f;
  }
  for (let a = 0; a < n; a++) {
    let s = 0;
    for (let b = 0; b < n; b++) s += Wb[a * n + b] * r[b];
    Wr[a] = s;
    rWr += r[a] * s;
  }
  return rWr;
}

/** Adds block `bi`'s terms of the score and information (after residualBlock on the same block). */
function scoreBlock(B: Blocks, bi: number, p: number, reml: boolean, S: ScoreSums): void {
  const { X, groups, singleton, Wb, Wr, WX, WA, F, WF } = B;
  const { L, T, M, trWA, trWAWA, quad } = S;
  const s0 = B.start[bi];
  const n = B.start[bi + 1] - s0;
  // WX (n×p)
  WX.fill(0, 0, n * p);
  for (let a = 0; a < n; a++) {
    const ap = a * p;
    for (let b = 0; b < n; b++) {
      const wab = Wb[a * n + b];
      if (wab === 0) continue;
      const xb = (s0 + b) * p;
      for (let c = 0; c < p; c++) WX[ap + c] += wab * X[xb + c];
    }
  }
  // For each level: WA_l (n×n) with (WA_l)[a,b] = Σ_{c ∈ g_l(b)} W[a,c]; F_l = A_l W X (n×p).
  // A level whose groups are single rows (e.g. outcome ids) has A_l = I (WA_l is Wb, F_l is WX).
  for (let l = 0; l < L; l++) {
    const g = groups[l];
    const wa = WA[l], fl = F[l];
    if (singleton[l]) {
      for (let a = 0; a < n; a++) quad[l] += Wr[a] * Wr[a];
    } else if (l === 0) {
      // The block is one level-0 group (A_0 = 11ᵀ on it): every column of WA_0 is the row sums
      // of W and every row of F_0 the column sums of WX. Summed once, in the order the general
      // case below uses, so the values are the same.
      for (let a = 0; a < n; a++) {
        let t = 0;
        for (let c = 0; c < n; c++) t += Wb[a * n + c];
        for (let b = 0; b < n; b++) wa[a * n + b] = t;
      }
      for (let d = 0; d < p; d++) {
        let t = 0;
        for (let c = 0; c < n; c++) t += WX[c * p + d];
        for (let b = 0; b < n; b++) fl[b * p + d] = t;
      }
      let sg = 0;
      for (let b = 0; b < n; b++) sg += Wr[b];
      quad[l] += sg * sg;
    } else {
      wa.fill(0, 0, n * n);
      fl.fill(0, 0, n * p);
      for (let b = 0; b < n; b++) {
        const gb = g[s0 + b];
        for (let c = 0; c < n; c++) {
          if (g[s0 + c] !== gb) continue;
          for (let a = 0; a < n; a++) wa[a * n + b] += Wb[a * n + c];
          for (let d = 0; d < p; d++) fl[b * p + d] += WX[c * p + d];
        }
      }
      // (Wr)ᵀ A_l (Wr) = Σ_groups (Σ_group Wr)²: accumulate each group at its first row.
      for (let a = 0; a < n; a++) {
        const ga = g[s0 + a];
        let first = true;
        for (let b = 0; b < a; b++) if (g[s0 + b] === ga) { first = false; break; }
        if (!first) continue;
        let sg = 0;
        for (let b = a; b < n; b++) if (g[s0 + b] === ga) sg += Wr[b];
        quad[l] += sg * sg;
      }
    }
    let tr = 0;
    for (let a = 0; a < n; a++) tr += wa[a * n + a];
    trWA[l] += tr;
    // T_l = (WX)ᵀ F_l. With A_l = I it is (WX)ᵀWX: only the lower triangle is summed here and
    // mirrored in evaluate (each mirrored term is the same product, so the sums are identical).
    const Tl = T[l];
    const last = singleton[l] ? 1 : p;
    for (let a = 0; a < n; a++) {
      const ap = a * p;
      for (let c = 0; c < p; c++) {
        const wx = WX[ap + c];
        const cp = c * p;
        const dEnd = last === 1 ? c + 1 : p;
        for (let d = 0; d < dEnd; d++) Tl[cp + d] += wx * fl[ap + d];
      }
    }
  }
  // W F_m, once per level (REML only)
  if (reml) {
    for (let m = 0; m < L; m++) {
      const wf = WF[m];
      wf.fill(0, 0, n * p);
      const Fm = F[m];
      for (let a = 0; a < n; a++) {
        const ap = a * p;
        for (let b = 0; b < n; b++) {
          const wab = Wb[a * n + b];
          if (wab === 0) continue;
          const bp = b * p;
          for (let d = 0; d < p; d++) wf[ap + d] += wab * Fm[bp + d];
        }
      }
    }
  }
  for (let l = 0; l < L; l++) {
    for (let m = l; m < L; m++) {
      let t = 0;
      const A1 = WA[l], A2 = WA[m];
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) t += A1[a * n + b] * A2[b * n + a];
      trWAWA[l * L + m] += t;
      if (reml) {
        // M_lm = F_lᵀ W F_m
        const Mlm = M[l * L + m], Fl = F[l], WFm = WF[m];
        for (let a = 0; a < n; a++) {
          const ap = a * p;
          for (let c = 0; c < p; c++) {
            const f = Fl[ap + c];
            if (f === 0) continue;
            const cp = c * p;
            for (let d = 0; d < p; d++) Mlm[cp + d] += f * WFm[ap + d];
          }
        }
      }
    }
  }
}

/** One pass over the blocks: GLS fit, log-likelihoods, score and Fisher information. */
function evaluate(B: Blocks, p: number, sigma2: number[], reml: boolean, withScore: boolean): Eval | null {
  const L = sigma2.length;
  const k = B.y.length;
  const XtWX = new Float64Array(p * p);
  const XtWy = new Float64Array(p);
  let logDetV = 0;
  for (let bi = 0; bi < B.count; bi++) {
    const ld = invertBlock(B, bi, sigma2);
    if (Number.isNaN(ld)) return null;
    logDetV += ld;
    addNormalEquations(B, bi, p, XtWX, XtWy);
  }
  for (let c = 0; c < p; c++) for (let d = 0; d < c; d++) XtWX[d * p + c] = XtWX[c * p + d];
  const solved = solveNormalEquations(XtWX, XtWy, p);
  if (!solved) throw new MetaInputError("model matrix not of full rank (XᵀWX is singular); cannot fit the model");
  const { inverse: H, logDet: logDetXWX, beta } = solved;
  let rWr = 0;
  const grad = new Float64Array(L);
  const info = new Float64Array(L * L);
  const S = new ScoreSums(L, p);
  const { T, M, trWA, trWAWA, quad } = S;
  for (let bi = 0; bi < B.count; bi++) {
    rWr = residualBlock(B, bi, p, beta, rWr);
    if (withScore) scoreBlock(B, bi, p, reml, S);
  }
  const llML = -0.5 * k * Math.log(2 * Math.PI) - 0.5 * logDetV - 0.5 * rWr;
  const llREML = -0.5 * (k - p) * Math.log(2 * Math.PI) - 0.5 * logDetV - 0.5 * logDetXWX - 0.5 * rWr;
  if (withScore) {
    const tr = (A: Float64Array, B: Float64Array) => {
      let s = 0;
      for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) s += A[a * p + c] * B[c * p + a];
      return s;
    };
    B.singleton.forEach((one, l) => {
      if (one) for (let c = 0; c < p; c++) for (let d = c + 1; d < p; d++) T[l][c * p + d] = T[l][d * p + c];
    });
    const HT = T.map((t) => matMul(H, t, p, p, p));
    for (let l = 0; l < L; l++) {
      grad[l] = reml ? -0.5 * (trWA[l] - tr(H, T[l])) + 0.5 * quad[l] : -0.5 * trWA[l] + 0.5 * quad[l];
      for (let m = l; m < L; m++) {
        let val = trWAWA[l * L + m];
        if (reml) val += -2 * tr(H, M[l * L + m]) + tr(HT[l], HT[m]);
        info[l * L + m] = info[m * L + l] = 0.5 * val;
      }
    }
  }
  return { llML, llREML, beta, H, logDetXWX, grad, info };
}

/** Fits a multilevel model with nested random intercepts by REML or ML. */
export function rmaMv(input: RmaMvInput): RmaMvFit {
  const { y, v } = checkYiVi(input.yi, input.vi);
  const k = y.length;
  const method: MvMethod = input.method ?? "REML";
  if (method !== "REML" && method !== "ML") throw new MetaInputError(`unknown method "${String(method)}" for a multilevel model; use REML or ML`);
  const test: Test = input.test ?? "z";
  if (test !== "z" && test !== "t") throw new MetaInputError(`unknown test "${String(test)}"; use "z" or "t"`);
  const level = input.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new MetaInputError("level must lie strictly between 0 and 1");
  const design = input.design ?? designMatrix(k, input.mods ?? [], input.intercept ?? true);
  if (design.k !== k) throw new MetaInputError(`the model matrix has ${design.k} rows but there are ${k} outcomes`);
  const { X, p } = design;
  if (k <= p) throw new MetaInputError(`too few outcomes (${k}) for ${p} coefficient(s) plus variance components`);
  checkFullRank(X, k, p);
  const nest = nesting(k, input.random);
  const L = input.random.length;
  const reml = method === "REML";
  const thr = input.control?.threshold ?? 1e-12;
  const maxIter = input.control?.maxIter ?? 500;

  // Start: residual variance of the OLS fit beyond the mean sampling variance, split evenly.
  let sigma2 = input.control?.sigma2Init?.slice() ?? startValues(y, v, X, p, L);
  if (sigma2.length !== L || sigma2.some((s) => !(s >= 0))) throw new MetaInputError(`sigma2Init needs ${L} non-negative values`);
  const blocks = new Blocks(y, v, X, p, nest);
  let cur = evaluate(blocks, p, sigma2, reml, true);
  if (!cur) throw new MetaInputError("the marginal covariance at the starting values is not positive definite");
  const ll = (e: Eval) => (reml ? e.llREML : e.llML);
  let iterations = 0;
  for (;;) {
    if (++iterations > maxIter) throw new MetaInputError(`Fisher scoring did not converge in ${maxIter} iterations`);
    // Components at 0 with a non-positive score stay on the boundary.
    const free = sigma2.map((s, l) => s > 0 || cur!.grad[l] > 0);
    const idx = free.flatMap((f, l) => (f ? [l] : []));
    const step = new Float64Array(L);
    if (idx.length > 0) {
      const m = idx.length;
      const Isub = new Float64Array(m * m);
      for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) Isub[a * m + b] = cur.info[idx[a] * L + idx[b]];
      const Iinv = spdInverse(Isub, m);
      if (!Iinv) throw new MetaInputError("the Fisher information of the variance components is singular (are they identifiable?)");
      for (let a = 0; a < m; a++) {
        let s = 0;
        for (let b = 0; b < m; b++) s += Iinv[a * m + b] * cur.grad[idx[b]];
        step[idx[a]] = s;
      }
    }
    let t = 1;
    let next: Eval | null = null;
    let cand = sigma2;
    for (let half = 0; half < 60; half++) {
      cand = sigma2.map((s, l) => Math.max(0, s + t * step[l]));
      next = evaluate(blocks, p, cand, reml, true);
      if (next && ll(next) >= ll(cur) - 1e-12 * Math.abs(ll(cur))) break;
      t /= 2;
      next = null;
    }
    if (!next) break; // no ascent possible: at the optimum to working precision
    const change = Math.max(...cand.map((s, l) => Math.abs(s - sigma2[l])));
    sigma2 = cand;
    cur = next;
    if (change <= thr * Math.max(1, ...sigma2)) break;
  }
  const reported = sigma2.map((s) => (s <= 10 * Number.EPSILON ? 0 : s));
  // The last accepted evaluation already holds the fit at σ̂² unless a component was zeroed.
  const fin = reported.every((s, l) => s === sigma2[l]) ? cur : evaluate(blocks, p, reported, reml, false);
  sigma2 = reported;
  if (!fin) throw new MetaInputError("the final marginal covariance is not positive definite");
  return finish(input, design, y, v, nest, sigma2, fin, method, test, level, iterations);
}

function startValues(y: Float64Array, v: Float64Array, X: Float64Array, p: number, L: number): number[] {
  const k = y.length;
  const XtX = new Float64Array(p * p);
  const Xty = new Float64Array(p);
  for (let i = 0; i < k; i++) for (let a = 0; a < p; a++) {
    Xty[a] += X[i * p + a] * y[i];
    for (let b = 0; b < p; b++) XtX[a * p + b] += X[i * p + a] * X[i * p + b];
  }
  const inv = spdInverse(XtX, p)!;
  const b = new Float64Array(p);
  for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) b[a] += inv[a * p + c] * Xty[c];
  let ss = 0, mv = 0;
  for (let i = 0; i < k; i++) {
    let f = 0;
    for (let a = 0; a < p; a++) f += X[i * p + a] * b[a];
    ss += (y[i] - f) ** 2;
    mv += v[i];
  }
  const total = Math.max(ss / Math.max(1, k - p) - mv / k, 0.01 * (ss / Math.max(1, k - p)) + 1e-8);
  return Array.from({ length: L }, () => total / L);
}

function finish(
  input: RmaMvInput, design: Design, y: Float64Array, v: Float64Array, nest: Nesting, sigma2: number[], fin: Eval,
  method: MvMethod, test: Test, level: number, iterations: number,
): RmaMvFit {
  const k = y.length;
  const { X, p } = design;
  const vb = fin.H;
  const se = Array.from({ length: p }, (_, j) => Math.sqrt(vb[j * p + j]));
  const df = test === "t" ? k - p : null;
  const btt = input.btt ?? defaultBtt(p, design.intercept);
  const fitted = new Float64Array(k);
  const residuals = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let f = 0;
    for (let a = 0; a < p; a++) f += X[i * p + a] * fin.beta[a];
    fitted[i] = f;
    residuals[i] = y[i] - f;
  }
  // QE: weighted residual sum of squares of the fixed-effects fit with weights 1/vᵢ.
  let QE = NaN, QEp = NaN;
  if (v.every((x) => x > 0)) {
    const A = new Float64Array(p * p);
    const b = new Float64Array(p);
    for (let i = 0; i < k; i++) for (let a = 0; a < p; a++) {
      const xw = X[i * p + a] / v[i];
      b[a] += xw * y[i];
      for (let c = 0; c < p; c++) A[a * p + c] += xw * X[i * p + c];
    }
    const inv = spdInverse(A, p)!;
    const bf = new Float64Array(p);
    for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) bf[a] += inv[a * p + c] * b[c];
    QE = 0;
    for (let i = 0; i < k; i++) {
      let f = 0;
      for (let a = 0; a < p; a++) f += X[i * p + a] * bf[a];
      QE += (y[i] - f) ** 2 / v[i];
    }
    QEp = pChisqUpper(QE, k - p);
  }
  const logLikREML = fin.llREML + 0.5 * logDetXtX(X, k, p);
  return {
    model: "mv",
    k, p, yi: y, vi: v, X,
    terms: design.terms,
    intercept: design.intercept,
    method, test, level,
    beta: fin.beta, vb,
    coefficients: coefficientTable(design.terms, fin.beta, se, df, level),
    df,
    QE, QEdf: k - p, QEp,
    omnibus: omnibusTest(fin.beta, vb, p, btt, df),
    logLikML: fin.llML,
    logLikREML,
    logLik: method === "REML" ? logLikREML : fin.llML,
    fitted, residuals,
    iterations,
    random: input.random.map((r) => r.name),
    sigma2,
    groups: nest.groups,
    nGroups: nest.nGroups,
    refit(rows: ArrayLike<number>): RmaMvFit {
      const idx = Array.from(rows);
      return rmaMv({
        yi: idx.map((i) => y[i]),
        vi: idx.map((i) => v[i]),
        random: input.random.map((r) => ({ name: r.name, values: idx.map((i) => r.values[i]) })),
        design: { X: subsetRows(X, p, idx), k: idx.length, p, terms: design.terms, intercept: design.intercept },
        method, test, level, btt: input.btt, control: input.control,
      });
    },
  };
}
