import { InputError, type CodedExcerpt, type Study, type SynthesisCode } from "@homeward/model";

/** A code of a published framework, as data. */
export interface FrameworkCode {
  key: string;
  label: string;
  description: string;
}

export interface Framework {
  id: string;
  label: string;
  reference: string;
  codes: FrameworkCode[];
}

/**
 * Proctor et al.'s implementation outcomes (Adm Policy Ment Health
 * 2011;38:65–76, Table 1), the default framework: the seed review coded its
 * implementation strand against them (seed 000, Methods; Table 13's findings
 * are grouped by them).
 */
export const PROCTOR: Framework = {
  id: "proctor",
  label: "Implementation outcomes (Proctor et al., 2011)",
  reference: "Proctor E, et al. Outcomes for implementation research. Adm Policy Ment Health 2011;38:65–76",
  codes: [
    { key: "acceptability", label: "Acceptability", description: "The perception among stakeholders that an intervention is agreeable, palatable or satisfactory" },
    { key: "adoption", label: "Adoption", description: "The intention, initial decision or action to try or employ an intervention" },
    { key: "appropriateness", label: "Appropriateness", description: "The perceived fit, relevance or compatibility of the intervention for a setting, provider or consumer" },
    { key: "feasibility", label: "Feasibility", description: "The extent to which an intervention can be successfully used or carried out within a setting" },
    { key: "fidelity", label: "Fidelity", description: "The degree to which an intervention was implemented as prescribed" },
    { key: "implementation_cost", label: "Implementation cost", description: "The cost impact of an implementation effort" },
    { key: "reach", label: "Reach/penetration", description: "The integration of a practice within a service setting and its subsystems" },
    { key: "sustainability", label: "Sustainability", description: "The extent to which an implemented intervention is maintained or institutionalised" },
  ],
};

export const BARRIERS_FACILITATORS: Framework = {
  id: "barriers_facilitators",
  label: "Barriers and facilitators",
  reference: "",
  codes: [
    { key: "barrier", label: "Barrier", description: "Something that stood in the way of delivering or receiving the intervention" },
    { key: "facilitator", label: "Facilitator", description: "Something that helped the intervention be delivered or received" },
  ],
};

export const FRAMEWORKS: readonly Framework[] = [PROCTOR, BARRIERS_FACILITATORS];
export const INDUCTIVE = "inductive";

/** The codes a framework adds to a project, with ids `<framework>.<key>`; codes already present are left as they are. */
export function frameworkCodes(frameworkId: string, existing: readonly SynthesisCode[], by: string, at: string): SynthesisCode[] {
  const fw = FRAMEWORKS.find((f) => f.id === frameworkId);
  if (!fw) throw new InputError(`no framework "${frameworkId}" (known: ${FRAMEWORKS.map((f) => f.id).join(", ")})`);
  const have = new Set(existing.map((c) => c.id));
  const start = existing.reduce((m, c) => Math.max(m, c.order), 0);
  return fw.codes
    .filter((c) => !have.has(`${fw.id}.${c.key}`))
    .map((c, i) => ({
      id: `${fw.id}.${c.key}`,
      framework: fw.id,
      label: c.label,
      description: c.description,
      status: "active" as const,
      successorIds: [],
      history: [{ action: "created" as const, detail: fw.label, by, at }],
      order: start + i + 1,
    }));
}

/** Changes to codes and excerpts that one code operation makes, written in one transaction. */
export interface CodeChange {
  create: SynthesisCode[];
  update: SynthesisCode[];
  excerpts: { id: string; codeIds: string[] }[];
}

const active = (codes: readonly SynthesisCode[], id: string): SynthesisCode => {
  const c = codes.find((x) => x.id === id);
  if (!c) throw new InputError(`no code "${id}"`, 404);
  if (c.status !== "active") throw new InputError(`the code "${c.label}" was ${c.status} and can no longer change`);
  return c;
};

export function renameCode(codes: readonly SynthesisCode[], id: string, label: string, by: string, at: string): CodeChange {
  const c = active(codes, id);
  const l = label.trim();
  if (!l) throw new InputError("a code needs a label");
  if (l === c.label) throw new InputError(`the code is already called "${l}"`);
  return { create: [], update: [{ ...c, label: l, history: [...c.history, { action: "renamed", detail: c.label, by, at }] }], excerpts: [] };
}

/**
 * Merges codes into one: each excerpt coded with any of `fromIds` is coded
 * with `intoId` instead; the merged codes are kept (status merged) so that
 * their history reads back.
 */
export function mergeCodes(codes: readonly SynthesisCode[], excerpts: readonly CodedExcerpt[], fromIds: readonly string[], intoId: string, by: string, at: string): CodeChange {
  const into = active(codes, intoId);
  const from = [...new Set(fromIds)].filter((id) => id !== intoId).map((id) => active(codes, id));
  if (from.length === 0) throw new InputError("choose at least one other code to merge into it");
  const gone = new Set(from.map((c) => c.id));
  const changed = excerpts
    .filter((e) => e.codeIds.some((id) => gone.has(id)))
    .map((e) => ({ id: e.id, codeIds: [...new Set(e.codeIds.map((id) => (gone.has(id) ? intoId : id)))] }));
  return {
    create: [],
    update: [
      ...from.map((c) => ({ ...c, status: "merged" as const, successorIds: [intoId], history: [...c.history, { action: "merged_into" as const, detail: into.label, by, at }] })),
      { ...into, history: [...into.history, ...from.map((c) => ({ action: "merged_from" as const, detail: c.label, by, at }))] },
    ],
    excerpts: changed,
  };
}

