import { baseConfig, paragraphs, type Figure } from "@homeward/figures";
import { toCsv } from "../csv.js";
import { flowChecks, PRISMA_FIELDS, prismaFlow, total, type PrismaCountField, type PrismaFlow, type FlowInput, type PrismaInput } from "../prisma.js";
import { labelOf, schemeOf } from "../project.js";
import { studyCounts } from "../summary.js";

/**
 * PRISMA 2020 flow diagram for new systematic reviews which included
 * searches of databases, registers and other sources (Page et al., BMJ
 * 2021;372:n71, Figure 1 template): phase bands Identification / Screening /
 * Included on the left, the "databases and registers" column pair (main
 * boxes, exclusion boxes to the right) and the "other methods" pair.
 * Drawn in Vega-Lite with pixel coordinates (scales off), so the layout is
 * the template's whatever the numbers. Numbers that come from recorded counts
 * carry a dagger, explained under the diagram.
 */

const LINE = 14;
const PAD = 8;
const COL = 215;
const GAP = 36;
const BAND = 26;
const X0 = BAND + 14;
const XS = [X0, X0 + COL + GAP, X0 + 2 * COL + GAP + 56, X0 + 3 * COL + 2 * GAP + 56];
const HEADER = 40;
const ROW_GAP = 30;

interface Box {
  id: string;
  col: number;
  row: number;
  lines: string[];
  fill: string;
  span?: number;
}

const n = (v: number | null) => (v === null ? "not recorded" : v.toLocaleString("en-GB"));

