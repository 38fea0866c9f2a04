import { describe, expect, it } from "vitest";
import { Protocol } from "@homeward/model";
import { issueText } from "./EditableSection";

const firstIssue = (input: unknown) => {
  const r = Protocol.safeParse(input);
  if (r.success) throw new Error("expected the protocol to be refused");
  return issueText(r.error.issues[0]!);
};

describe("protocol issues in words", () => {
  it("names the item by its place in the list, counting from 1", () => {
    expect(firstIssue({ exclusionReasons: [{ code: "a", rank: 1 }, { code: "b", rank: 1 }] })).toBe(
      'Exclusion reason 2, rank: exclusion reasons "a" and "b" both have rank 1 (each reason needs its own rank)',
    );
    expect(firstIssue({ eligibility: { inclusion: [{ code: "x" }, { code: " " }] } })).toBe("Inclusion criterion 2, code: code must not be empty");
    expect(firstIssue({ classifications: [{ code: "design", values: [{ code: "rct" }, { code: "rct" }] }] })).toBe('Classification 1, value 2, code: duplicate code "rct"');
  });

  it("keeps a message about no item as it is", () => {
    expect(issueText({ path: [], message: "protocol: expected an object" })).toBe("protocol: expected an object");
    expect(issueText({ path: ["question"], message: "expected a string" })).toBe("expected a string");
  });
});
