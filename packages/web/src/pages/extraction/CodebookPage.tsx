import { useState, type FormEvent } from "react";
import { extractionRoutes, type CodebookRow } from "@homeward/api";
import { roleAllows } from "@homeward/model";
import { call, errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { TYPE_LABELS } from "./values";
import "./extraction.css";

type ItemType = CodebookRow["type"];
const TYPES: ItemType[] = ["section", "text", "number", "integer", "single", "multiple", "yesno", "date", "grid"];
const CHOICES: ItemType[] = ["single", "multiple"];
const NUMBERS: ItemType[] = ["number", "integer"];

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "")
    .slice(0, 60);

/** "code = label" or just "label" (its code made from it), one a line. */
function codedLines(text: string): { code: string; label: string }[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const m = /^([^=]+?)\s*=\s*(.+)$/.exec(l);
      return m ? { code: m[1]!.trim(), label: m[2]!.trim() } : { code: slug(l) || l, label: l };
    });
}
const linesOf = (xs: readonly { code: string; label: string }[] | null | undefined) => (xs ?? []).map((x) => (slug(x.label) === x.code ? x.label : `${x.code} = ${x.label}`)).join("\n");

interface Draft {
  code: string;
  label: string;
  type: ItemType;
  parentId: string;
  options: string;
  unit: string;
  min: string;
  max: string;
  rows: string;
  columns: string;
  help: string;
  scope: "study" | "outcome";
}
const emptyDraft = (): Draft => ({ code: "", label: "", type: "text", parentId: "", options: "", unit: "", min: "", max: "", rows: "", columns: "", help: "", scope: "study" });
const draftOf = (i: CodebookRow): Draft => ({
  code: i.code,
  label: i.label,
  type: i.type,
  parentId: i.parentId ?? "",
  options: i.type === "yesno" ? "" : linesOf(i.options),
  unit: i.unit ?? "",
  min: i.min == null ? "" : String(i.min),
  max: i.max == null ? "" : String(i.max),
  rows: linesOf(i.rows),
  columns: linesOf(i.columns),
  help: i.help ?? "",
  scope: i.scope === "outcome" ? "outcome" : "study",
});
const num = (s: string) => (s.trim() === "" ? null : Number(s));

function bodyOf(d: Draft) {
  return {
    label: d.label,
    type: d.type,
    parentId: d.parentId || null,
    help: d.help.trim() || null,
    // A yes/no item's answers are fixed; other types keep no options.
    ...(CHOICES.includes(d.type) ? { options: codedLines(d.options) } : {}),
    unit: NUMBERS.includes(d.type) ? d.unit.trim() || null : null,
    min: NUMBERS.includes(d.type) ? num(d.min) : null,
    max: NUMBERS.includes(d.type) ? num(d.max) : null,
    rows: d.type === "grid" ? codedLines(d.rows) : null,
    columns: d.type === "grid" ? codedLines(d.columns) : null,
  };
}