export function prismaFlowFigure(p: FlowInput | PrismaInput, flow: PrismaFlow = prismaFlow(p)): Figure {
  const { prisma, prismaSource } = flow;
  const mark = (f: PrismaCountField) => (prismaSource[f] === "recorded" ? "\u00a0†" : "");
  const num = (f: PrismaCountField) => `(n = ${n(total(prisma[f] as number | Record<string, number> | null))})${mark(f)}`;
  const reasons = (f: "dbr_excluded" | "other_excluded") => {
    const r = prisma[f];
    if (r === null) return [`(n = not recorded)`];
    const entries = Object.entries(r);
    return entries.length === 0 ? ["(n = 0)"] : entries.map(([k, v]) => `${k} (n = ${n(v)})${mark(f)}`);
  };
  const boxes: Box[] = [
    { id: "dbr_ident", col: 0, row: 0, fill: "#FFFFFF", lines: ["Records identified from:", `Databases ${num("database_results")}`, `Registers ${num("register_results")}`] },
    { id: "dbr_removed", col: 1, row: 0, fill: "#FFFFFF", lines: ["Records removed before screening:", "Duplicate records removed", num("duplicates")] },
    {
      id: "other_ident",
      col: 2,
      row: 0,
      fill: "#F2F2F2",
      // One line per kind of search; searches of kind "other" (e.g. Google Scholar) get their own line
      // rather than being counted as citation searching (the template's "etc.").
      lines: [
        "Records identified from:",
        `Websites ${num("website_results")}`,
        `Organisations ${num("organisation_results")}`,
        `Citation searching ${num("citations_results")}`,
        ...(prismaSource.other_results !== "none" ? [`Other sources ${num("other_results")}`] : []),
      ],
    },
    { id: "screened", col: 0, row: 1, fill: "#FFFFFF", lines: ["Records screened", num("records_screened")] },
    { id: "excluded", col: 1, row: 1, fill: "#FFFFFF", lines: ["Records excluded", num("records_excluded")] },
    { id: "dbr_sought", col: 0, row: 2, fill: "#FFFFFF", lines: ["Reports sought for retrieval", num("dbr_sought_reports")] },
    { id: "dbr_notret", col: 1, row: 2, fill: "#FFFFFF", lines: ["Reports not retrieved", num("dbr_notretrieved_reports")] },
    { id: "other_sought", col: 2, row: 2, fill: "#F2F2F2", lines: ["Reports sought for retrieval", num("other_sought_reports")] },
    { id: "other_notret", col: 3, row: 2, fill: "#F2F2F2", lines: ["Reports not retrieved", num("other_notretrieved_reports")] },
    { id: "dbr_assessed", col: 0, row: 3, fill: "#FFFFFF", lines: ["Reports assessed for eligibility", num("dbr_assessed")] },
    { id: "dbr_excl", col: 1, row: 3, fill: "#FFFFFF", lines: ["Reports excluded:", ...reasons("dbr_excluded")] },
    { id: "other_assessed", col: 2, row: 3, fill: "#F2F2F2", lines: ["Reports assessed for eligibility", num("other_assessed")] },
    { id: "other_excl", col: 3, row: 3, fill: "#F2F2F2", lines: ["Reports excluded:", ...reasons("other_excluded")] },
    { id: "included", col: 0, row: 4, fill: "#FFFFFF", lines: ["Studies included in review", num("new_studies"), "Reports of included studies", num("new_reports")] },
  ];
  // Long reason lists widen nothing: lines are wrapped to the box width by character count.
  const wrap = (s: string) => {
    const max = 38;
    if (s.length <= max) return [s];
    const out: string[] = [];
    let cur = "";
    for (const w of s.split(" ")) {
      if ((cur + " " + w).trim().length > max && cur) {
        out.push(cur);
        cur = "  " + w;
      } else cur = (cur + " " + w).replace(/^ (?! )/, "");
    }
    if (cur) out.push(cur);
    return out;
  };
  for (const b of boxes) b.lines = b.lines.flatMap(wrap);
  const rowH = [0, 1, 2, 3, 4].map((r) => Math.max(...boxes.filter((b) => b.row === r).map((b) => b.lines.length * LINE + 2 * PAD)));
  const rowY: number[] = [];
  let y = HEADER + 10;
  for (const h of rowH) {
    rowY.push(y);
    y += h + ROW_GAP;
  }
  const height = y - ROW_GAP + 40;
  const width = XS[3]! + COL + 4;
  const rect = (b: Box) => ({ x: XS[b.col]!, x2: XS[b.col]! + COL, y: rowY[b.row]!, y2: rowY[b.row]! + rowH[b.row]! });
  const at = new Map(boxes.map((b) => [b.id, rect(b)]));
  const R = (id: string) => at.get(id)!;

  const rects = [
    ...boxes.map((b) => ({ ...rect(b), fill: b.fill, stroke: "#333333" })),
    { x: X0, x2: X0 + 2 * COL + GAP, y: 4, y2: HEADER, fill: "#F6C344", stroke: "#F6C344" },
    { x: XS[2]!, x2: XS[3]! + COL, y: 4, y2: HEADER, fill: "#D9D9D9", stroke: "#D9D9D9" },
    { x: 0, x2: BAND, y: rowY[0]!, y2: rowY[0]! + rowH[0]!, fill: "#A9CCE3", stroke: "#A9CCE3" },
    { x: 0, x2: BAND, y: rowY[1]!, y2: rowY[3]! + rowH[3]!, fill: "#A9CCE3", stroke: "#A9CCE3" },
    { x: 0, x2: BAND, y: rowY[4]!, y2: rowY[4]! + rowH[4]!, fill: "#A9CCE3", stroke: "#A9CCE3" },
  ];
  const texts = boxes.map((b) => ({ x: XS[b.col]! + PAD, y: rowY[b.row]! + PAD, text: b.lines.join("\n") }));
  const headers = [
    { x: X0 + COL + GAP / 2, y: HEADER / 2 + 4, text: "Identification of new studies via databases and registers" },
    { x: (XS[2]! + XS[3]! + COL) / 2, y: HEADER / 2 + 4, text: "Identification of new studies via other methods" },
  ];
  const bands = [
    { x: BAND / 2, y: rowY[0]! + rowH[0]! / 2, text: "Identification" },
    { x: BAND / 2, y: (rowY[1]! + rowY[3]! + rowH[3]!) / 2, text: "Screening" },
    { x: BAND / 2, y: rowY[4]! + rowH[4]! / 2, text: "Included" },
  ];
  const mid = (r: { x: number; x2: number; y: number; y2: number }) => ({ cx: (r.x + r.x2) / 2, cy: (r.y + r.y2) / 2 });
  const down = (a: string, b: string) => ({ x: mid(R(a)).cx, y: R(a).y2, x2: mid(R(a)).cx, y2: R(b).y, head: "triangle-down" });
  const right = (a: string, b: string) => ({ x: R(a).x2, y: mid(R(a)).cy, x2: R(b).x, y2: mid(R(a)).cy, head: "triangle-right" });
  const arrows = [
    down("dbr_ident", "screened"),
    right("dbr_ident", "dbr_removed"),
    right("screened", "excluded"),
    down("screened", "dbr_sought"),
    right("dbr_sought", "dbr_notret"),
    down("dbr_sought", "dbr_assessed"),
    right("dbr_assessed", "dbr_excl"),
    down("dbr_assessed", "included"),
    down("other_ident", "other_sought"),
    right("other_sought", "other_notret"),
    down("other_sought", "other_assessed"),
    right("other_assessed", "other_excl"),
  ];
  // Other methods join the included box with an elbow: down, then left.
  const elbowY = mid(R("included")).cy;
  const segments = [
    ...arrows.map(({ x, y, x2, y2 }) => ({ x, y, x2, y2 })),
    { x: mid(R("other_assessed")).cx, y: R("other_assessed").y2, x2: mid(R("other_assessed")).cx, y2: elbowY },
    { x: mid(R("other_assessed")).cx, y: elbowY, x2: R("included").x2, y2: elbowY },
  ];
  const heads = [
    ...arrows.map((a) => ({ x: a.x2 - (a.head === "triangle-right" ? 4 : 0), y: a.y2 - (a.head === "triangle-down" ? 4 : 0), shape: a.head })),
    { x: R("included").x2 + 4, y: elbowY, shape: "triangle-left" },
  ];
  const recordedFields = PRISMA_FIELDS.filter((f) => prismaSource[f] === "recorded");
  const footnote =
    recordedFields.length === 0
      ? "All numbers are counted live from records, decisions and studies in Homeward."
      : recordedFields.length === PRISMA_FIELDS.filter((f) => prismaSource[f] !== "none").length
        ? "† Recorded count: entered by the review team for stages run outside Homeward."
        : "† Recorded count: entered by the review team for stages run outside Homeward; other numbers are counted live in Homeward.";
  const px = (f: string) => ({ field: f, type: "quantitative", scale: null, axis: null });
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: baseConfig(),
    width,
    height,
    layer: [
      {
        name: "boxes",
        data: { values: rects },
        mark: { type: "rect", strokeWidth: 1 },
        encoding: { x: px("x"), x2: { field: "x2" }, y: px("y"), y2: { field: "y2" }, fill: { field: "fill", type: "nominal", scale: null }, stroke: { field: "stroke", type: "nominal", scale: null } },
      },
      {
        name: "arrows",
        data: { values: segments },
        mark: { type: "rule", color: "#333333", strokeWidth: 1.2 },
        encoding: { x: px("x"), x2: { field: "x2" }, y: px("y"), y2: { field: "y2" } },
      },
      {
        name: "heads",
        data: { values: heads },
        mark: { type: "point", filled: true, size: 50, color: "#333333", opacity: 1 },
        encoding: { x: px("x"), y: px("y"), shape: { field: "shape", type: "nominal", scale: null } },
      },
      {
        name: "labels",
        data: { values: texts },
        mark: { type: "text", align: "left", baseline: "top", fontSize: 11, lineHeight: LINE, lineBreak: "\n", color: "#111111" },
        encoding: { x: px("x"), y: px("y"), text: { field: "text" } },
      },
      {
        name: "headers",
        data: { values: headers },
        mark: { type: "text", align: "center", baseline: "middle", fontSize: 12, fontWeight: "bold", color: "#111111" },
        encoding: { x: px("x"), y: px("y"), text: { field: "text" } },
      },
      {
        name: "bands",
        data: { values: bands },
        mark: { type: "text", align: "center", baseline: "middle", angle: 270, fontSize: 12, fontWeight: "bold", color: "#111111" },
        encoding: { x: px("x"), y: px("y"), text: { field: "text" } },
      },
      {
        name: "footnote",
        data: { values: [{ x: 0, y: height - 18, text: footnote }] },
        mark: { type: "text", align: "left", baseline: "middle", fontSize: 10, color: "#333333" },
        encoding: { x: px("x"), y: px("y"), text: { field: "text" } },
      },
    ],
  };
  return {
    spec: spec as unknown as Figure["spec"],
    title: "PRISMA 2020 flow diagram",
    description: prismaDescription(p, flow),
    alt: `PRISMA 2020 flow diagram: ${n(total(prisma.new_studies))} studies included.`,
  };
}

