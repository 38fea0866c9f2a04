/**
 * Text features for prioritisation: hashed TF-IDF over word uni- and bigrams.
 *
 * The weighting follows scikit-learn's TfidfVectorizer, the features ASReview's
 * default model is built on: tokens are runs of two or more word characters
 * (`\b\w\w+\b`), lower-cased; tf is sublinear (1 + ln tf); idf is smoothed,
 * idf(t) = ln((1 + n) / (1 + df(t))) + 1; terms in more than `maxDf` of the
 * documents are dropped; each row is scaled to unit L2 norm (Manning, Raghavan
 * & Schütze 2008, ch. 6).
 *
 * Terms are hashed into 2^bits columns (Weinberger et al. 2009) instead of
 * being kept in a vocabulary: memory stays bounded with 100,000 records and
 * millions of distinct bigrams, and records can be added at any time. With
 * the default 2^22 columns, collisions touch well under 1% of the terms of a
 * typical review.
 */

/**
 * Compressed sparse rows; `data` holds the values of row r at
 * indptr[r]..indptr[r+1].
 *
 * `ownSq[r]`, when present, is the squared norm of row r's entries in columns
 * no other row has, which are left out of the stored row. A linear model can
 * only weigh such a column through row r itself, so it never affects another
 * row's score, and in training it acts as extra diagonal in the dual (see
 * `SvmTrainer`). In word-bigram TF-IDF these single-document terms are about
 * half of all entries; leaving them out halves the work of every sweep with
 * the same solution.
 */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
  readonly ownSq?: Float32Array;
  /**
   * `ownSum[r]`: the sum (L1) of row r's single-document entries. A linear
   * score needs ‖·‖²; multinomial naive Bayes needs the sum, since every
   * term unseen in training carries the same log-ratio of smoothed class
   * totals (see `naive-bayes.ts`).
   */
  readonly ownSum?: Float32Array;
  /** Number of terms kept in the vocabulary, single-document ones included (`cols` counts only shared ones). */
  readonly terms?: number;
}

export interface FeatureOptions {
  /**
   * log2 of the number of hashed columns, or 52: terms keyed by a 52-bit
   * hash in a map, which is a vocabulary in effect (at a million terms the
   * chance of any collision is about 10^-4), at the cost of a map entry per
   * term. With 2^22 columns about 0.5% of a review's 40,000 uni- and bigrams
   * share a column with another; a replica of a model built on an exact
   * vocabulary uses 52.
   */
  bits?: number;
  /** Largest n-gram length (1 or 2). */
  ngramMax?: number;
  /** Drop terms occurring in more than this share of documents. */
  maxDf?: number;
  /** Use 1 + ln(tf) instead of raw counts. */
  sublinearTf?: boolean;
  /** Words dropped before n-grams are formed (scikit-learn's `stop_words`); none by default. */
  stopWords?: readonly string[] | null;
}

const TOKEN = /[\p{L}\p{N}\p{M}_]{2,}/gu;

/** Lower-cased word tokens, as scikit-learn's default analyser finds them. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** 32-bit FNV-1a over UTF-16 code units, finished with MurmurHash3's fmix32 for avalanche. */
function hashString(s: string, basis = 0x811c9dc5): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

interface DocTerms {
  /** Dense term ids, ascending. */
  cols: Int32Array;
  /** Term frequency weight (1 + ln tf when sublinear). */
  tf: Float32Array;
}

/**
 * A growing corpus. `add` hashes a document's terms once; `matrix()` builds the
 * TF-IDF matrix over all documents so far (recomputed only after additions,
 * since every new document changes the idf of its terms).
 */
/** Maps the exact vocabulary is split over (see `TextFeatures.keyed`). */
const KEY_SHARDS = 64;

