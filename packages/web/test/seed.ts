/**
 * Deterministic project files for browser tests and benchmarks: n records
 * with varied titles, authors, years and journals, a protocol, searches and
 * studies. Expected table contents are computed from these arrays, never
 * from the app.
 */
import type { ProjectFileInput } from "@homeward/model";
import { startApp, type AppHarness } from "./harness.js";

const WORDS = [
  "mentoring", "youth", "school", "violence", "prevention", "community", "family", "parenting", "trial",
  "evaluation", "outcomes", "wellbeing", "attainment", "offending", "employment", "housing", "literacy",
  "numeracy", "exclusion", "resilience", "programme", "intervention", "cohort", "qualitative", "impact",
];
const FAMILIES = ["Smith", "Okafor", "García", "Nguyen", "Müller", "Patel", "Kowalski", "Brown", "Haddad", "Larsen", "Ito", "O'Neill"];
const JOURNALS = [
  "Journal of Experimental Criminology", "Child Development", "Campbell Systematic Reviews", "Prevention Science",
  "BMJ Open", "Educational Research Review", "Children and Youth Services Review", null,
];

/** The rare word planted in every RARE_EVERY-th title, for search tests. */
export const RARE_WORD = "zebrafish";
export const RARE_EVERY = 97;

export interface SeedRecord {
  id: string;
  title: string;
  authors: string[];
  year: number | null;
  journal: string | null;
  doi: string;
  abstract: string;
  createdAt: string;
}

/** mulberry32: a small seeded generator so every run builds the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedRecords(n: number, seed = 1): SeedRecord[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const base = Date.UTC(2024, 0, 15, 9, 0, 0);
  const out: SeedRecord[] = [];
  for (let i = 0; i < n; i++) {
    const words = [pick(WORDS), pick(WORDS), pick(WORDS), pick(WORDS)];
    if (i % RARE_EVERY === 0) words.splice(1, 0, RARE_WORD);
    const title = `${words.join(" ").replace(/^\w/, (c) => c.toUpperCase())}: record ${i + 1}`;
    const nAuthors = 1 + Math.floor(r() * 4);
    const authors = Array.from({ length: nAuthors }, () => `${pick(FAMILIES)}, ${String.fromCharCode(65 + Math.floor(r() * 26))}.`);
    out.push({
      id: `rec-${String(i + 1).padStart(6, "0")}`,
      title,
      authors,
      year: r() < 0.03 ? null : 1975 + Math.floor(r() * 50),
      journal: pick(JOURNALS),
      doi: `10.5555/hw.${i + 1}`,
      abstract: `Background: ${pick(WORDS)} and ${pick(WORDS)}. Methods: ${pick(WORDS)}.`,
      createdAt: new Date(base + i * 1000).toISOString(),
    });
  }
  return out;
}

/** Audit entries carried in the seeded project file. */
export const SEED_AUDIT_ENTRIES = 60;

export interface SeedProject {
  file: ProjectFileInput;
  records: SeedRecord[];
}

export function seedProject(opts: { id: string; title: string; records: number; seed?: number }): SeedProject {
  const records = seedRecords(opts.records, opts.seed ?? 1);
  const at = "2024-01-15T09:00:00.000Z";
  const file: ProjectFileInput = {
    format: "homeward-project",
    version: 2,
    project: {
      id: opts.id,
      title: opts.title,
      description: "Seeded project for browser tests and benchmarks.",
      createdAt: at,
      updatedAt: at,
    },
    protocol: {
      question: "Does mentoring reduce offending among young people at risk?",
      picot: {
        population: "Young people aged 10–18 at risk of offending",
        intervention: "Formal mentoring programmes",
        comparison: "No mentoring or services as usual",
        outcomes: "Offending, education, wellbeing",
        timing: "Any follow-up",
        setting: "Community and school settings",
      },
      eligibility: {
        inclusion: [
          { code: "INC-DES", label: "Randomised or quasi-experimental design", category: "Design" },
          { code: "INC-POP", label: "Participants aged 10–18", category: "Population" },
        ],
        exclusion: [{ code: "EXC-ADULT", label: "Adult-only samples", category: "Population" }],
      },
      exclusionReasons: [
        { code: "design", label: "Ineligible study design", rank: 3 },
        { code: "population", label: "Ineligible population", rank: 1, stage: "title_abstract" },
        { code: "intervention", label: "Not a mentoring intervention", rank: 2 },
      ],
      outcomeDomains: [
        { code: "crime", label: "Offending and crime" },
        { code: "education", label: "Educational outcomes" },
      ],
      classifications: [
        {
          code: "interventionType",
          label: "Intervention type",
          role: "typology",
          values: [
            { code: "one-to-one", label: "One-to-one mentoring" },
            { code: "group", label: "Group mentoring" },
          ],
        },
      ],
    },
    searches: [
      { id: "search-psycinfo", source: "PsycINFO", kind: "database", date: "2024-01-10", query: "mentor* AND (youth OR adolescen*)", resultsCount: 812 },
      { id: "search-web", source: "Youth Endowment Fund website", kind: "website", date: "2024-01-11", resultsCount: 40 },
    ],
    records: records.map((r) => ({ ...r, searchId: "search-psycinfo" })),
    studies: [
      { id: "study-a", name: "Alpha mentoring trial", design: "RCT", country: "UK", createdAt: at },
      { id: "study-b", name: "Beta community evaluation", design: "QED", country: "US", createdAt: at },
    ],
    studyReports: [
      { id: "sr-a", studyId: "study-a", recordId: records[0]?.id ?? null, citation: records[0] ? null : "Alpha 2020", role: "lead" },
      { id: "sr-b", studyId: "study-b", recordId: null, citation: "Beta et al. (2019) Final report", role: "lead" },
    ],
    // A history long enough to page through.
    audit: Array.from({ length: SEED_AUDIT_ENTRIES }, (_, i) => ({
      id: `audit-${i + 1}`,
      at: new Date(Date.parse(at) + i * 60_000).toISOString(),
      actor: i % 2 ? "reviewer-a" : "reviewer-b",
      action: "studies.update",
      entity: "studies",
      entityId: i % 2 ? "study-a" : "study-b",
      before: { design: "QED" },
      after: { design: "RCT" },
      reason: `Corrected from the full text (${i + 1})`,
    })),
  };
  return { file, records };
}

/**
 * A small project file around the given collections (records need only id
 * and title here), for tests that set a project up as an import would: the
 * server writes records only through imports, and the importer owns the
 * project.
 */
type RecordInput = NonNullable<ProjectFileInput["records"]>[number];
export function smallProject(
  opts: { id: string; title: string; records?: (Omit<RecordInput, "createdAt"> & { createdAt?: string })[] } & Omit<Partial<ProjectFileInput>, "project" | "format" | "version" | "records">,
): ProjectFileInput {
  const { id, title, records = [], ...rest } = opts;
  const at = "2024-01-15T09:00:00.000Z";
  return {
    format: "homeward-project",
    version: 2,
    project: { id, title, description: "", createdAt: at, updatedAt: at },
    records: records.map((r, i) => ({ ...r, createdAt: r.createdAt ?? new Date(Date.parse(at) + i * 1000).toISOString() })),
    ...rest,
  };
}

/** The app with one project imported by its owner, as most pages' tests begin. */
export async function startAppWithProject(project: ProjectFileInput): Promise<AppHarness> {
  const app = await startApp();
  try {
    await app.api("POST", "/projects/import", project);
  } catch (err) {
    // A failed import must not leave the server and browser running behind the failed set-up.
    await app.close();
    throw err;
  }
  return app;
}
