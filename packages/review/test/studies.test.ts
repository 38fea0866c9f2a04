import { describe, expect, it } from "vitest";
import { InputError, type Study, type StudyReport } from "@homeward/model";
import { baseStudyName, familyName, formStudies, linkReport, mergeStudies, setLead, splitReport, studyNames, type StudiesStore, type StudiesTx, type StudyRecord } from "@homeward/review";

/**
 * An in-memory StudiesStore: a transaction works on copies and commits them
 * only when it returns, so a refused use case can be seen to leave nothing.
 */
function memoryStore(records: StudyRecord[], included: string[], refs: Record<string, string> = {}) {
  let studies: Study[] = [];
  let reports: StudyReport[] = [];
  const notes: { action: string; entityId: string | null; before: unknown; after: unknown }[] = [];
  let n = 0;
  const store: StudiesStore = {
    fullTextIncludes: async () => included,
    async transaction(fn) {
      let s = studies.map((x) => ({ ...x }));
      let r = reports.map((x) => ({ ...x }));
      const ns: typeof notes = [];
      const tx: StudiesTx = {
        lock: async () => {},
        study: async (id) => {
          const found = s.find((x) => x.id === id);
          if (!found) throw new InputError(`study "${id}" not found`, 404);
          return found;
        },
        studies: async () => s,
        reportsOfStudies: async (ids) => r.filter((x) => ids.includes(x.studyId)),
        reportsOfRecords: async (ids) => r.filter((x) => x.recordId !== null && ids.includes(x.recordId)),
        records: async (ids) => records.filter((x) => ids.includes(x.id)),
        insertStudies: async (xs) => {
          const made = xs.map((x) => ({ id: `s${++n}`, shortCitation: null, design: null, country: null, arms: [], classifications: {}, attributes: {}, createdAt: "2025-01-01T00:00:00.000Z", ...x }));
          s = [...s, ...made];
          return made;
        },
        insertReports: async (xs) => {
          const made = xs.map((x) => ({ id: `r${++n}`, citation: null, ...x }));
          for (const m of made) if (m.role === "lead" && r.some((o) => o.studyId === m.studyId && o.role === "lead")) throw new InputError("two leads", 409);
          r = [...r, ...made];
          return made;
        },
        updateReport: async (id, patch) => {
          const next = { ...r.find((x) => x.id === id)!, ...patch };
          if (next.role === "lead" && r.some((o) => o.id !== id && o.studyId === next.studyId && o.role === "lead")) throw new InputError(`study "${next.studyId}" would have two lead reports`, 409);
          r = r.map((x) => (x.id === id ? next : x));
          return next;
        },
        removeStudy: async (id) => {
          if (refs[id]) throw new InputError(`study "${id}" is referred to by ${refs[id]}`, 409);
          s = s.filter((x) => x.id !== id);
        },
        note: async (action, entityId, before, after) => {
          ns.push({ action, entityId, before, after });
        },
      };
      const out = await fn(tx);
      studies = s;
      reports = r;
      notes.push(...ns);
      return out;
    },
  };
  return { store, notes, studies: () => studies, reports: () => reports };
}

const rec = (id: string, authors: string[], year: number | null, title = `Title of ${id}`): StudyRecord => ({ id, authors, year, title });

describe("study names", () => {
  it("takes the first author's family name and the year", () => {
    expect(familyName("Smith, J. A.")).toBe("Smith");
    expect(familyName("Jane van Smith")).toBe("Smith");
    expect(baseStudyName(rec("a", ["Okafor, C.", "Ng, A."], 2019))).toBe("Okafor 2019");
    expect(baseStudyName(rec("a", [], null, "Kinship care in Wales: a cohort"))).toBe("Kinship care in Wales: n.d.");
  });

  it("tells apart two works of one name with letters, beside the names already taken", () => {
    const rs = [rec("a", ["Smith, J."], 2019), rec("b", ["Smith, K."], 2019), rec("c", ["Smith, J."], 2020), rec("d", ["Smith, L."], 2019)];
    expect(studyNames(rs, [])).toEqual(["Smith 2019", "Smith 2019b", "Smith 2020", "Smith 2019c"]);
    expect(studyNames(rs.slice(0, 1), ["smith 2019", "Smith 2019b"])).toEqual(["Smith 2019c"]);
  });
});