export class TextFeatures {
  /** Number of hashed columns (the matrix's columns are the terms in use, numbered densely). */
  readonly cols: number;
  private readonly mask: number;
  /**
   * 52-bit term keys → dense ids (bits = 52), instead of `dense`, in
   * KEY_SHARDS maps by the key's low bits: one JavaScript Map holds at most
   * 2^24 entries, and a million records' words and word pairs are more.
   */
  private readonly keyed: Map<number, number>[] | null;
  private readonly ngramMax: number;
  private readonly maxDf: number;
  private readonly sublinear: boolean;
  private readonly stop: ReadonlySet<string> | null;
  private readonly docs: DocTerms[] = [];
  // Hashed ids are renumbered densely in order of first use: document
  // frequencies and weights over the terms actually present fit in cache,
  // where arrays over 2^22 hashed columns would make every access a miss.
  private readonly dense: Int32Array;
  private used = 0;
  private df = new Int32Array(1 << 16);
  private cached: SparseMatrix | null = null;

  constructor(options: FeatureOptions = {}) {
    const bits = options.bits ?? 22;
    if (!Number.isInteger(bits) || ((bits < 4 || bits > 26) && bits !== 52)) throw new RangeError(`bits must be an integer in 4..26, or 52, got ${bits}`);
    this.keyed = bits === 52 ? Array.from({ length: KEY_SHARDS }, () => new Map<number, number>()) : null;
    this.cols = bits === 52 ? 0 : 1 << bits;
    this.mask = this.cols - 1;
    this.ngramMax = options.ngramMax ?? 2;
    this.maxDf = options.maxDf ?? 0.95;
    this.sublinear = options.sublinearTf ?? true;
    this.stop = options.stopWords && options.stopWords.length > 0 ? new Set(options.stopWords) : null;
    this.dense = new Int32Array(this.keyed ? 0 : this.cols).fill(-1);
  }

  get size(): number {
    return this.docs.length;
  }

  /** Adds one document; returns its row index. */
  add(text: string): number {
    const stop = this.stop;
    // As scikit-learn: stop words go before n-grams, so a bigram may join the words either side of one.
    const tokens = stop ? tokenize(text).filter((t) => !stop.has(t)) : tokenize(text);
    const nt = tokens.length;
    const hashes = new Uint32Array(nt);
    for (let i = 0; i < nt; i++) hashes[i] = hashString(tokens[i]);
    const nb = this.ngramMax >= 2 && nt > 1 ? nt - 1 : 0;
    const ids = new Int32Array(nt + nb);
    // A bigram's hash mixes its two token hashes, so no bigram string is built.
    const pair = (a: number, b: number) => fmix32((Math.imul(a, 0x9e3779b1) ^ b) + 0x7f4a7c15);
    if (this.keyed) {
      // A second, independent 32-bit hash gives each term a 52-bit key.
      const high = new Uint32Array(nt);
      for (let i = 0; i < nt; i++) high[i] = hashString(tokens[i], 0x01000193);
      const key = (lo: number, hi: number) => (hi >>> 12) * 0x100000000 + lo;
      for (let i = 0; i < nt; i++) ids[i] = this.keyedId(key(hashes[i], high[i]));
      for (let i = 0; i < nb; i++) ids[nt + i] = this.keyedId(key(pair(hashes[i], hashes[i + 1]), pair(high[i + 1], high[i])));
    } else {
      for (let i = 0; i < nt; i++) ids[i] = this.denseId(hashes[i] & this.mask);
      for (let i = 0; i < nb; i++) ids[nt + i] = this.denseId(pair(hashes[i], hashes[i + 1]) & this.mask);
    }
    ids.sort();
    let distinct = 0;
    for (let k = 0; k < ids.length; k++) if (k === 0 || ids[k] !== ids[k - 1]) distinct++;
    const cols = new Int32Array(distinct);
    const tf = new Float32Array(distinct);
    for (let k = 0, d = -1; k < ids.length; k++) {
      if (k === 0 || ids[k] !== ids[k - 1]) {
        cols[++d] = ids[k];
        this.df[ids[k]]++;
      }
      tf[d]++;
    }
    if (this.sublinear) for (let d = 0; d < distinct; d++) tf[d] = 1 + Math.log(tf[d]);
    this.docs.push({ cols, tf });
    this.cached = null;
    return this.docs.length - 1;
  }

