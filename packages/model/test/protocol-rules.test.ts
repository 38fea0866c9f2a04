import { describe, expect, it } from "vitest";
import { checkProtocolChange, InputError, Protocol, protocolVersions, sectionVersion, type ProtocolUsage, type Study } from "@homeward/model";

const base = Protocol.parse({
  exclusionReasons: [
    { code: "population", label: "Population", rank: 1 },
    { code: "design", label: "Design", rank: 2 },
  ],
  outcomeDomains: [{ code: "safety" }, { code: "stability" }],
  classifications: [
    { code: "design", role: "design", values: [{ code: "rct" }, { code: "qed" }] },
    { code: "strand", role: "strand", multiple: true, values: [{ code: "effectiveness" }, { code: "implementation" }] },
  ],
});

/** Usage as the store would answer it, counted from small arrays; records which lookups the rule asked for. */
function usage(opts: { decisions?: string[][]; domains?: string[]; ratings?: string[]; studies?: Pick<Study, "id" | "classifications">[] }): ProtocolUsage & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    reasonUses: async (code) => {
      asked.push(`reason:${code}`);
      return (opts.decisions ?? []).filter((rs) => rs.includes(code)).length;
    },
    domainUses: async (code) => {
      asked.push(`domain:${code}`);
      return (opts.domains ?? []).filter((d) => d === code).length;
    },
    ratingUses: async (code) => {
      asked.push(`rating:${code}`);
      return (opts.ratings ?? []).filter((r) => r === code).length;
    },
    classifiedStudies: async () => {
      asked.push("studies");
      return opts.studies ?? [];
    },
  };
}

const change = (p: Partial<Protocol>) => Protocol.parse({ ...base, ...p });

describe("protocol rules", () => {
  it("refuses two exclusion reasons of one rank, naming both", () => {
    const r = Protocol.safeParse({ exclusionReasons: [{ code: "a", rank: 1 }, { code: "b", rank: 2 }, { code: "c", rank: 2 }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues).toEqual([
      expect.objectContaining({ path: ["exclusionReasons", 2, "rank"], message: 'exclusion reasons "b" and "c" both have rank 2 (each reason needs its own rank)' }),
    ]);
    expect(Protocol.safeParse({ exclusionReasons: [{ code: "a", rank: 2 }, { code: "b", rank: 1 }] }).success).toBe(true);
  });

  it("refuses a code given twice in a list, as before", () => {
    const r = Protocol.safeParse({ outcomeDomains: [{ code: "x" }, { code: "x" }] });
    expect(r.error!.issues[0]!.message).toBe('duplicate code "x"');
  });

  it("refuses to remove an exclusion reason stored decisions give, with their number", async () => {
    const u = usage({ decisions: [["design"], ["population", "design"], []] });
    const after = change({ exclusionReasons: [base.exclusionReasons[0]!] });
    const err = await checkProtocolChange(base, after, u).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).status).toBe(409);
    expect((err as InputError).message).toBe('exclusion reason "design" is given on 2 stored screening decisions; it cannot be removed (change its label instead)');
  });

  it("lets an unused reason go, and reads nothing for a change that removes no code", async () => {
    await expect(checkProtocolChange(base, change({ exclusionReasons: [base.exclusionReasons[1]!] }), usage({ decisions: [["design"]] }))).resolves.toBeUndefined();
    const u = usage({ decisions: [["design"]], domains: ["safety"] });
    const relabelled = change({ exclusionReasons: base.exclusionReasons.map((r) => ({ ...r, label: r.label + "!", rank: 3 - r.rank })) });
    await checkProtocolChange(base, relabelled, u);
    expect(u.asked).toEqual([]);
  });

  it("refuses to remove an outcome domain stored outcomes are in", async () => {
    await expect(checkProtocolChange(base, change({ outcomeDomains: [{ code: "stability", label: "", description: null }] }), usage({ domains: ["safety", "safety"] }))).rejects.toThrow(
      'outcome domain "safety" has 2 outcomes; it cannot be removed (change its label instead)',
    );
  });

  it("refuses to remove a rating recommendations are given", async () => {
    const rated = Protocol.parse({ ...base, ratingScheme: [{ code: "strong", rank: 2 }, { code: "weak", rank: 1 }] });
    await expect(checkProtocolChange(rated, { ...rated, ratingScheme: [rated.ratingScheme[0]!] }, usage({ ratings: ["weak", "strong", "weak"] }))).rejects.toThrow(
      'rating "weak" is given to 2 recommendations; it cannot be removed (change its label instead)',
    );
    await expect(checkProtocolChange(rated, { ...rated, ratingScheme: [rated.ratingScheme[0]!] }, usage({ ratings: ["strong"] }))).resolves.toBeUndefined();
  });

  it("refuses a classification change that leaves studies with a value the protocol no longer has", async () => {
    const studies = [
      { id: "s1", classifications: { design: "qed", strand: ["effectiveness"] } },
      { id: "s2", classifications: { design: "rct" } },
      { id: "s3", classifications: { design: "qed" } },
    ];
    const noQed = change({ classifications: [{ ...base.classifications[0]!, values: [{ code: "rct", label: "", description: null }] }, base.classifications[1]!] });
    await expect(checkProtocolChange(base, noQed, usage({ studies }))).rejects.toThrow(
      'the change to classification "design" would leave 2 studies with a value the protocol no longer has; change those studies first, or keep the value',
    );
    const noStrand = change({ classifications: [base.classifications[0]!] });
    await expect(checkProtocolChange(base, noStrand, usage({ studies }))).rejects.toThrow(/^removing classification "strand" would leave 1 study/);
    const single = change({ classifications: [base.classifications[0]!, { ...base.classifications[1]!, multiple: false }] });
    await expect(checkProtocolChange(base, single, usage({ studies }))).rejects.toThrow(/"strand" would leave 1 study/);
    // A value no study uses may go.
    const noImpl = change({ classifications: [base.classifications[0]!, { ...base.classifications[1]!, values: [{ code: "effectiveness", label: "", description: null }] }] });
    await expect(checkProtocolChange(base, noImpl, usage({ studies }))).resolves.toBeUndefined();
  });

  it("versions each section by its content", () => {
    const v = protocolVersions(base);
    expect(Object.keys(v).sort()).toEqual(["appraisal", "classifications", "eligibility", "exclusionReasons", "lists", "outcomeDomains", "picot", "question", "ratingScheme"]);
    const other = change({ question: "Does it work?" });
    expect(sectionVersion(other, "question")).not.toBe(v.question);
    expect(sectionVersion(other, "exclusionReasons")).toBe(v.exclusionReasons);
    // Key order does not matter; content does.
    const reordered = Protocol.parse(JSON.parse(JSON.stringify({ ...base, picot: Object.fromEntries(Object.entries(base.picot).reverse()) })));
    expect(sectionVersion(reordered, "picot")).toBe(v.picot);
    expect(sectionVersion(change({ exclusionReasons: [...base.exclusionReasons].reverse() }), "exclusionReasons")).not.toBe(v.exclusionReasons);
  });
});
