import { describe, expect, it } from "vitest";
import type { Member } from "../entities.js";
import { fileRuleContext } from "./context.js";
import { validateMemberRemoval, validateMembers } from "./members.js";
import { emptyProtocol } from "../protocol.js";

const at = "2024-01-01T00:00:00.000Z";
const m = (id: string, userName: string, role: Member["role"]): Member => ({ id, userName, role, addedAt: at });
const ctx = (members: Member[]) => fileRuleContext({ protocol: emptyProtocol(), members });

describe("members rule", () => {
  const team = [m("1", "ana", "owner"), m("2", "ben", "reviewer")];

  it("refuses a second row for a user, in a batch or beside an existing one", async () => {
    await expect(validateMembers([m("3", "cy", "viewer"), m("4", "cy", "owner")], ctx(team))).rejects.toMatchObject({ status: 409 });
    await expect(validateMembers([m("3", "ben", "viewer")], ctx(team))).rejects.toThrow('"ben" is already a member (reviewer)');
    await validateMembers([m("3", "cy", "viewer")], ctx(team));
    // An update of the row itself is not a second row.
    await validateMembers([m("2", "ben", "adjudicator")], ctx(team));
  });

  it("keeps an owner once a project has one", async () => {
    await expect(validateMembers([m("1", "ana", "reviewer")], ctx(team))).rejects.toThrow("a project keeps at least one owner");
    await expect(validateMemberRemoval([team[0]!], ctx(team))).rejects.toMatchObject({ status: 409 });
    await validateMemberRemoval([team[1]!], ctx(team));
    // The last member may go: no members, no one left to manage.
    await validateMemberRemoval([team[0]!], ctx([team[0]!]));
    // Another owner first, then the change.
    await validateMembers([m("1", "ana", "reviewer")], ctx([...team, m("3", "cy", "owner")]));
  });

  it("lets a project without any owner (from before owners) change, and an imported file stand as it is", async () => {
    const old = [m("1", "ana", "reviewer"), m("2", "ben", "reviewer")];
    await validateMembers([m("2", "ben", "viewer")], ctx(old));
    // On import the rule reads the file, batch included.
    await validateMembers(old, ctx(old));
    await validateMembers(team, ctx(team));
  });
});
