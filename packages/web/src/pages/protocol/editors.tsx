import type { ClassificationRole, ClassificationScheme, CodedItem, Criterion, ExclusionReason, Protocol, RatingLevel } from "@homeward/model";
import { keyed, ListEditor, unkeyed, type FieldSpec, type Keyed } from "./ListEditor";

export const PICOT_FIELDS: { key: keyof Protocol["picot"]; label: string }[] = [
  { key: "population", label: "Population" },
  { key: "intervention", label: "Intervention" },
  { key: "comparison", label: "Comparison" },
  { key: "outcomes", label: "Outcomes" },
  { key: "timing", label: "Timing" },
  { key: "setting", label: "Setting" },
];

export const STAGE_NAMES: Record<string, string> = {
  title_abstract: "Title and abstract",
  full_text: "Full text",
  any: "Any stage",
};

export const ROLE_NAMES: Record<ClassificationRole, string> = {
  strand: "Synthesis strands: a study in at least one is an included study",
  design: "Design classes counted in the summary",
  typology: "Intervention typology: summary counts and the gap map's rows",
  components: "Component levels",
  equity: "Equity characteristics reported",
};

const codeName = (it: { code: string; label?: string }, i: number) => it.label || it.code || `(new, ${i + 1})`;

const CODED: FieldSpec<CodedItem>[] = [
  { key: "code", label: "Code", hint: "Unique in the list; what decisions and studies store" },
  { key: "label", label: "Label" },
  { key: "description", label: "Description", kind: "textarea" },
];

// ------------------------------------------------------------------ question and PICOT

export function QuestionEditor({ value, set }: { value: string; set: (v: string) => void }) {
  return (
    <div className="field wide">
      <label htmlFor="protocol-question-text">Review question</label>
      <textarea id="protocol-question-text" rows={5} value={value} onChange={(e) => set(e.target.value)} />
    </div>
  );
}

export function PicotEditor({ value, set }: { value: Protocol["picot"]; set: (v: Protocol["picot"]) => void }) {
  return (
    <div className="list-editor-fields">
      {PICOT_FIELDS.map(({ key, label }) => (
        <div className="field wide" key={key}>
          <label htmlFor={`protocol-picot-${key}`}>{label}</label>
          <textarea id={`protocol-picot-${key}`} rows={3} value={value[key]} onChange={(e) => set({ ...value, [key]: e.target.value })} />
        </div>
      ))}
    </div>
  );
}

// ------------------------------------------------------------------ eligibility

export interface EligibilityDraft {
  inclusion: Keyed<Criterion>[];
  exclusion: Keyed<Criterion>[];
}
export const eligibilityDraft = (p: Protocol): EligibilityDraft => ({ inclusion: keyed(p.eligibility.inclusion), exclusion: keyed(p.eligibility.exclusion) });
export const eligibilityValue = (d: EligibilityDraft): Protocol["eligibility"] => ({ inclusion: unkeyed(d.inclusion), exclusion: unkeyed(d.exclusion) });

const CRITERION: FieldSpec<Criterion>[] = [
  { key: "category", label: "Study type or category", hint: "Criteria of one study type (or one PICOT element) share it" },
  { key: "code", label: "Code" },
  { key: "label", label: "Criterion", wide: true },
  { key: "description", label: "Notes", kind: "textarea" },
];

export function EligibilityEditor({ value, set }: { value: EligibilityDraft; set: (v: EligibilityDraft) => void }) {
  const blank = (): Criterion => ({ code: "", label: "", description: null, category: null });
  return (
    <div className="stack">
      <h3>Inclusion criteria</h3>
      <ListEditor id="inclusion" items={value.inclusion} onChange={(inclusion) => set({ ...value, inclusion })} fields={CRITERION} noun="inclusion criterion" nameOf={codeName} newItem={blank} />
      <h3>Exclusion criteria</h3>
      <ListEditor id="exclusion" items={value.exclusion} onChange={(exclusion) => set({ ...value, exclusion })} fields={CRITERION} noun="exclusion criterion" nameOf={codeName} newItem={blank} />
    </div>
  );
}

// ------------------------------------------------------------------ exclusion reasons

const REASON: FieldSpec<ExclusionReason>[] = [
  { key: "rank", label: "Rank", kind: "number", hint: "Lowest is reported first; each reason has its own" },
  { key: "code", label: "Code", hint: "Unique; what decisions store" },
  { key: "label", label: "Reason", wide: true },
  {
    key: "stage",
    label: "Used at",
    kind: "select",
    options: Object.entries(STAGE_NAMES).map(([value, label]) => ({ value, label })),
  },
  { key: "description", label: "Description", kind: "textarea" },
];

/** Reasons in rank order, as the team reads them. */
export const reasonsDraft = (p: Protocol): Keyed<ExclusionReason>[] => keyed([...p.exclusionReasons].sort((a, b) => a.rank - b.rank));

/** After a move the list's order is the ranking: ranks become 1, 2, 3… */
const renumber = (items: Keyed<ExclusionReason>[]) => items.map((it, i) => ({ ...it, value: { ...it.value, rank: i + 1 } }));

export function ReasonsEditor({ value, set }: { value: Keyed<ExclusionReason>[]; set: (v: Keyed<ExclusionReason>[]) => void }) {
  return (
    <ListEditor
      id="reasons"
      items={value}
      onChange={set}
      fields={REASON}
      noun="reason"
      nameOf={codeName}
      onMoved={renumber}
      newItem={(items) => ({ code: "", label: "", description: null, stage: "any" as const, rank: Math.max(0, ...items.map((r) => (Number.isFinite(r.rank) ? r.rank : 0))) + 1 })}
      addLabel="Add exclusion reason"
    />
  );
}