  private keyedId(k: number): number {
    const shard = this.keyed![(k >>> 0) % KEY_SHARDS]!;
    let d = shard.get(k);
    if (d === undefined) {
      shard.set(k, (d = this.used++));
      this.growDf(d);
    }
    return d;
  }

  private growDf(d: number): void {
    if (d >= this.df.length) {
      const g = new Int32Array(this.df.length * 2);
      g.set(this.df);
      this.df = g;
    }
  }

  private denseId(h: number): number {
    let d = this.dense[h];
    if (d < 0) {
      d = this.dense[h] = this.used++;
      if (d >= this.df.length) {
        const g = new Int32Array(this.df.length * 2);
        g.set(this.df);
        this.df = g;
      }
    }
    return d;
  }

  /**
   * The L2-normalised TF-IDF matrix of all documents added so far, with
   * single-document terms folded into `ownSq` (see `SparseMatrix`). Columns
   * are renumbered by descending document frequency, so the weights that most
   * rows touch sit together in memory.
   */
  matrix(): SparseMatrix {
    if (this.cached) return this.cached;
    const n = this.docs.length;
    const dfMax = this.maxDf * n;
    const logN1 = Math.log(1 + n);
    const used = this.used;
    const df = this.df;
    // scikit-learn drops a term when df > max_df × n (for a float max_df); idf 0 marks it.
    const idf = new Float64Array(used);
    for (let c = 0; c < used; c++) idf[c] = df[c] > dfMax ? 0 : logN1 - Math.log(1 + df[c]) + 1;
    // Shared terms (df ≥ 2, kept) get columns 0.. by descending df: sort keys
    // pack (n − df, term) into one float so the native numeric sort does it.
    const keys: number[] = [];
    for (let c = 0; c < used; c++) if (df[c] >= 2 && idf[c] !== 0) keys.push((n - df[c]) * 0x4000000 + c);
    const order = Float64Array.from(keys).sort();
    const col = new Int32Array(used).fill(-1);
    for (let k = 0; k < order.length; k++) col[order[k] % 0x4000000] = k;
    let nnz = 0;
    for (const d of this.docs) for (let k = 0; k < d.cols.length; k++) if (col[d.cols[k]] >= 0) nnz++;
    const indptr = new Int32Array(n + 1);
    const indices = new Int32Array(nnz);
    const data = new Float32Array(nnz);
    const ownSq = new Float32Array(n);
    const ownSum = new Float32Array(n);
    let terms = 0;
    for (let c = 0; c < used; c++) if (idf[c] !== 0 && df[c] > 0) terms++;
    let p = 0;
    for (let r = 0; r < n; r++) {
      const { cols, tf } = this.docs[r];
      const start = p;
      let norm = 0;
      let own = 0;
      let ownL1 = 0;
      for (let k = 0; k < cols.length; k++) {
        const w = idf[cols[k]];
        if (w === 0) continue;
        const v = tf[k] * w;
        norm += v * v;
        const c = col[cols[k]];
        if (c < 0) {
          own += v * v;
          ownL1 += v;
          continue;
        }
        indices[p] = c;
        data[p] = v;
        p++;
      }
      if (norm > 0) {
        const s = 1 / Math.sqrt(norm);
        for (let q = start; q < p; q++) data[q] *= s;
        ownSq[r] = own / norm;
        ownSum[r] = ownL1 * s;
      }
      indptr[r + 1] = p;
    }
    this.cached = { rows: n, cols: order.length, indptr, indices, data, ownSq, ownSum, terms };
    return this.cached;
  }
}

/** Builds the TF-IDF matrix of a fixed list of texts. */
export function tfidf(texts: readonly string[], options: FeatureOptions = {}): SparseMatrix {
  const f = new TextFeatures(options);
  for (const t of texts) f.add(t);
  return f.matrix();
}
