// Merges explain themselves, and a reviewer's split holds on the next detection run.
import { describe, expect, it } from "vitest";
import type { BibRecord, DuplicateGroup, DuplicatePair } from "@homeward/model";
import { dedupe, dedupeProject, listDuplicateGroups, splitDuplicateGroup, type DedupeInput, type DedupeRunner, type DuplicatesStore } from "@homeward/records";

const article: DedupeInput = {
  id: "a",
  title: "Vitamin D supplementation and falls in care home residents: a cluster randomised trial",
  authors: ["Ferreira, Lucia", "Nakamura, Ken", "Doyle, Siobhan"],
  year: "2017",
  journal: "Age and Ageing",
  volume: "46",
  issue: "2",
  pages: "233-240",
  doi: "10.5555/aa.2017.0233",
};
const copy: DedupeInput = { ...article, id: "b", title: "Vitamin D supplementation and falls in care home residents", authors: ["Ferreira L", "Nakamura K", "Doyle S"], journal: "Age Ageing", doi: undefined };
const other: DedupeInput = { id: "c", title: "Hip protectors in nursing homes", authors: ["Quist, Anna"], year: "2016", journal: "Age and Ageing", volume: "45", pages: "10-15" };

describe("merge explanations", () => {
  it("every merge carries its reason and the fields that decided it", () => {
    const { groups, links } = dedupe([article, copy, other]);
    expect(groups).toEqual([["a", "b"], ["c"]]);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ a: "a", b: "b" });
    expect(links[0].reason).toMatch(/same authors, year and pages/);
    expect(links[0].fields).toEqual(["title (one within the other)", "authors", "year", "journal", "volume", "issue", "pages"]);
  });
  it("a reviewer's group is explained as such", () => {
    const { links } = dedupe([article, other], { together: [["a", "c"]] });
    expect(links).toEqual([{ a: "a", b: "c", reason: "joined by a reviewer", fields: [] }]);
  });
});

/** A project's duplicates kept in memory, as the store interface asks. */
function memoryStore(inputs: DedupeInput[]): DuplicatesStore & { pairs: DuplicatePair[] } {
  let n = 0;
  const now = () => new Date().toISOString();
  const records = new Map<string, BibRecord>(
    inputs.map((r) => [
      r.id,
      {
        id: r.id,
        title: r.title ?? "",
        authors: r.authors ?? [],
        abstract: null,
        journal: r.journal ?? null,
        year: r.year ? Number(r.year) : null,
        volume: r.volume ?? null,
        issue: r.issue ?? null,
        pages: r.pages ?? null,
        doi: r.doi ?? null,
        pmid: null,
        keywords: [],
        url: null,
        type: "article",
        language: null,
        raw: null,
        extra: { recordType: "article" },
        duplicateGroupId: null,
        createdAt: now(),
      } as unknown as BibRecord,
    ]),
  );
  const groups = new Map<string, DuplicateGroup>();
  const pairs: DuplicatePair[] = [];
  const audit: { action: string }[] = [];
  const store = {
    pairs,
    transaction: (fn: (tx: DuplicatesStore) => Promise<unknown>) => fn(store as unknown as DuplicatesStore),
    get: async (_p: string, c: string, id: string) => (c === "records" ? records.get(id) : c === "duplicateGroups" ? groups.get(id) : pairs.find((x) => x.id === id)),
    list: async (_p: string, c: string, where: Record<string, unknown> = {}) => {
      const all: object[] = c === "records" ? [...records.values()] : c === "duplicateGroups" ? [...groups.values()] : pairs;
      return all.filter((x) => Object.entries(where).every(([k, v]) => (x as Record<string, unknown>)[k] === v));
    },
    insert: async (_p: string, c: string, items: object[], ctx: { actor: string }) =>
      items.map((it) => {
        audit.unshift({ action: `${c}.insert` });
        if (c === "duplicateGroups") {
          const g = { id: `g${++n}`, createdBy: ctx.actor, createdAt: now(), ...it } as DuplicateGroup;
          groups.set(g.id, g);
          return g;
        }
        const p = { id: `p${++n}`, score: null, reasons: [], status: "pending", decidedBy: null, decidedAt: null, createdAt: now(), ...it } as DuplicatePair;
        pairs.push(p);
        return p;
      }),
    update: async (_p: string, c: string, id: string, patch: object) => {
      audit.unshift({ action: `${c}.update` });
      const x = c === "records" ? records.get(id) : pairs.find((p) => p.id === id);
      Object.assign(x!, patch);
      return x;
    },
    remove: async (_p: string, _c: string, id: string) => {
      audit.unshift({ action: "duplicateGroups.remove" });
      groups.delete(id);
    },
    listAudit: async (_p: string, page: { limit?: number }) => ({ total: audit.length, items: audit.slice(0, page.limit ?? audit.length) }),
  };
  return store as unknown as DuplicatesStore & { pairs: DuplicatePair[] };
}

describe("a reviewer's split", () => {
  it("is remembered on the next detection run, and the group view says why records were joined", async () => {
    const store = memoryStore([article, copy, other]);
    // The pure detector over every record at once, as a run's pages arrive.
    const run: DedupeRunner = () => {
      const inputs: DedupeInput[] = [];
      return { add: async (page) => void inputs.push(...page), finish: async (decided) => dedupe(inputs, decided), cancel: () => undefined };
    };
    await dedupeProject(store, "p", "owner", { run });
    const page = await listDuplicateGroups(store, "p", { offset: 0, limit: 10 });
    expect(page.items).toHaveLength(1);
    const [first, second] = page.items[0].members;
    expect(first.joinedBy).toBeNull();
    expect(second.joinedBy).toMatchObject({ recordId: first.record.id });
    expect(second.joinedBy!.fields).toContain("pages");

    await splitDuplicateGroup(store, "p", page.items[0].group.id, [["a"], ["b"]], { actor: "reviewer" });
    expect(store.pairs.filter((p) => p.status === "not_duplicate")).toHaveLength(1);
    const again = await dedupeProject(store, "p", "owner", { run });
    expect(again.grouped).toBe(0);
    expect((await listDuplicateGroups(store, "p", { offset: 0, limit: 10 })).total).toBe(0);
    // Nor is the pair asked about again.
    expect(store.pairs.filter((p) => p.status === "pending")).toHaveLength(0);
  });
});
