/**
 * Appraisal tools as data. A tool is a versioned declaration: its source
 * document, its domains and signalling questions (with the skip logic the
 * guidance prints before each conditional question), the algorithm that
 * proposes a domain judgement, the overall rule and the judgement scale.
 * The engine (engine.ts) only interprets these declarations, so a new tool
 * or a new version is a new object, not new code.
 */

/** An answer code, e.g. "Y", "PY", "PN", "N", "NI", "NA", "Yes", "Can't tell", "2". */
export type AnswerCode = string;

/** Answers to signalling questions, keyed by question id ("1.1", "2.3"). */
export type Answers = Readonly<Record<string, AnswerCode>>;

export interface Citation {
  title: string;
  authors: string;
  year: number;
  /** Where the document is published; absent only for a review's own description. */
  url?: string;
  /** Date or edition of the document, when the tool has several. */
  edition?: string;
  /** Journal reference of the paper describing the tool, when there is one. */
  paper?: string;
}

/**
 * A condition over answers. A question that is not asked (skip logic) reads
 * as "NA", which lets "if applicable" branches of the published flowcharts
 * (e.g. RoB 2 effect of adhering, "2.3 Y/PY/NA") be written as printed.
 */
export type Condition =
  | { readonly q: string; readonly in: readonly AnswerCode[] }
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] };

export interface Question {
  id: string;
  /** Short label, always present: what the question is about. */
  label: string;
  /**
   * The official wording, verbatim; null where it could not be reproduced
   * accurately, in which case `wordingAt` says where to read it.
   */
  text: string | null;
  wordingAt?: string;
  /** Guidance for answering, in the engine's own words (never copied prose). */
  help?: string;
  /** Allowed answers when the question is asked. An empty list means free text. */
  options: readonly AnswerCode[];
  /**
   * When the question is asked; absent means always. The guidance's
   * printed condition ("If Y/PY/NI to 2.1 or 2.2") is kept in `askedWhenText`.
   */
  askedWhen?: Condition;
  askedWhenText?: string;
  /** Asked but may be left unanswered (e.g. CASP Q10, free text). */
  optional?: boolean;
}

/**
 * A flowchart as a tree: at each node the first branch whose condition
 * holds is taken. A leaf with no judgement is a path the declaration leaves
 * open (its sources do not settle it); `open` says why, and the assessor judges.
 */
export type Tree =
  | { readonly judgement: string }
  | { readonly judgement: null; readonly open: string }
  | { readonly branches: readonly { readonly when: Condition; readonly then: Tree }[] };

export type DomainAlgorithm =
  /** One flowchart. */
  | { kind: "tree"; tree: Tree; source: string }
  /** Several flowcharts whose results combine into the most severe (RoB 2 domain 2, effect of assignment). */
  | { kind: "parts"; parts: readonly { name: string; tree: Tree }[]; combine: "most-severe"; source: string }
  /** Criteria scored and summed (ASSESS); the label is the assessor's. */
  | {
      kind: "score";
      scores: Readonly<Record<AnswerCode, number | null>>;
      /** The judgement when every criterion is answered and none carries a score (e.g. "N/A": outcome not assessed). */
      whenNothingScored?: string;
      source: string;
    }
  /** The tool proposes no domain judgement; the assessor judges (ROBINS-I 2016, CASP, MMAT). */
  | { kind: "none"; reason: string };

export interface Domain {
  id: string;
  name: string;
  questions: readonly Question[];
  algorithm: DomainAlgorithm;
  /** Judgements the assessor may record for this domain when they differ from the tool scale. */
  judgements?: readonly string[];
  /** The domain is appraised only when this holds (MMAT categories). */
  appliesWhen?: Condition;
}

export interface ScaleLevel {
  label: string;
  /** Position on the severity order; null for levels outside it ("No information", "N/A"). */
  severity: number | null;
  /** robvis's label for the level, when robvis draws this tool. */
  robvis?: string;
  /** Colour (robvis's default palette where it has one). */
  colour: string;
}

export interface Scale {
  levels: readonly ScaleLevel[];
  source: string;
}

export type OverallRule =
  | {
      kind: "rob2";
      /** Flag that "High" may be warranted when at least this many domains have "Some concerns". */
      someConcernsFlagAt: number;
      source: string;
    }
  | {
      /** ROBINS-I: the most severe domain; "No information" when information is missing and nothing is serious or critical. */
      kind: "most-severe-with-no-information";
      noInformation: string;
      source: string;
    }
  | {
      /**
       * ROBINS-I V2: a triage domain first (its `stop` judgement is the
       * overall, the other domains are not assessed); otherwise the most
       * severe domain judgement, `allLowest` when every domain is at the
       * lowest level. The guidance lets the assessor go one level up when
       * several domains share the most severe level; that is flagged.
       */
      kind: "most-severe-after-triage";
      triage: string;
      stop: string;
      allLowest: string;
      source: string;
    }
  | {
      /** The tool defines no overall from domains; an overall, if any, is the assessor's rating on `ratings`. */
      kind: "none";
      ratings: readonly string[];
      reason: string;
    };

export interface Tool {
  id: string;
  name: string;
  version: string;
  citation: Citation;
  /** Other documents the declaration draws on (the review's own description, variants). */
  alsoCites?: readonly Citation[];
  answerLabels: Readonly<Record<AnswerCode, string>>;
  domains: readonly Domain[];
  scale: Scale;
  overall: OverallRule;
  /**
   * Set where the tool judges a result rather than a study: the domains whose
   * judgement can differ between results of one study, and where the guidance
   * says so. A form then appraises the study per outcome.
   */
  resultLevel?: { domains: readonly string[]; source: string };
  /** What the declaration leaves out, stated so the README and the UI can show it. */
  notCovered?: readonly string[];
}

/**
 * A project's documented departure from a tool's guidance, as data: answers
 * it substitutes for given questions whatever the assessor answered. The
 * engine applies it and reports it next to every domain judgement it changed.
 */
export interface Departure {
  id: string;
  /** Tool ids the departure applies to. */
  tools: readonly string[];
  text: string;
  /** Where the project documents it (protocol section, report page). */
  source?: string;
  overrides: readonly { question: string; answer: AnswerCode }[];
}