/** The fields of an item: type-dependent parts appear for the types that use them. */
function ItemFields({ draft, set, items, editing, prefix }: { draft: Draft; set: (d: Draft) => void; items: CodebookRow[]; editing: CodebookRow | null; prefix: string }) {
  const f = (k: keyof Draft) => (e: { target: { value: string } }) => set({ ...draft, [k]: e.target.value });
  const parents = items.filter((i) => !i.retiredAt && i.id !== editing?.id);
  return (
    <div className="stack">
      <div className="codebook-fields">
        {editing ? null : (
          <div className="field">
            <label htmlFor={`${prefix}-code`}>Code</label>
            <input id={`${prefix}-code`} value={draft.code} onChange={f("code")} aria-describedby={`${prefix}-code-hint`} required />
            <p id={`${prefix}-code-hint`} className="hint">
              Short and stable: exports and comparisons use it.
            </p>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${prefix}-label`}>Label</label>
          <input id={`${prefix}-label`} value={draft.label} onChange={f("label")} required />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-type`}>Type</label>
          <select id={`${prefix}-type`} value={draft.type} onChange={f("type")}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </div>
        {editing ? null : (
          <div className="field">
            <label htmlFor={`${prefix}-scope`}>Asked</label>
            <select id={`${prefix}-scope`} value={draft.scope} onChange={f("scope")}>
              <option value="study">Once per study</option>
              <option value="outcome">Once per outcome</option>
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${prefix}-parent`}>Under</label>
          <select id={`${prefix}-parent`} value={draft.parentId} onChange={f("parentId")}>
            <option value="">Top of the codebook</option>
            {parents.map((p) => (
              <option key={p.id} value={p.id}>
                {p.number} {p.label || p.code}
              </option>
            ))}
          </select>
        </div>
      </div>
      {CHOICES.includes(draft.type) ? (
        <div className="field">
          <label htmlFor={`${prefix}-options`}>Options, one a line</label>
          <textarea id={`${prefix}-options`} rows={4} value={draft.options} onChange={f("options")} aria-describedby={`${prefix}-options-hint`} />
          <p id={`${prefix}-options-hint`} className="hint">
            Write "code = label" to choose a code; otherwise it is made from the label.
          </p>
        </div>
      ) : null}
      {NUMBERS.includes(draft.type) ? (
        <div className="codebook-fields">
          <div className="field">
            <label htmlFor={`${prefix}-unit`}>Unit</label>
            <input id={`${prefix}-unit`} value={draft.unit} onChange={f("unit")} />
          </div>
          <div className="field">
            <label htmlFor={`${prefix}-min`}>Lowest allowed</label>
            <input id={`${prefix}-min`} inputMode="decimal" value={draft.min} onChange={f("min")} />
          </div>
          <div className="field">
            <label htmlFor={`${prefix}-max`}>Highest allowed</label>
            <input id={`${prefix}-max`} inputMode="decimal" value={draft.max} onChange={f("max")} />
          </div>
        </div>
      ) : null}
      {draft.type === "grid" ? (
        <div className="codebook-fields">
          <div className="field">
            <label htmlFor={`${prefix}-rows`}>Rows, one a line</label>
            <textarea id={`${prefix}-rows`} rows={3} value={draft.rows} onChange={f("rows")} />
          </div>
          <div className="field">
            <label htmlFor={`${prefix}-columns`}>Columns, one a line</label>
            <textarea id={`${prefix}-columns`} rows={3} value={draft.columns} onChange={f("columns")} />
          </div>
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={`${prefix}-help`}>Help for extractors</label>
        <textarea id={`${prefix}-help`} rows={2} value={draft.help} onChange={f("help")} />
      </div>
    </div>
  );
}

/**
 * The codebook editor: items in a hierarchy, added with their type, options,
 * unit and range; moved among their siblings; retired (values kept) and
 * restored. A change to what values must fit makes a new version of the item.
 */
export function CodebookPage() {
  const { id, role } = useProject();
  const owner = role != null && roleAllows(role, "owner");
  const loaded = useApi((s) => call(extractionRoutes.codebook, { params: { id } }, s), [id]);
  const [items, setItems] = useState<CodebookRow[] | null>(null);
  const [draft, setDraft] = useState<Draft>(emptyDraft());
  const [editing, setEditing] = useState<CodebookRow | null>(null);
  const [editDraft, setEditDraft] = useState<Draft>(emptyDraft());
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);
  const [file, setFile] = useState("");
  const list = items ?? loaded.data?.items ?? null;

  const act = async (what: () => Promise<CodebookRow[] | void>, done: string) => {
    setBusy(true);
    setError(null);
    setSaid("");
    try {
      const next = await what();
      setItems(next ?? (await call(extractionRoutes.codebook, { params: { id } })).items);
      setSaid(done);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await act(async () => {
      await call(extractionRoutes.addItem, { params: { id }, body: { code: draft.code.trim(), scope: draft.scope, ...bodyOf(draft) } });
    }, `Item "${draft.label}" added.`);
    if (ok) setDraft({ ...emptyDraft(), parentId: draft.parentId, scope: draft.scope, type: draft.type === "section" ? "text" : draft.type });
  };

  const saveEdit = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const ok = await act(async () => {
      await call(extractionRoutes.editItem, { params: { id, itemId: editing.id }, body: bodyOf(editDraft) });
    }, `Item "${editDraft.label}" saved.`);
    if (ok) setEditing(null);
  };

  const move = (item: CodebookRow, by: -1 | 1) => {
    const siblings = (list ?? []).filter((i) => i.parentId === item.parentId);
    const k = siblings.findIndex((i) => i.id === item.id);
    const j = k + by;
    if (j < 0 || j >= siblings.length) return;
    const ids = siblings.map((i) => i.id);
    [ids[k], ids[j]] = [ids[j]!, ids[k]!];
    void act(async () => (await call(extractionRoutes.reorder, { params: { id }, body: { parentId: item.parentId, ids } })).items, `"${item.label}" moved ${by < 0 ? "up" : "down"}.`);
  };

  const retire = (item: CodebookRow, retired: boolean) =>
    void act(async () => {
      await call(extractionRoutes.retire, { params: { id, itemId: item.id }, body: { retired } });
    }, `"${item.label}" ${retired ? "retired: it takes no new values; its values stay" : "restored"}.`);

  const importFile = (e: FormEvent) => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(file);
    } catch (err) {
      setError(new Error(`the file is not JSON: ${errorMessage(err)}`));
      return;
    }
    void act(async () => (await call(extractionRoutes.importCodebook, { params: { id }, body: parsed as never })).items, "File imported.").then((ok) => ok && setFile(""));
  };

  const exportFile = async () => {
    try {
      const doc = await call(extractionRoutes.exportCodebook, { params: { id } });
      const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = "codebook.json";
      a.click();
      URL.revokeObjectURL(url);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <PageTitle>Codebook</PageTitle>
      <p className="muted">
        The items extracted from every study. Items can be added, moved and retired during extraction; a change to what an item accepts makes a new
        version, and values entered under the old one stay readable.
      </p>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !list ? <Loading what="the codebook" /> : null}
      {error ? (
        <div className="codebook-error">
          <ErrorMessage error={error} />
        </div>
      ) : null}
      {said ? <LiveStatus>{said}</LiveStatus> : null}
      {list ? (
        <section aria-labelledby="codebook-items-heading" className="stack">
          <h2 id="codebook-items-heading">Items</h2>
          {list.length === 0 ? <p className="empty">No items yet.</p> : <p className="muted">{plural(list.filter((i) => i.type !== "section").length, "item")}</p>}
          <ol className="codebook-list" aria-label="Codebook items">
            {list.map((i) => {
              const siblings = list.filter((x) => x.parentId === i.parentId);
              const k = siblings.findIndex((x) => x.id === i.id);
              return (
                <li key={i.id} className={`codebook-item depth-${Math.min(i.depth, 4)}${i.retiredAt ? " retired" : ""}`} data-code={i.code}>
                  <div className="row spread">
                    <div>
                      {i.type === "section" ? <strong>{i.number} {i.label}</strong> : <span>{i.number} {i.label}</span>}{" "}
                      <span className="muted small">
                        ({i.code}; {TYPE_LABELS[i.type]}
                        {i.unit ? `, ${i.unit}` : ""}
                        {i.min != null || i.max != null ? `, ${i.min ?? "…"} to ${i.max ?? "…"}` : ""}
                        {i.scope === "outcome" ? ", per outcome" : ""}
                        {i.version && i.version > 1 ? `, version ${i.version}` : ""})
                      </span>
                      {i.retiredAt ? <span className="badge"> Retired</span> : null}
                      {CHOICES.includes(i.type) ? <div className="muted small">{i.options.map((o) => o.label || o.code).join(" · ")}</div> : null}
                      {i.type === "grid" ? (
                        <div className="muted small">
                          Rows: {(i.rows ?? []).map((r) => r.label).join(", ")}; columns: {(i.columns ?? []).map((c) => c.label).join(", ")}
                        </div>
                      ) : null}
                      {i.help ? <div className="hint">{i.help}</div> : null}
                    </div>
                    {owner ? (
                      <div className="row codebook-actions">
                        <button type="button" className="button-secondary" disabled={busy || k === 0} onClick={() => move(i, -1)}>
                          Up<span className="visually-hidden"> {i.label}</span>
                        </button>
                        <button type="button" className="button-secondary" disabled={busy || k === siblings.length - 1} onClick={() => move(i, 1)}>
                          Down<span className="visually-hidden"> {i.label}</span>
                        </button>
                        {i.retiredAt ? null : (
                          <button
                            type="button"
                            className="button-secondary"
                            disabled={busy}
                            onClick={() => {
                              setEditing(i);
                              setEditDraft(draftOf(i));
                            }}
                          >
                            Edit<span className="visually-hidden"> {i.label}</span>
                          </button>
                        )}
                        <button type="button" className="button-secondary" disabled={busy} onClick={() => retire(i, !i.retiredAt)}>
                          {i.retiredAt ? "Restore" : "Retire"}
                          <span className="visually-hidden"> {i.label}</span>
                        </button>
                      </div>
                    ) : null}
                  </div>
                  {editing?.id === i.id ? (
                    <form className="stack codebook-edit" onSubmit={saveEdit} aria-label={`Edit ${i.label}`}>
                      <ItemFields draft={editDraft} set={setEditDraft} items={list} editing={i} prefix="edit" />
                      <div className="row">
                        <button type="submit" disabled={busy}>
                          Save item
                        </button>
                        <button type="button" className="button-secondary" onClick={() => setEditing(null)}>
                          Cancel
                        </button>
                      </div>
                    </form>
                  ) : null}
                </li>
              );
            })}
          </ol>
        </section>
      ) : null}
      {owner && list ? (
        <>
          <section aria-labelledby="codebook-add-heading" className="stack">
            <h2 id="codebook-add-heading">Add an item</h2>
            <form className="stack" onSubmit={add}>
              <ItemFields draft={draft} set={setDraft} items={list} editing={null} prefix="new" />
              <div className="row">
                <button type="submit" disabled={busy}>
                  Add item
                </button>
              </div>
            </form>
          </section>
          <section aria-labelledby="codebook-files-heading" className="stack">
            <h2 id="codebook-files-heading">Start from a template, import or export</h2>
            <div className="row">
              <button
                type="button"
                className="button-secondary"
                disabled={busy}
                onClick={() => void act(async () => (await call(extractionRoutes.template, { params: { id } })).items, "The seed review's data items were added.")}
              >
                Add the reunification review's data items
              </button>
              <button type="button" className="button-secondary" onClick={() => void exportFile()}>
                Export the codebook (JSON)
              </button>
            </div>
            <form className="stack" onSubmit={importFile}>
              <div className="field">
                <label htmlFor="codebook-file">Codebook or EPPI-Reviewer code set to import (JSON)</label>
                <input
                  id="codebook-file"
                  type="file"
                  accept="application/json,.json"
                  aria-describedby="codebook-file-hint"
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) void f.text().then(setFile);
                  }}
                />
                <p id="codebook-file-hint" className="hint">
                  A codebook exported from Homeward, or an EPPI-Reviewer code set export (its JSON report will do): each heading becomes a
                  section and the codes under it one multiple-choice item, keeping EPPI-Reviewer&apos;s ids as codes.
                </p>
              </div>
              <div className="row">
                <button type="submit" disabled={busy || file === ""}>
                  Import
                </button>
              </div>
            </form>
          </section>
        </>
      ) : null}
    </>
  );
}