// ------------------------------------------------------------------ outcome domains

export function CodedListEditor({ id, noun, value, set }: { id: string; noun: string; value: Keyed<CodedItem>[]; set: (v: Keyed<CodedItem>[]) => void }) {
  return <ListEditor id={id} items={value} onChange={set} fields={CODED} noun={noun} nameOf={codeName} newItem={() => ({ code: "", label: "", description: null })} />;
}

// ------------------------------------------------------------------ classifications

export type SchemeDraft = Omit<ClassificationScheme, "values"> & { values: Keyed<CodedItem>[] };
export const schemesDraft = (p: Protocol): Keyed<SchemeDraft>[] => keyed(p.classifications.map((c) => ({ ...c, values: keyed(c.values) })));
export const schemesValue = (d: Keyed<SchemeDraft>[]): ClassificationScheme[] => unkeyed(d).map((c) => ({ ...c, values: unkeyed(c.values) }));

const SCHEME: FieldSpec<SchemeDraft>[] = [
  { key: "code", label: "Code", hint: "Unique; the key studies use" },
  { key: "label", label: "Name" },
  {
    key: "role",
    label: "Part it plays",
    kind: "select",
    options: [{ value: "", label: "None (the team's own)" }, ...Object.entries(ROLE_NAMES).map(([value, label]) => ({ value, label }))],
    wide: true,
  },
  { key: "multiple", label: "A study may have several values", kind: "checkbox", wide: true },
  { key: "description", label: "Description", kind: "textarea" },
];

export function ClassificationsEditor({ value, set }: { value: Keyed<SchemeDraft>[]; set: (v: Keyed<SchemeDraft>[]) => void }) {
  return (
    <ListEditor
      id="schemes"
      items={value}
      onChange={set}
      fields={SCHEME}
      noun="classification"
      nameOf={codeName}
      newItem={() => ({ code: "", label: "", description: null, appliesTo: "study" as const, multiple: false, role: null, values: [] })}
      renderExtra={(scheme, setScheme, key) => (
        <div className="stack nested-list">
          <h4>Values of {scheme.label || scheme.code || "this classification"}</h4>
          <CodedListEditor id={`values-${key}`} noun="value" value={scheme.values} set={(values) => setScheme({ ...scheme, values })} />
        </div>
      )}
    />
  );
}

// ------------------------------------------------------------------ rating scheme

const RATING: FieldSpec<RatingLevel>[] = [
  { key: "rank", label: "Strength", kind: "number", hint: "Higher is stronger" },
  { key: "code", label: "Code", hint: "Unique; what recommendations store" },
  { key: "label", label: "Label", wide: true },
  { key: "description", label: "Description", kind: "textarea" },
];

/** Strongest first, as the read view lists them. */
export const ratingDraft = (p: Protocol): Keyed<RatingLevel>[] => keyed([...p.ratingScheme].sort((a, b) => b.rank - a.rank));

/** After a move the list's order is the scale: the first level is the strongest (n, …, 2, 1). */
const restrength = (items: Keyed<RatingLevel>[]) => items.map((it, i) => ({ ...it, value: { ...it.value, rank: items.length - i } }));

export function RatingEditor({ value, set }: { value: Keyed<RatingLevel>[]; set: (v: Keyed<RatingLevel>[]) => void }) {
  return (
    <ListEditor
      id="rating"
      items={value}
      onChange={set}
      fields={RATING}
      noun="rating level"
      nameOf={codeName}
      onMoved={restrength}
      newItem={() => ({ code: "", label: "", description: null, rank: 0 })}
    />
  );
}

// ------------------------------------------------------------------ further lists

export interface NamedList {
  name: string;
  items: Keyed<CodedItem>[];
}
export const listsDraft = (p: Protocol): Keyed<NamedList>[] => keyed(Object.entries(p.lists).map(([name, items]) => ({ name, items: keyed(items) })));
export const listsValue = (d: Keyed<NamedList>[]): Record<string, CodedItem[]> => {
  const out: Record<string, CodedItem[]> = {};
  for (const { value } of d) out[value.name.trim()] = unkeyed(value.items);
  return out;
};

/** A name given to two lists would silently merge them into one: said before saving. */
export function duplicateListName(d: Keyed<NamedList>[]): string | null {
  const seen = new Set<string>();
  for (const { value } of d) {
    const n = value.name.trim();
    if (!n) return "each list needs a name";
    if (seen.has(n)) return `two lists are named "${n}"`;
    seen.add(n);
  }
  return null;
}

export function ListsEditor({ value, set }: { value: Keyed<NamedList>[]; set: (v: Keyed<NamedList>[]) => void }) {
  return (
    <ListEditor
      id="lists"
      items={value}
      onChange={set}
      fields={[{ key: "name", label: "Name of the list", hint: "e.g. settings" }]}
      noun="list"
      nameOf={(l, i) => l.name || `(new, ${i + 1})`}
      newItem={() => ({ name: "", items: [] })}
      renderExtra={(list, setList, key) => (
        <div className="stack nested-list">
          <h4>Entries of {list.name || "this list"}</h4>
          <CodedListEditor id={`entries-${key}`} noun="entry" value={list.items} set={(items) => setList({ ...list, items })} />
        </div>
      )}
    />
  );
}
