import { stringify } from "csv-stringify/sync";
import { parse } from "csv-parse/sync";
import { InputError, type ClassificationScheme, type ReportedResult, type Study, type SurveyQuestion, type SurveyResponse } from "@homeward/model";

const MAX_PROBLEMS = 10;

function rowsOf(text: string, what: string): string[][] {
  try {
    return parse(text.replace(/^\uFEFF/, ""), { skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (e) {
    throw new InputError(`the ${what} is not readable CSV: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");

/**
 * A question dictionary as CSV, one row per answer of a closed question (or
 * one row for an open one): `question,text,type,answer,label`. `type` is
 * single, multiple (answers joined by ";"), text (open) or group (a
 * respondent characteristic, tabulated like a single-choice question).
 */
export function parseDictionary(text: string): Omit<SurveyQuestion, "id">[] {
  const rows = rowsOf(text, "question dictionary");
  const head = (rows.shift() ?? []).map((h) => h.toLowerCase());
  const col = (name: string) => {
    const i = head.indexOf(name);
    if (i < 0) throw new InputError(`the question dictionary needs a "${name}" column (it has: ${head.join(", ") || "none"})`);
    return i;
  };
  const [q, t, ty, a, l] = [col("question"), col("text"), col("type"), col("answer"), col("label")];
  const out = new Map<string, Omit<SurveyQuestion, "id">>();
  rows.forEach((r, i) => {
    const line = i + 2;
    const code = r[q]!;
    const type = r[ty]!.toLowerCase();
    if (!code) throw new InputError(`question dictionary line ${line}: the question code is empty`);
    if (!["single", "multiple", "text", "group"].includes(type)) throw new InputError(`question dictionary line ${line}: type "${r[ty]}" is not single, multiple, text or group`);
    const have = out.get(code);
    if (have && have.type !== type) throw new InputError(`question dictionary line ${line}: question ${code} is given as ${have.type} and ${type}`);
    const entry = have ?? { code, text: r[t] || code, type: type as SurveyQuestion["type"], options: [], order: out.size + 1 };
    if (r[a]) {
      if (entry.options.some((o) => o.code === r[a])) throw new InputError(`question dictionary line ${line}: answer "${r[a]}" of ${code} is listed twice`);
      entry.options.push({ code: r[a]!, label: r[l] || r[a]! });
    }
    out.set(code, entry);
  });
  for (const e of out.values())
    if ((e.type === "single" || e.type === "multiple" || e.type === "group") && e.options.length === 0)
      throw new InputError(`question dictionary: ${e.code} is a ${e.type} question with no answers listed`);
  if (out.size === 0) throw new InputError("the question dictionary lists no question");
  return [...out.values()];
}

export type ParsedResponse = Omit<SurveyResponse, "id" | "importedBy" | "importedAt">;

/**
 * Survey responses as CSV: a `respondent` column, an optional group column
 * (`groupColumn`, default "group"), then one column per question of the
 * dictionary. Every answer of a closed question must be one of its codes;
 * the first rows that break that are reported (line, respondent, question,
 * answer, what is allowed) and nothing is taken.
 */
export function parseResponses(text: string, questions: readonly Pick<SurveyQuestion, "code" | "type" | "options">[], groupColumn = "group"): ParsedResponse[] {
  const rows = rowsOf(text, "responses file");
  const head = rows.shift() ?? [];
  const ri = head.findIndex((h) => h.toLowerCase() === "respondent");
  if (ri < 0) throw new InputError(`the responses file needs a "respondent" column (it has: ${head.join(", ") || "none"})`);
  const gi = head.findIndex((h) => h.toLowerCase() === groupColumn.toLowerCase());
  const byCode = new Map(questions.map((q) => [q.code, q]));
  const unknown = head.filter((h, i) => i !== ri && i !== gi && !byCode.has(h));
  if (unknown.length) throw new InputError(`the responses file has columns that are not questions of the dictionary: ${unknown.join(", ")}`);
  const problems: string[] = [];
  const seen = new Set<string>();
  const out: ParsedResponse[] = [];
  rows.forEach((r, i) => {
    const line = i + 2;
    const who = r[ri] ?? "";
    if (!who) problems.push(`line ${line}: no respondent id`);
    else if (seen.has(who)) problems.push(`line ${line}: respondent ${who} appears twice`);
    seen.add(who);
    const answers: Record<string, string | null> = {};
    head.forEach((h, c) => {
      if (c === ri || c === gi) return;
      const q = byCode.get(h)!;
      const v = r[c] ?? "";
      answers[h] = v === "" ? null : v;
      if (v === "" || q.type === "text") return;
      const allowed = q.options.map((o) => o.code);
      const given = q.type === "multiple" ? v.split(";").map((x) => x.trim()).filter(Boolean) : [v];
      for (const g of given) if (!allowed.includes(g)) problems.push(`line ${line} (respondent ${who || "?"}): "${g}" is not an answer of ${h} (allowed: ${allowed.join(", ")})`);
    });
    out.push({ respondent: who, group: gi >= 0 ? r[gi] || null : null, answers });
  });
  if (problems.length)
    throw new InputError(
      `${problems.length} ${problems.length === 1 ? "problem" : "problems"} in the responses; nothing was imported: ${problems.slice(0, MAX_PROBLEMS).join("; ")}${problems.length > MAX_PROBLEMS ? `; and ${problems.length - MAX_PROBLEMS} more` : ""}`,
    );
  if (out.length === 0) throw new InputError("the responses file holds no response");
  return out;
}

export interface TabulatedOption {
  code: string;
  label: string;
  /** Per column (the whole sample "all", then each group): count and percentage of the column's respondents. */
  counts: Record<string, { n: number; percent: number }>;
}

export interface TabulatedQuestion {
  code: string;
  text: string;
  type: SurveyQuestion["type"];
  options: TabulatedOption[];
  /** Respondents who gave no answer, per column (a row only where there are some). */
  noAnswer: Record<string, { n: number; percent: number }> | null;
}

export interface SurveyTable {
  columns: { key: string; label: string; n: number }[];
  questions: TabulatedQuestion[];
}

/** Percentages to one decimal, as the seed's Table 14 prints them. */
const percent = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 1000) / 10);

/**
 * Counts and percentages of each answer by question, for all respondents and
 * for each respondent group (as the seed's Table 14 and Figures 15–17). The
 * denominator is the column's respondents; those who did not answer are a
 * row of their own where there are any. A multiple-choice question's
 * percentages are of respondents, so they may add up to more than 100.
 */
/**
 * The survey tables as one CSV (csv-stringify): a row per question and
 * answer (and "Did not answer" where there are any), a count and a percentage
 * column per respondent column, as the page's tables.
 */
export function surveyCsv(table: SurveyTable): string {
  const header = ["question", "question_text", "answer", ...table.columns.flatMap((c) => [`${c.label} (n = ${c.n}): n`, `${c.label} (n = ${c.n}): %`])];
  const cells = (counts: Record<string, { n: number; percent: number }>) => table.columns.flatMap((c) => [counts[c.key]?.n ?? 0, counts[c.key]?.percent ?? 0]);
  const rows = table.questions.flatMap((q) => [
    ...q.options.map((o) => [q.code, q.text, o.label, ...cells(o.counts)]),
    ...(q.noAnswer ? [[q.code, q.text, "Did not answer", ...cells(q.noAnswer)]] : []),
  ]);
  return stringify([header, ...rows], { record_delimiter: "\r\n" });
}

export function tabulateSurvey(questions: readonly SurveyQuestion[], responses: readonly Pick<SurveyResponse, "group" | "answers">[], opts: { groups?: boolean } = {}): SurveyTable {
  const groups = opts.groups === false ? [] : [...new Set(responses.map((r) => r.group).filter((g): g is string => !!g))].sort();
  const columns = [{ key: "all", label: "All respondents", n: responses.length }, ...groups.map((g) => ({ key: g, label: g, n: responses.filter((r) => r.group === g).length }))];
  const inCol = (key: string) => (key === "all" ? responses : responses.filter((r) => r.group === key));
  const tabulated = [...questions]
    .sort((a, b) => a.order - b.order)
    .filter((q) => q.type !== "text")
    .map((q) => {
      const picks = (r: Pick<SurveyResponse, "answers">) => {
        const v = r.answers[q.code];
        if (v === null || v === undefined || v === "") return [];
        return q.type === "multiple" ? v.split(";").map((x) => x.trim()) : [v];
      };
      const options = q.options.map((o) => ({
        code: o.code,
        label: o.label,
        counts: Object.fromEntries(columns.map((c) => {
          const rs = inCol(c.key);
          const n = rs.filter((r) => picks(r).includes(o.code)).length;
          return [c.key, { n, percent: percent(n, rs.length) }];
        })),
      }));
      const missing = Object.fromEntries(columns.map((c) => {
        const rs = inCol(c.key);
        const n = rs.filter((r) => picks(r).length === 0).length;
        return [c.key, { n, percent: percent(n, rs.length) }];
      }));
      return { code: q.code, text: q.text, type: q.type, options, noAnswer: Object.values(missing).some((m) => m.n > 0) ? missing : null };
    });
  return { columns, questions: tabulated };
}

export const questionCode = slug;

export interface EqualityStudy {
  id: string;
  citation: string;
  /** The equity scheme's characteristics the study reports. */
  reported: string[];
}

export interface EqualityAnnex {
  scheme: { code: string; label: string } | null;
  characteristics: { code: string; label: string; studies: number }[];
  studies: EqualityStudy[];
  /** Sample characteristics: per attribute, how many studies give each value. */
  samples: { key: string; values: { value: string; studies: number }[]; reported: number }[];
  /** Results of moderator analyses by an equity characteristic. */
  moderators: { id: string; label: string; estimate: number | null; ciLower: number | null; ciUpper: number | null; test: string | null }[];
}

/**
 * Words that name a PROGRESS-Plus characteristic in a result's label, beyond
 * the scheme's own labels (a moderator of "rural vs urban locations" is one of
 * place of residence). Stems match longer words ("placement" → placements).
 */
const EQUITY_TERMS: Record<string, string[]> = {
  place_of_residence: ["rural", "urban"],
  race_ethnicity_culture_language: ["ethnic\\w*", "white", "diverse", "black", "race", "cultur\\w*", "language"],
  gender_sex: ["gender", "male", "female"],
  child_age: ["age"],
  adult_age: ["age"],
  socioeconomic_status: ["income", "poverty", "socioeconomic", "deprivation", "disadvantage\\w*"],
  family_composition: ["single parents?", "family composition"],
  reasons_for_care: ["neglect", "abuse"],
  care_experience: ["placements?"],
  education: ["education\\w*", "schools?"],
  religion: ["religio\\w*"],
  child_send: ["send", "disabilit\\w*", "special educational"],
  parental_learning_disabilities: ["learning disabilit\\w*"],
};
/** Label words too general to tell an equity characteristic (from labels such as "Plus: age (child age)", "reasons for out-of-home care"). */
const GENERIC = new Set(["child", "children", "adult", "parent", "parents", "parental", "family", "status", "social", "capital", "other", "experience", "reasons", "care", "plus", "home", "place"]);

const MODERATOR_TEST = (h: Record<string, unknown> | null) => (h && typeof h.QM === "number" ? `QM(${h.QM_df ?? "?"}) = ${h.QM}, p ${typeof h.QM_p === "number" ? `= ${h.QM_p}` : h.QM_p ?? "?"}` : null);

/**
 * The equality annex from live data: PROGRESS-Plus reporting per study (the
 * protocol's scheme with the `equity` role), sample characteristics the
 * studies' attributes carry (`sampleKeys`), and the results of moderator
 * analyses by an equity characteristic: those listed in `moderatorIds`, or
 * else those whose id or label names one of the scheme's characteristics
 * (its labels' words, and `EQUITY_TERMS`).
 */
export function equalityAnnex(p: {
  studies: readonly Pick<Study, "id" | "name" | "shortCitation" | "classifications" | "attributes">[];
  classifications: readonly ClassificationScheme[];
  reportedResults: readonly ReportedResult[];
  sampleKeys?: readonly string[];
  moderatorIds?: readonly string[];
}): EqualityAnnex {
  const scheme = p.classifications.find((c) => c.role === "equity") ?? null;
  const values = scheme?.values ?? [];
  const studies = p.studies
    .map((s) => {
      const v = scheme ? s.classifications[scheme.code] : undefined;
      const reported = (Array.isArray(v) ? v : v ? [v] : []).map(String);
      return { id: s.id, citation: s.shortCitation ?? s.name, reported };
    })
    .filter((s) => s.reported.length > 0)
    .sort((a, b) => a.citation.localeCompare(b.citation));
  const keys = p.sampleKeys ?? [];
  const samples = keys.map((key) => {
    const tally = new Map<string, number>();
    let reported = 0;
    for (const s of p.studies) {
      const v = (s.attributes as Record<string, unknown> | null)?.[key];
      if (v === undefined || v === null || v === "") continue;
      reported++;
      const k = typeof v === "boolean" ? (v ? "yes" : "no") : String(v);
      tally.set(k, (tally.get(k) ?? 0) + 1);
    }
    return { key, reported, values: [...tally.entries()].map(([value, n]) => ({ value, studies: n })).sort((a, b) => b.studies - a.studies || a.value.localeCompare(b.value)) };
  });
  // Whole words: the scheme's label words (escaped) and the terms above (patterns).
  const terms = values.flatMap((v) => [...(EQUITY_TERMS[v.code] ?? []), ...v.label.toLowerCase().split(/[^a-z]+/).filter((w) => w.length >= 4 && !GENERIC.has(w))]);
  const pattern = terms.length ? new RegExp(`\\b(?:${[...new Set(terms)].join("|")})\\b`, "i") : null;
  const named = (r: ReportedResult) => !!pattern && pattern.test(`${r.id.replace(/-/g, " ")} ${r.label}`);
  const moderators = p.reportedResults
    .filter((r) => (p.moderatorIds ? p.moderatorIds.includes(r.id) : named(r)))
    .map((r) => ({ id: r.id, label: r.label, estimate: r.estimate, ciLower: r.ciLower, ciUpper: r.ciUpper, test: MODERATOR_TEST(r.heterogeneity) }));
  return {
    scheme: scheme ? { code: scheme.code, label: scheme.label } : null,
    characteristics: values.map((v) => ({ code: v.code, label: v.label, studies: studies.filter((s) => s.reported.includes(v.code)).length })),
    studies,
    samples,
    moderators,
  };
}
