/**
 * LaTeX and HTML remnants in bibliographic text, turned into plain Unicode.
 * BibTeX files encode accents as TeX commands (\'{e}, {\"o}, \ss); database
 * exports leave HTML tags (<i>, <sup>) and entities (&amp;, &#233;) in titles.
 */
const ACCENTS: Record<string, string> = {
  "'": "\u0301",
  "`": "\u0300",
  "^": "\u0302",
  '"': "\u0308",
  "~": "\u0303",
  "=": "\u0304",
  ".": "\u0307",
  u: "\u0306",
  v: "\u030C",
  H: "\u030B",
  c: "\u0327",
  k: "\u0328",
  r: "\u030A",
  d: "\u0323",
  b: "\u0331",
};

const SYMBOLS: Record<string, string> = {
  ss: "ß",
  o: "ø",
  O: "Ø",
  ae: "æ",
  AE: "Æ",
  oe: "œ",
  OE: "Œ",
  aa: "å",
  AA: "Å",
  l: "ł",
  L: "Ł",
  i: "ı",
  j: "ȷ",
  textendash: "–",
  textemdash: "—",
  textquoteright: "’",
  textquoteleft: "‘",
  S: "§",
  P: "¶",
  dag: "†",
  ldots: "…",
  dots: "…",
  alpha: "α",
  beta: "β",
  gamma: "γ",
  delta: "δ",
  kappa: "κ",
  lambda: "λ",
  mu: "μ",
  pi: "π",
  sigma: "σ",
  tau: "τ",
  omega: "ω",
  pm: "±",
  times: "×",
  le: "≤",
  ge: "≥",
  leq: "≤",
  geq: "≥",
};

export function latexToText(s: string): string {
  if (!/[\\{}$~]/.test(s)) return s;
  let t = s;
  // \'{e}, \'e, {\'e}, \c{c}
  t = t.replace(/\\([`'^"~=.uvHckrdb])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z](?![A-Za-z])|[A-Za-z]))/g, (m, acc: string, a?: string, b?: string) => {
    const base = (a ?? b ?? "").replace(/^\\([ij])$/, "$1");
    const mark = ACCENTS[acc];
    if (!mark || base.length !== 1) return m;
    return (base + mark).normalize("NFC");
  });
  t = t.replace(/\\([A-Za-z]+)\b\s*(?:\{\})?/g, (m, name: string) => SYMBOLS[name] ?? (/^(textit|textbf|emph|textsc|textrm|mathrm|mathit|textsuperscript|textsubscript|url|mbox|textup|it|bf|em|sc|rm)$/.test(name) ? "" : m));
  t = t.replace(/\\([&%$#_{}])/g, "$1");
  t = t.replace(/\$([^$]*)\$/g, "$1");
  t = t.replace(/(^|[^\\])~/g, "$1 ");
  t = t.replace(/[{}]/g, "");
  t = t.replace(/---/g, "—").replace(/--/g, "–");
  return t;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—" };

/** Strips HTML/XML tags and decodes entities. */
export function htmlToText(s: string): string {
  if (!/[<&]/.test(s)) return s;
  return s
    .replace(/<\/?(?:i|b|em|strong|sup|sub|span|p|br|u|sc|inf|scp|italic|bold|mml:[a-z]+|math)\b[^>]*>/gi, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === "#") {
        const n = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return n > 0 && n < 0x110000 ? String.fromCodePoint(n) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}
