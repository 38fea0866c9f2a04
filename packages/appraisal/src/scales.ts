import type { Scale } from "./types.js";

/**
 * robvis's default ("cochrane") palette (McGuinness & Higgins, Res Syn Meth
 * 2021;12:55–61, and the robvis package): the same colour role across tools,
 * so ROBINS-I "Moderate" shares RoB 2's "Some concerns" colour.
 */
export const ROBVIS_COLOURS = {
  low: "#02C100",
  concerns: "#E2DF07",
  high: "#BF0000",
  critical: "#820000",
  noInformation: "#4EA1F7",
} as const;

/** Neutral grey for levels robvis does not draw (N/A, unrated). */
export const NEUTRAL = "#BFBFBF";

export const ROB2_SCALE: Scale = {
  levels: [
    { label: "Low", severity: 0, robvis: "Low", colour: ROBVIS_COLOURS.low },
    { label: "Some concerns", severity: 1, robvis: "Some concerns", colour: ROBVIS_COLOURS.concerns },
    { label: "High", severity: 2, robvis: "High", colour: ROBVIS_COLOURS.high },
    { label: "No information", severity: null, robvis: "No information", colour: ROBVIS_COLOURS.noInformation },
  ],
  source:
    "Judgements: RoB 2 guidance (22 Aug 2019), 'Low risk of bias', 'Some concerns', 'High risk of bias'. Labels and colours: robvis (rob2 template).",
};

export const ROBINS_I_SCALE: Scale = {
  levels: [
    { label: "Low", severity: 0, robvis: "Low", colour: ROBVIS_COLOURS.low },
    { label: "Moderate", severity: 1, robvis: "Moderate", colour: ROBVIS_COLOURS.concerns },
    { label: "Serious", severity: 2, robvis: "Serious", colour: ROBVIS_COLOURS.high },
    { label: "Critical", severity: 3, robvis: "Critical", colour: ROBVIS_COLOURS.critical },
    { label: "No information", severity: null, robvis: "No information", colour: ROBVIS_COLOURS.noInformation },
  ],
  source: "Sterne et al., BMJ 2016;355:i4919, Table 2 (judgement categories). Labels and colours: robvis (robins-i template).",
};
