import { baseConfig, paragraphs, plural, widestLabel, type Figure } from "@homeward/figures";
import { toCsv } from "../csv.js";
import { InputError, type ClassificationScheme, type CodebookItem, type ExtractedValue, type Outcome, type Protocol, type Study } from "@homeward/model";
import { characteristicList, citationOf, classesOf, includedStudies, labelOf, schemeOf } from "../project.js";

/** Study-level code listing the outcome domains a study reports, used when it has no outcome entities. */
export const OUTCOME_DOMAINS_CHARACTERISTIC = "outcomeDomains";

export interface GapCell {
  type: string;
  domain: string;
  studies: { id: string; citation: string }[];
  /** Outcomes extracted in this cell; null when the studies' outcomes are known only by domain. */
  outcomes: number | null;
}

export interface GapMapData {
  /** The study classification the rows are the values of (by default the scheme with role typology); null when there is none. */
  rows: { code: string; label: string; role: string | null } | null;
  types: string[];
  domains: string[];
  cells: GapCell[];
}

/** What the gap map reads: the typology and outcome domains, the studies, their outcomes (and extraction for the fallback). */
export interface GapMapInput {
  protocol: Pick<Protocol, "classifications" | "outcomeDomains">;
  studies: readonly Study[];
  outcomes: readonly Outcome[];
  codebookItems: readonly CodebookItem[];
  extractedValues: readonly ExtractedValue[];
}

/**
 * Evidence gap map data (after the 3ie/Campbell gap-map convention of
 * interventions × outcomes with the number of studies per cell): rows are the
 * values of the protocol's typology (the scheme with role typology), columns
 * its outcome domains, each cell the included studies of that type reporting
 * an outcome in that domain. A study's domains come from its extracted
 * outcomes (which also give the number of outcomes), else from its
 * "outcomeDomains" characteristic.
 */
