import type { Answers } from "../src/index.js";

/**
 * A second encoding of a flowchart: rows of a decision table, each a
 * pattern per question ("Y/PY/NI", "*" for any answer) and the judgement.
 * Written from the guidance's flowcharts independently of the engine's trees.
 */
export interface Row {
  when: Readonly<Record<string, string>>;
  then: string;
}

export function rowMatches(row: Row, answers: Answers): boolean {
  return Object.entries(row.when).every(([q, pattern]) => pattern === "*" || pattern.split("/").includes(answers[q] ?? "NA"));
}

/** Every combination of answers over the given questions and options. */
export function* combinations(options: Readonly<Record<string, readonly string[]>>): Generator<Record<string, string>> {
  const qs = Object.keys(options);
  const idx = qs.map(() => 0);
  for (;;) {
    yield Object.fromEntries(qs.map((q, i) => [q, options[q][idx[i]]]));
    let i = qs.length - 1;
    while (i >= 0 && ++idx[i] === options[qs[i]].length) idx[i--] = 0;
    if (i < 0) return;
  }
}

export interface Disagreement {
  answers: Record<string, string>;
  engine: string | null;
  table: string[];
}

/** Combinations where the table does not give exactly one judgement, or gives another than `propose`. */
export function compare(
  options: Readonly<Record<string, readonly string[]>>,
  table: readonly Row[],
  propose: (answers: Record<string, string>) => string | null,
): { checked: number; disagreements: Disagreement[]; rowsUsed: Set<number> } {
  const disagreements: Disagreement[] = [];
  const rowsUsed = new Set<number>();
  let checked = 0;
  for (const answers of combinations(options)) {
    checked += 1;
    const hits = table.map((r, i) => [r, i] as const).filter(([r]) => rowMatches(r, answers));
    hits.forEach(([, i]) => rowsUsed.add(i));
    const engine = propose(answers);
    if (hits.length !== 1 || hits[0][0].then !== engine) disagreements.push({ answers, engine, table: hits.map(([r]) => r.then) });
  }
  return { checked, disagreements, rowsUsed };
}