function prismaDescription(p: FlowInput | PrismaInput, { prisma, prismaSource }: PrismaFlow): string {
  const v = (f: PrismaCountField) => n(total(prisma[f] as number | Record<string, number> | null));
  const reasonList = (f: "dbr_excluded" | "other_excluded") => {
    const r = prisma[f];
    if (r === null) return "not recorded";
    const e = Object.entries(r);
    return e.length === 0 ? "none" : e.map(([k, x]) => `${k.charAt(0).toLowerCase() + k.slice(1)}, ${n(x)}`).join("; ");
  };
  const s = studyCounts(p);
  const recorded = PRISMA_FIELDS.filter((f) => prismaSource[f] === "recorded");
  const live = PRISMA_FIELDS.filter((f) => prismaSource[f] === "live");
  const checks = flowChecks(prisma);
  const strand = schemeOf(p, "strand");
  const strandLine =
    strand && s.total > 0
      ? `Of the ${n(s.total)} included studies, by ${(strand.label.trim() || strand.code).toLowerCase()}: ${Object.entries(s.strands)
          .map(([code, k]) => `${labelOf(strand.values, code)} ${n(k)}`)
          .join("; ")}${s.inSeveralStrands > 0 ? ` (${n(s.inSeveralStrands)} in more than one)` : ""}.`
      : undefined;
  return paragraphs(
    "The image is a PRISMA 2020 flow diagram. It shows how records were identified through databases and registers and through other methods, then screened, assessed for eligibility and included in the review.",
    "1. Identification through databases and registers",
    [`Records identified from databases: ${v("database_results")}; from registers: ${v("register_results")}`, `Duplicate records removed before screening: ${v("duplicates")}`],
    "2. Screening of database and register records",
    [
      `Records screened: ${v("records_screened")}`,
      `Records excluded: ${v("records_excluded")}`,
      `Reports sought for retrieval: ${v("dbr_sought_reports")}`,
      `Reports not retrieved: ${v("dbr_notretrieved_reports")}`,
      `Reports assessed for eligibility: ${v("dbr_assessed")}`,
      `Reports excluded: ${reasonList("dbr_excluded")}`,
    ],
    "3. Identification and screening through other methods",
    [
      `Records identified from websites: ${v("website_results")}; organisations: ${v("organisation_results")}; citation searching: ${v("citations_results")}${prismaSource.other_results !== "none" ? `; other sources: ${v("other_results")}` : ""}`,
      `Reports sought for retrieval: ${v("other_sought_reports")}; reports not retrieved: ${v("other_notretrieved_reports")}`,
      `Reports assessed for eligibility: ${v("other_assessed")}; reports excluded: ${reasonList("other_excluded")}`,
    ],
    "4. Included",
    [`Studies included in the review: ${v("new_studies")}`, `Reports of included studies: ${v("new_reports")}`],
    strandLine,
    recorded.length
      ? `Numbers marked with a dagger are recorded counts entered by the review team (${recorded.join(", ")}); ${live.length ? `the others (${live.join(", ")}) are counted live from Homeward's records, decisions and studies` : "none is counted live in Homeward"}.`
      : "All numbers are counted live from Homeward's records, decisions and studies.",
    checks.length
      ? [
          "The counts do not add up at every step:",
          ...checks.map((c) => `  ${c.identity}: expected ${c.relation === "at most" ? "at most " : ""}${n(c.expected)}, shown ${n(c.actual)}`),
        ].join("\n")
      : "Every step of the flow adds up.",
  );
}

/** The numbers behind the diagram: one row per field (one per reason for the excluded-with-reasons fields). */
export function prismaCsv(flow: PrismaFlow): string {
  const rows: (string | number | null)[][] = [];
  for (const f of PRISMA_FIELDS) {
    const v = flow.prisma[f];
    if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      if (entries.length === 0) rows.push([f, null, 0, flow.prismaSource[f]]);
      for (const [reason, k] of entries) rows.push([f, reason, k, flow.prismaSource[f]]);
    } else rows.push([f, null, v as number | null, flow.prismaSource[f]]);
  }
  return toCsv(["field", "reason", "n", "source"], rows);
}
