import type { Line } from "../decode.js";
import { emptyRecord, type Format, type ParseItem, type ParsedRecord, type Problem } from "../types.js";

/** The line syntax of a tagged format (RIS, Web of Science, MEDLINE). */
export interface TaggedSyntax {
  format: Format;
  /** Name of the end-of-record tag, for messages (RIS and WoS "ER"); undefined when records end at a blank line. */
  endTag?: string;
  /** [tag, value] if the line opens a field. */
  tag(line: string): [string, string] | null;
  /** The text a continuation line adds to the previous field, or null if the line is not one. */
  continuation(line: string): string | null;
  startsRecord(tag: string): boolean;
  endsRecord(tag: string): boolean;
  /** File-level tags (WoS "FN", "VR", "EF") that sit outside records. */
  fileTag?(tag: string): boolean;
  /** Tags whose continuation lines are further values (WoS AU: one author per line). */
  listTags?: ReadonlySet<string>;
  /** MEDLINE: a blank line ends a record. */
  blankEndsRecord?: boolean;
  /** Fills the normalised fields from `r.fields`. */
  build(r: ParsedRecord): void;
}

export interface Limits {
  maxRecordLength: number;
  file?: string;
}

/**
 * Reads a tagged file line by line, holding one record at a time, so memory is
 * bounded by the largest record rather than the file. Text outside records
 * (export banners such as "Record #1 of 2") is reported as a warning, never
 * silently taken as data.
 */
export async function* parseTagged(lines: AsyncIterable<Line>, syn: TaggedSyntax, lim: Limits): AsyncGenerator<ParseItem> {
  let cur: ParsedRecord | null = null;
  let raw: string[] = [];
  let rawLen = 0;
  let broken: string | null = null;
  let index = 0;
  let outside: { from: number; to: number; sample: string } | null = null;
  const file = lim.file;

  const flushOutside = function* (): Generator<ParseItem> {
    if (!outside) return;
    const where = outside.from === outside.to ? `line ${outside.from}` : `lines ${outside.from}–${outside.to}`;
    yield { kind: "problem", severity: "warning", file, line: outside.from, message: `${where}: text outside any record was not read ("${clip(outside.sample)}")` };
    outside = null;
  };

  const finish = function* (closed: boolean): Generator<ParseItem> {
    const r = cur!;
    cur = null;
    const i = index++;
    if (broken) {
      const problem: Problem = { kind: "problem", severity: "error", file, line: r.line, record: i, message: `record ${i + 1} (line ${r.line}) skipped: ${broken}` };
      if (raw.length) problem.raw = raw.join("\n");
      yield problem;
      broken = null;
      return;
    }
    r.raw = raw.join("\n");
    r.index = i;
    if (!closed && syn.endTag) yield { kind: "problem", severity: "warning", file, line: r.line, record: i, message: `record ${i + 1} (line ${r.line}) has no closing ${syn.endTag} tag; read up to the next record` };
    if (r.fields.every(([t, v]) => v.trim() === "" || syn.startsRecord(t))) {
      yield { kind: "problem", severity: "error", file, line: r.line, record: i, message: `record ${i + 1} (line ${r.line}) skipped: it has no fields besides its type`, raw: r.raw };
      return;
    }
    syn.build(r);
    if (!r.title && r.authors.length === 0 && !r.doi && !r.pmid)
      yield { kind: "problem", severity: "warning", file, line: r.line, record: i, message: `record ${i + 1} (line ${r.line}) has no title, authors, DOI or PMID` };
    yield r;
  };

  const start = (no: number) => {
    cur = emptyRecord(syn.format, index, no);
    raw = [];
    rawLen = 0;
    broken = null;
  };

  for await (const ln of lines) {
    const text = ln.text;
    const tag = syn.tag(text);
    if (!cur) {
      if (tag && syn.startsRecord(tag[0])) {
        yield* flushOutside();
        start(ln.no);
      } else if (tag && syn.fileTag?.(tag[0])) {
        continue;
      } else if (tag && !syn.endsRecord(tag[0]) && syn.blankEndsRecord) {
        // MEDLINE records need not start with PMID (e.g. hand-made files).
        yield* flushOutside();
        start(ln.no);
      } else if (tag && !syn.endsRecord(tag[0])) {
        yield* flushOutside();
        yield { kind: "problem", severity: "warning", file, line: ln.no, message: `line ${ln.no}: record starts with ${tag[0]}, not with the record-type tag` };
        start(ln.no);
      } else {
        if (text.trim() !== "") {
          if (outside) outside.to = ln.no;
          else outside = { from: ln.no, to: ln.no, sample: text };
        }
        continue;
      }
    }
    const r: ParsedRecord = cur!;
    if (ln.long && !broken) broken = `line ${ln.no} is longer than the limit and was cut`;
    if (!broken) {
      rawLen += text.length + 1;
      if (rawLen > lim.maxRecordLength) {
        broken = `the record is longer than ${lim.maxRecordLength} characters`;
        raw = [];
        r.fields = [];
      } else raw.push(text);
    }
    if (tag) {
      if (syn.endsRecord(tag[0])) {
        yield* finish(true);
        continue;
      }
      if (syn.startsRecord(tag[0]) && r.fields.length > 0) {
        raw.pop();
        yield* finish(false);
        start(ln.no);
        raw.push(text);
        rawLen = text.length + 1;
      }
      if (!broken) cur!.fields.push([tag[0], tag[1]]);
      continue;
    }
    if (text.trim() === "") {
      if (syn.blankEndsRecord) {
        raw.pop();
        yield* finish(true);
      }
      continue;
    }
    const cont = syn.continuation(text);
    if (broken) continue;
    const last = r.fields[r.fields.length - 1];
    if (cont === null || !last) {
      yield { kind: "problem", severity: "warning", file, line: ln.no, record: index, message: `line ${ln.no}: "${clip(text)}" is not a tagged field; kept as part of the record's raw text only` };
      continue;
    }
    if (syn.listTags?.has(last[0])) r.fields.push([last[0], cont]);
    else last[1] = last[1] === "" ? cont : `${last[1]}\n${cont}`;
  }
  if (cur) yield* finish(!!(syn.blankEndsRecord));
  yield* flushOutside();
}

function clip(s: string): string {
  const t = s.trim();
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}
