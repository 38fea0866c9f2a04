import { describe, expect, it } from "vitest";
import { renderPng, renderSvg, baseConfig, type Figure } from "@homeward/figures";

const figure: Figure = {
  title: "Two points & a <line>",
  description: "A test figure.\n\n- first point at (1, 2)\n- second point at (2, 3)",
  alt: "Two points.",
  spec: {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 200,
    height: 100,
    config: baseConfig(),
    data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] },
    layer: [
      { name: "pts", mark: "point", encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } } },
    ],
  },
};

describe("renderSvg", () => {
  it("draws one mark per datum and carries escaped title and description", async () => {
    const svg = await renderSvg(figure);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toMatch(/^<svg[^>]* role="img" aria-labelledby="(hw-[0-9a-f]{8})-title \1-desc">/);
    expect(svg).toContain("<title id=");
    expect(svg).toContain(">Two points &amp; a &lt;line&gt;</title>");
    expect(svg).toContain("- second point at (2, 3)</desc>");
    // Named layers become classes "<name>_marks" on the mark group.
    const group = /<g class="mark-symbol role-mark pts_marks"[^>]*>(.*?)<\/g>/.exec(svg);
    expect(group).not.toBeNull();
    expect(group![1].match(/<path /g)?.length).toBe(2);
  });

  it("is deterministic", async () => {
    expect(await renderSvg(figure)).toBe(await renderSvg(figure));
  });
});

describe("renderPng", () => {
  it("rasterises at the requested scale", async () => {
    const svg = await renderSvg(figure);
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    const h = Number(/height="(\d+)"/.exec(svg)![1]);
    const png = await renderPng(figure, { scale: 2 });
    expect(png.subarray(1, 4).toString("ascii")).toBe("PNG");
    // IHDR: width and height are big-endian at byte offsets 16 and 20.
    expect(png.readUInt32BE(16)).toBe(2 * w);
    expect(png.readUInt32BE(20)).toBe(2 * h);
  });

  it("rejects a nonsensical scale", async () => {
    await expect(renderPng(figure, { scale: 0 })).rejects.toThrow(/scale/);
  });
});