/**
 * Splits a code into new ones: each excerpt coded with it is given the new
 * code the team chose for it (`assign`, excerpt id → new code's index), or
 * all of them where none was chosen; the split code is kept (status split).
 */
export function splitCode(
  codes: readonly SynthesisCode[],
  excerpts: readonly CodedExcerpt[],
  id: string,
  parts: readonly { id: string; label: string }[],
  assign: Readonly<Record<string, number>>,
  by: string,
  at: string,
): CodeChange {
  const c = active(codes, id);
  if (parts.length < 2) throw new InputError("a code splits into at least two codes");
  const taken = new Set(codes.map((x) => x.id));
  for (const p of parts) {
    if (!p.label.trim()) throw new InputError("each new code needs a label");
    if (taken.has(p.id)) throw new InputError(`a code with id "${p.id}" exists`);
    taken.add(p.id);
  }
  const coded = excerpts.filter((e) => e.codeIds.includes(id));
  for (const [eid, k] of Object.entries(assign)) {
    if (!coded.some((e) => e.id === eid)) throw new InputError(`excerpt ${eid} is not coded "${c.label}"`);
    if (!Number.isInteger(k) || k < 0 || k >= parts.length) throw new InputError(`excerpt ${eid}: choose one of the ${parts.length} new codes`);
  }
  const created: SynthesisCode[] = parts.map((p, i) => ({
    id: p.id,
    framework: c.framework,
    label: p.label.trim(),
    description: "",
    status: "active",
    successorIds: [],
    history: [{ action: "split_from", detail: c.label, by, at }],
    order: c.order * 100 + i + 1,
  }));
  return {
    create: created,
    update: [{ ...c, status: "split", successorIds: parts.map((p) => p.id), history: [...c.history, { action: "split_into", detail: parts.map((p) => p.label).join(", "), by, at }] }],
    excerpts: coded.map((e) => {
      const k = assign[e.id];
      const into = k === undefined ? parts.map((p) => p.id) : [parts[k]!.id];
      return { id: e.id, codeIds: [...new Set(e.codeIds.flatMap((x) => (x === id ? into : [x])))] };
    }),
  };
}

export interface MatrixCell {
  count: number;
  excerptIds: string[];
}

export interface CodingMatrix {
  codes: { id: string; label: string; framework: string; total: number; studies: number }[];
  /** Columns: studies (and transcripts) with at least one coded excerpt, in name order. */
  columns: { id: string; label: string; kind: "study" | "transcript"; total: number }[];
  /** cells[code][column] */
  cells: Record<string, Record<string, MatrixCell>>;
}

/**
 * The framework matrix (codes × studies): how many excerpts of each study
 * are coded with each code, and which, as EPPI-Reviewer's and NVivo's
 * framework matrices show them. Only active codes are rows: an excerpt
 * coded with a merged or split code was moved when it happened.
 */
export function codingMatrix(
  codes: readonly SynthesisCode[],
  excerpts: readonly CodedExcerpt[],
  studies: readonly Pick<Study, "id" | "name" | "shortCitation">[],
  transcripts: readonly { id: string; label: string }[] = [],
): CodingMatrix {
  const rows = codes.filter((c) => c.status === "active").sort((a, b) => a.order - b.order || a.label.localeCompare(b.label));
  const studyLabel = new Map(studies.map((s) => [s.id, s.shortCitation ?? s.name]));
  const transcriptLabel = new Map(transcripts.map((t) => [t.id, t.label]));
  const cells: Record<string, Record<string, MatrixCell>> = {};
  const colTotals = new Map<string, number>();
  for (const c of rows) cells[c.id] = {};
  for (const e of excerpts) {
    const col = e.studyId ?? e.transcriptId;
    if (!col) continue;
    let counted = false;
    for (const code of e.codeIds) {
      const row = cells[code];
      if (!row) continue;
      const cell = (row[col] ??= { count: 0, excerptIds: [] });
      cell.count++;
      cell.excerptIds.push(e.id);
      counted = true;
    }
    if (counted) colTotals.set(col, (colTotals.get(col) ?? 0) + 1);
  }
  const columns = [...colTotals.entries()]
    .map(([id, total]) => ({
      id,
      total,
      kind: (transcriptLabel.has(id) && !studyLabel.has(id) ? "transcript" : "study") as "study" | "transcript",
      label: studyLabel.get(id) ?? transcriptLabel.get(id) ?? id,
    }))
    .sort((a, b) => (a.kind === b.kind ? a.label.localeCompare(b.label) : a.kind === "study" ? -1 : 1));
  return {
    codes: rows.map((c) => ({
      id: c.id,
      label: c.label,
      framework: c.framework,
      total: Object.values(cells[c.id]!).reduce((n, x) => n + x.count, 0),
      studies: Object.keys(cells[c.id]!).length,
    })),
    columns,
    cells,
  };
}
