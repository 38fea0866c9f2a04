import { describe, expect, it } from "vitest";
import { validateProjectInput } from "./validation";

describe("validateProjectInput", () => {
  it("accepts a title with an optional description", () => {
    expect(validateProjectInput({ title: "Mentoring", description: "" })).toEqual({});
    expect(validateProjectInput({ title: "Mentoring", description: "Youth at risk" })).toEqual({});
  });

  it("asks for a title when it is empty or blank", () => {
    expect(validateProjectInput({ title: "", description: "" }).title).toBe("Enter a title for the project.");
    expect(validateProjectInput({ title: "   ", description: "" }).title).toBe("Enter a title for the project.");
  });

  it("states the limit when a field is too long", () => {
    // The model allows 500 characters of title and 20,000 of description.
    expect(validateProjectInput({ title: "x".repeat(500), description: "" })).toEqual({});
    expect(validateProjectInput({ title: "x".repeat(501), description: "" }).title).toBe("Title must be at most 500 characters.");
    expect(validateProjectInput({ title: "T", description: "y".repeat(20_001) }).description).toBe(
      "Description must be at most 20,000 characters.",
    );
  });
});
