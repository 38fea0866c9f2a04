import { readFileSync } from "node:fs";
import opentype from "opentype.js";
import { describe, expect, it } from "vitest";
import { locateFont } from "./fonts.js";
import { textWidth, widestLabel } from "./labels.js";

const load = (path: string) => {
  const buf = readFileSync(path);
  return opentype.parse(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

describe("label widths", () => {
  const files = locateFont();
  // The estimate must never be narrower than the font draws (a label sized by it is never cut), and not much wider.
  it.skipIf(!files)("never under-estimates Liberation Sans, the font figures are drawn with", () => {
    const regular = load(files!.regular);
    const bold = files!.bold ? load(files!.bold) : regular;
    const samples = ["1 (1)", "12 (30)", "5 (5)", "Lower bias", "Can't tell", "Positive/methodologically sound", "2 – High", "Some concerns"];
    for (const s of samples) {
      for (const [font, isBold] of [[regular, false], [bold, true]] as const) {
        const real = font.getAdvanceWidth(s, 11);
        const est = textWidth(s, 11, isBold);
        expect(est, s).toBeGreaterThanOrEqual(real - 0.01);
        expect(est, s).toBeLessThan(real * 1.3);
      }
    }
  });

  it("the widest of several labels", () => {
    expect(widestLabel(["1", "10 (10)", "2"], 10)).toBe(textWidth("10 (10)", 10));
    expect(widestLabel([], 10)).toBe(0);
  });
});