export function gapMapData(p: GapMapInput, rows?: string): GapMapData {
  const scheme = gapMapRows(p, rows);
  const typeItems = scheme?.values ?? [];
  const domainItems = p.protocol.outcomeDomains;
  const types = typeItems.map((t) => labelOf(typeItems, t.code));
  const domains = domainItems.map((d) => labelOf(domainItems, d.code));
  const cells = new Map<string, GapCell>();
  const cellOf = (type: string, domain: string) => {
    if (!types.includes(type)) types.push(type);
    if (!domains.includes(domain)) domains.push(domain);
    const key = `${type}\u0000${domain}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = { type, domain, studies: [], outcomes: null }));
    return c;
  };
  for (const s of scheme ? includedStudies(p) : []) {
    const studyTypes = classesOf(s, scheme!.code).map((c) => labelOf(typeItems, c));
    if (studyTypes.length === 0) continue;
    const outcomes = p.outcomes.filter((o) => o.studyId === s.id && o.domain);
    const byDomain = new Map<string, number | null>();
    if (outcomes.length > 0) {
      for (const o of outcomes) {
        const d = labelOf(domainItems, o.domain!);
        byDomain.set(d, (byDomain.get(d) ?? 0) + 1);
      }
    } else {
      for (const c of characteristicList(p, s, OUTCOME_DOMAINS_CHARACTERISTIC)) byDomain.set(labelOf(domainItems, c), null);
    }
    for (const t of studyTypes) {
      for (const [d, k] of byDomain) {
        const cell = cellOf(t, d);
        if (!cell.studies.some((x) => x.id === s.id)) cell.studies.push({ id: s.id, citation: citationOf(s) });
        if (k !== null) cell.outcomes = (cell.outcomes ?? 0) + k;
      }
    }
  }
  for (const c of cells.values()) c.studies.sort((a, b) => a.citation.localeCompare(b.citation));
  const ordered: GapCell[] = [];
  for (const t of types) for (const d of domains) {
    const c = cells.get(`${t}\u0000${d}`);
    if (c) ordered.push(c);
  }
  return { rows: scheme ? { code: scheme.code, label: schemeName(scheme), role: scheme.role } : null, types, domains, cells: ordered };
}

const schemeName = (s: ClassificationScheme) => (s.label.trim() === "" ? s.code : s.label);

/**
 * The study classification a gap map's rows read: the one asked for by code,
 * else the intervention typology (the scheme with role typology). An unknown
 * code is refused with the codes there are.
 */
export function gapMapRows(p: Pick<GapMapInput, "protocol">, code?: string): ClassificationScheme | undefined {
  if (code === undefined) return schemeOf(p, "typology");
  const found = p.protocol.classifications.find((s) => s.code === code && s.appliesTo === "study");
  if (!found)
    throw new InputError(
      `no study classification "${code}" in the protocol (${p.protocol.classifications.map((s) => s.code).join(", ") || "none declared"})`,
    );
  return found;
}

export function gapMapFigure(p: GapMapInput, rows?: string): Figure {
  const data = gapMapData(p, rows);
  const rowTitle = data.rows?.label ?? "Intervention type";
  const rowNoun = (n: number) => plural(n, `value of ${rowTitle.toLowerCase()}`, `values of ${rowTitle.toLowerCase()}`);
  const values = data.cells.map((c) => ({
    type: c.type,
    domain: c.domain,
    n: c.studies.length,
    outcomes: c.outcomes,
    label: c.outcomes === null ? String(c.studies.length) : `${c.studies.length} (${c.outcomes})`,
    studies: c.studies.map((s) => s.citation).join("; "),
  }));
  const max = Math.max(1, ...values.map((v) => v.n));
  // Every count sits inside its disc: the smallest disc is as wide as the widest count, the largest
  // fits its row and column, and the legend gives the sizes their numbers.
  const minD = Math.ceil(widestLabel(values.map((v) => v.label), 11, true)) + 8;
  const maxD = Math.max(minD + 16, 46);
  const cellWidth = Math.max(64, maxD + 8);
  const area = (d: number) => Math.round((Math.PI * d * d) / 4);
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: { ...baseConfig(), axis: { ...baseConfig().axis, grid: true, ticks: false, domain: false } },
    width: cellWidth * data.domains.length,
    height: (maxD + 8) * data.types.length,
    data: { values },
    encoding: {
      x: {
        field: "domain",
        type: "nominal",
        sort: data.domains,
        scale: { domain: data.domains },
        axis: { title: "Outcome domain", orient: "top", labelAngle: -40, labelLimit: 0 },
      },
      y: { field: "type", type: "nominal", sort: data.types, scale: { domain: data.types }, axis: { title: rowTitle, labelLimit: 0 } },
    },
    layer: [
      {
        name: "cells",
        mark: { type: "point", filled: true, opacity: 1, stroke: "#08519C", strokeWidth: 1 },
        encoding: {
          size: { field: "n", type: "quantitative", scale: { domain: [1, Math.max(2, max)], range: [area(minD), area(maxD)], zero: false }, legend: { title: "Studies", values: legendValues(max), format: "d" } },
          color: { value: "#9ECAE1" },
          tooltip: [
            { field: "type", title: rowTitle },
            { field: "domain", title: "Outcome domain" },
            { field: "n", title: "Studies" },
            { field: "outcomes", title: "Outcomes" },
            { field: "studies", title: "Which" },
          ],
        },
      },
      {
        name: "counts",
        mark: { type: "text", fontSize: 11, fontWeight: "bold", color: "#111111" },
        encoding: { text: { field: "label" } },
      },
    ],
  };
  const studiesMapped = new Set(data.cells.flatMap((c) => c.studies.map((s) => s.id))).size;
  const empty = data.types.length * data.domains.length - data.cells.length;
  const top = [...data.cells].sort((a, b) => b.studies.length - a.studies.length).slice(0, 3);
  const byType = data.types.map((t) => {
    const cs = data.cells.filter((c) => c.type === t);
    return cs.length === 0
      ? `${t}: no studies`
      : `${t}: ${cs.map((c) => `${c.domain} ${c.studies.length}${c.outcomes !== null ? ` (${plural(c.outcomes, "outcome")})` : ""}`).join("; ")}`;
  });
  const withOutcomes = data.cells.some((c) => c.outcomes !== null);
  const description = paragraphs(
    `The image is an evidence gap map. Rows are the ${rowNoun(data.types.length)} (the study classification “${data.rows?.code ?? "none"}”) and columns ${plural(data.domains.length, "outcome domain")}. Each filled circle marks a combination studied; its size and number give the count of included studies${withOutcomes ? ", with the number of outcomes in brackets where outcomes were extracted" : ""}. Empty cells are gaps in the evidence.`,
    `${plural(studiesMapped, "study", "studies")} are mapped; a study appears once in every cell of its row value(s) and the domains it reports. ${empty} of ${data.types.length * data.domains.length} cells are empty.`,
    `Studies by ${rowTitle.toLowerCase()} and outcome domain:`,
    byType,
    top.length ? `The most studied combinations are ${top.map((c) => `${c.type.toLowerCase()} × ${c.domain.toLowerCase()} (${c.studies.length})`).join(", ")}.` : "No studies are mapped.",
  );
  return {
    spec: spec as unknown as Figure["spec"],
    title: `Evidence gap map: ${rowTitle.toLowerCase()} by outcome domain`,
    description,
    alt: `Evidence gap map of ${plural(studiesMapped, "study", "studies")} across ${rowNoun(data.types.length)} and ${data.domains.length} outcome domains.`,
  };
}

/** Up to four whole-number sizes for the legend. */
function legendValues(max: number): number[] {
  if (max <= 4) return Array.from({ length: max }, (_, i) => i + 1);
  return [1, Math.round(max / 3), Math.round((2 * max) / 3), max].filter((v, i, a) => a.indexOf(v) === i);
}

export function gapMapCsv(p: GapMapInput, rows?: string): string {
  const data = gapMapData(p, rows);
  // The typology keeps its established column name; any other scheme is named by its code.
  const rowColumn = data.rows === null || data.rows.role === "typology" ? "intervention_type" : data.rows.code;
  return toCsv(
    [rowColumn, "outcome_domain", "studies", "outcomes", "study_citations"],
    data.cells.map((c) => [c.type, c.domain, c.studies.length, c.outcomes, c.studies.map((s) => s.citation).join("; ")]),
  );
}
