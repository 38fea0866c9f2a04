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

/** Compressed sparse rows; `data` holds the values of row r at indptr[r]..indptr[r+1]. */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

export interface FeatureOptions {
  /** log2 of the number of hashed columns. */
  bits?: number;
  /** Largest n-gram length (1 or 2). */
  ngramMax?: number;
  /** Drop terms occurring in more than this share of documents. */
  maxDf?: number;
  /** Use 1 + ln(tf) instead of raw counts. */
  sublinearTf?: boolean;
}

const TOKEN = /[\p{L}\p{N}\p{M}_]{2,}/gu;

/** Lower-cased word tokens, as scikit-learn's default analyser finds them. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** 32-bit FNV-1a over UTF-16 code units, finished with MurmurHash3's fmix32 for avalanche. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
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
  cols: Int32Array;
  counts: Float32Array;
}

/**
 * A growing corpus. `add` hashes a document's terms once; `matrix()` builds the
 * TF-IDF matrix over all documents so far (recomputed only after additions,
 * since every new document changes the idf of its terms).
 */
export class TextFeatures {
  /** Number of hashed columns (the matrix's columns are the ones in use, renumbered). */
  readonly cols: number;
  private readonly mask: number;
  private readonly ngramMax: number;
  private readonly maxDf: number;
  private readonly sublinear: boolean;
  private readonly docs: DocTerms[] = [];
  private readonly df: Int32Array;
  private cached: SparseMatrix | null = null;

  constructor(options: FeatureOptions = {}) {
    const bits = options.bits ?? 22;
    if (!Number.isInteger(bits) || bits < 4 || bits > 26) throw new RangeError(`bits must be an integer in 4..26, got ${bits}`);
    this.cols = 1 << bits;
    this.mask = this.cols - 1;
    this.ngramMax = options.ngramMax ?? 2;
    this.maxDf = options.maxDf ?? 0.95;
    this.sublinear = options.sublinearTf ?? true;
    this.df = new Int32Array(this.cols);
  }

  get size(): number {
    return this.docs.length;
  }

  /** Adds one document; returns its row index. */
  add(text: string): number {
    const tokens = tokenize(text);
    const hashes = new Uint32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) hashes[i] = hashString(tokens[i]);
    const counts = new Map<number, number>();
    const bump = (h: number) => {
      const c = h & this.mask;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    };
    for (let i = 0; i < hashes.length; i++) bump(hashes[i]);
    if (this.ngramMax >= 2) {
      // A bigram's hash mixes its two token hashes, so no bigram string is built.
      for (let i = 1; i < hashes.length; i++) bump(fmix32((Math.imul(hashes[i - 1], 0x9e3779b1) ^ hashes[i]) + 0x7f4a7c15));
    }
    const cols = Int32Array.from(counts.keys()).sort();
    const cnt = new Float32Array(cols.length);
    for (let k = 0; k < cols.length; k++) {
      cnt[k] = counts.get(cols[k])!;
      this.df[cols[k]]++;
    }
    this.docs.push({ cols, counts: cnt });
    this.cached = null;
    return this.docs.length - 1;
  }

  /** The L2-normalised TF-IDF matrix of all documents added so far. */
  matrix(): SparseMatrix {
    if (this.cached) return this.cached;
    const n = this.docs.length;
    const dfMax = this.maxDf * n;
    let nnz = 0;
    for (const d of this.docs) nnz += d.cols.length;
    const indptr = new Int32Array(n + 1);
    const indices = new Int32Array(nnz);
    const data = new Float32Array(nnz);
    const logN1 = Math.log(1 + n);
    // Hashed ids are renumbered densely in order of first use: a weight vector
    // over the terms actually present fits in cache, where one over 2^22
    // hashed columns would turn every sparse dot product into cache misses.
    const dense = new Int32Array(this.cols).fill(-1);
    let used = 0;
    let p = 0;
    for (let r = 0; r < n; r++) {
      const { cols, counts } = this.docs[r];
      const start = p;
      let norm = 0;
      for (let k = 0; k < cols.length; k++) {
        const c = cols[k];
        const df = this.df[c];
        // scikit-learn drops a term when df > max_df * n (for a float max_df).
        if (df > dfMax) continue;
        const tf = this.sublinear ? 1 + Math.log(counts[k]) : counts[k];
        const v = tf * (logN1 - Math.log(1 + df) + 1);
        if (dense[c] < 0) dense[c] = used++;
        indices[p] = dense[c];
        data[p] = v;
        norm += v * v;
        p++;
      }
      if (norm > 0) {
        const s = 1 / Math.sqrt(norm);
        for (let q = start; q < p; q++) data[q] *= s;
      }
      indptr[r + 1] = p;
    }
    this.cached = { rows: n, cols: used, indptr, indices: indices.subarray(0, p), data: data.subarray(0, p) };
    return this.cached;
  }
}

/** Builds the TF-IDF matrix of a fixed list of texts. */
export function tfidf(texts: readonly string[], options: FeatureOptions = {}): SparseMatrix {
  const f = new TextFeatures(options);
  for (const t of texts) f.add(t);
  return f.matrix();
}