describe("studies use cases", () => {
  const records = [rec("r1", ["Akin, B."], 2017), rec("r2", ["Akin, B.", "McDonald, T."], 2018), rec("r3", ["Brook, J."], 2015), rec("r4", ["Choi, S."], 2020)];

  it("forms one study per included record not yet in a study, each its record the lead, once", async () => {
    const m = memoryStore(records, ["r1", "r2", "r3"]);
    const { created } = await formStudies(m.store);
    expect(created.map((s) => s.name)).toEqual(["Akin 2017", "Akin 2018", "Brook 2015"]);
    expect(m.reports().map((r) => [r.recordId, r.role])).toEqual([
      ["r1", "lead"],
      ["r2", "lead"],
      ["r3", "lead"],
    ]);
    expect(m.notes).toEqual([{ action: "studies.form", entityId: null, before: null, after: { count: 3, studyIds: created.map((s) => s.id), recordIds: ["r1", "r2", "r3"] } }]);
    // Again: nothing new to form.
    expect((await formStudies(m.store)).created).toEqual([]);
    expect(m.studies()).toHaveLength(3);
  });

  it("links an included record, makes it the lead, splits the old lead off and merges it back", async () => {
    const m = memoryStore(records, ["r1", "r2", "r3", "r4"]);
    await formStudies(m.store);
    const [akin, , brook] = m.studies();
    await expect(linkReport(m.store, akin!.id, "r3")).rejects.toThrow('the record is already a report of "Brook 2015"; merge the studies, or split it off first');
    await expect(linkReport(m.store, akin!.id, "r9")).rejects.toThrow(/not included at full text/);

    await mergeStudies(m.store, akin!.id, brook!.id);
    expect(m.studies().map((s) => s.name)).toEqual(["Akin 2017", "Akin 2018", "Choi 2020"]);
    const r3 = m.reports().find((r) => r.recordId === "r3")!;
    expect([r3.studyId, r3.role]).toEqual([akin!.id, "linked"]);
    expect(m.notes.at(-1)).toMatchObject({ action: "studies.merge", entityId: akin!.id, before: { from: { name: "Brook 2015" } } });

    await setLead(m.store, akin!.id, r3.id);
    const roles = () => m.reports().filter((r) => r.studyId === akin!.id).map((r) => [r.recordId, r.role]);
    expect(roles()).toEqual([
      ["r1", "linked"],
      ["r3", "lead"],
    ]);
    await expect(splitReport(m.store, akin!.id, r3.id)).rejects.toThrow('the lead report of "Akin 2017" cannot be split off; make another report the lead first');
    const r1 = m.reports().find((r) => r.recordId === "r1")!;
    const { study } = await splitReport(m.store, akin!.id, r1.id);
    expect(study.name).toBe("Akin 2017b");
    expect(roles()).toEqual([["r3", "lead"]]);
    expect(m.reports().find((r) => r.recordId === "r1")).toMatchObject({ studyId: study.id, role: "lead" });
    expect(m.notes.at(-1)).toMatchObject({ action: "studies.split", entityId: study.id, before: { studyId: akin!.id } });
  });

  it("refuses a merge that would remove a study others refer to, moving nothing", async () => {
    const m = memoryStore(records, ["r1", "r2"]);
    await formStudies(m.store);
    const [a, b] = m.studies();
    const refused = memoryStore(records, ["r1", "r2"], { [b!.id]: 'outcome "o1"' });
    await formStudies(refused.store);
    const before = refused.reports().map((r) => ({ ...r }));
    await expect(mergeStudies(refused.store, a!.id, b!.id)).rejects.toThrow('"Akin 2018" cannot be merged away: study "s2" is referred to by outcome "o1"; move or remove that first');
    expect(refused.reports()).toEqual(before);
    expect(refused.studies()).toHaveLength(2);
    await expect(mergeStudies(m.store, a!.id, a!.id)).rejects.toThrow("a study cannot be merged into itself");
  });
});
