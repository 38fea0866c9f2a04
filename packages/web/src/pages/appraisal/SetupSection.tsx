import { useState } from "react";
import { listTools, NON_BLINDING_NOT_A_CONCERN } from "@homeward/appraisal";
import { appraisalSetupOf, type AppraisalSetup } from "@homeward/model";
import { coreRoutes, type ProtocolForEditing } from "@homeward/api";
import { call } from "../../api";
import { ErrorMessage } from "../../components/Status";
import { useApi } from "../../hooks";
import { EditableSection } from "../protocol/EditableSection";

// Tools with questions to answer; a declared-only draft (ROBINS-I V2) cannot be filled in.
const TOOLS = listTools().filter((t) => t.domains.length > 0);
const toolName = (id: string) => TOOLS.find((t) => t.id === id)?.name ?? id;

/** The set-up as it reads. */
export function SetupSummary({ setup }: { setup: AppraisalSetup }) {
  return (
    <div className="stack">
      <ul className="setup-list">
        {setup.tools.map((t) => (
          <li key={t.design}>
            {t.design}: {toolName(t.tool)}
            {t.version ? ` (version ${t.version})` : ""}
          </li>
        ))}
        {setup.available.length > 0 ? <li>Also offered for any study: {setup.available.map(toolName).join(", ")}</li> : null}
        <li>A senior reviewer checks {Math.round(setup.seniorCheckShare * 1000) / 10}% of studies (marked below).</li>
      </ul>
      {setup.departures.length > 0 ? (
        <>
          <h3>Departures from the guidance</h3>
          <ul>
            {setup.departures.map((d) => (
              <li key={d.id}>
                {d.text} <span className="muted small">({d.overrides.map((o) => `${o.question} read as ${o.answer}`).join("; ")}; {d.tools.map(toolName).join(", ")})</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">No departures from the tools' guidance.</p>
      )}
    </div>
  );
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40) || "departure";

/** The owner's editor of the set-up: a protocol section saved on its own, against its version. */
export function SetupSection({ projectId, onSaved }: { projectId: string; onSaved: () => void }) {
  const loaded = useApi((s) => call(coreRoutes.getProtocolVersions, { params: { id: projectId } }, s), [projectId]);
  const [doc, setDoc] = useState<ProtocolForEditing | null>(null);
  const current = doc ?? loaded.data ?? null;
  if (!current) return <ErrorMessage error={loaded.error} />;
  return (
    <EditableSection<AppraisalSetup>
      projectId={projectId}
      section="appraisal"
      title="Appraisal set-up"
      intro="Which tool each design class is appraised with, tools offered for any study, the project's departures from the tools' guidance, and the share of studies a senior reviewer checks."
      doc={current}
      onSaved={(d) => {
        setDoc(d);
        onSaved();
      }}
      read={<SetupSummary setup={appraisalSetupOf(current.protocol)} />}
      toDraft={(p) => structuredClone(appraisalSetupOf(p))}
      fromDraft={(d) => d}
      check={(d) => {
        const seen = new Set<string>();
        for (const t of d.tools) {
          if (t.design.trim() === "") return "every design class needs its name";
          if (seen.has(t.design.toLowerCase())) return `the design class "${t.design}" is listed twice`;
          seen.add(t.design.toLowerCase());
        }
        return null;
      }}
      editor={(d, set) => <SetupEditor draft={d} set={set} />}
    />
  );
}

function SetupEditor({ draft, set }: { draft: AppraisalSetup; set: (d: AppraisalSetup) => void }) {
  const [text, setText] = useState("");
  const [tool, setTool] = useState("rob2");
  const questions = TOOLS.find((t) => t.id === tool)?.domains.flatMap((d) => d.questions.filter((q) => q.options.length > 0)) ?? [];
  const [question, setQuestion] = useState("");
  const q = questions.find((x) => x.id === question) ?? questions[0];
  const [answer, setAnswer] = useState("");
  const a = q && q.options.includes(answer) ? answer : (q?.options[0] ?? "");
  const hasDefault = draft.departures.some((x) => x.id === NON_BLINDING_NOT_A_CONCERN.id);
  return (
    <div className="stack">
      <fieldset className="stack">
        <legend>Tool per design class</legend>
        {draft.tools.map((t, i) => (
          <div className="row setup-row" key={i}>
            <div className="field">
              <label htmlFor={`setup-design-${i}`}>Design class {i + 1}</label>
              <input
                id={`setup-design-${i}`}
                type="text"
                value={t.design}
                onChange={(e) => set({ ...draft, tools: draft.tools.map((x, j) => (j === i ? { ...x, design: e.target.value } : x)) })}
              />
            </div>
            <div className="field">
              <label htmlFor={`setup-tool-${i}`}>Tool for design class {i + 1}</label>
              <select
                id={`setup-tool-${i}`}
                value={t.tool}
                onChange={(e) => set({ ...draft, tools: draft.tools.map((x, j) => (j === i ? { ...x, tool: e.target.value, version: null } : x)) })}
              >
                {TOOLS.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            </div>
            <button type="button" className="button-secondary" onClick={() => set({ ...draft, tools: draft.tools.filter((_, j) => j !== i) })}>
              Remove design class {i + 1}
            </button>
          </div>
        ))}
        <div>
          <button type="button" className="button-secondary" onClick={() => set({ ...draft, tools: [...draft.tools, { design: "", tool: "rob2", version: null }] })}>
            Add a design class
          </button>
        </div>
      </fieldset>
      <fieldset>
        <legend>Also offered for any study</legend>
        <div className="answer-options">
          {TOOLS.map((x) => (
            <label key={x.id}>
              <input
                type="checkbox"
                checked={draft.available.includes(x.id)}
                onChange={(e) => set({ ...draft, available: e.target.checked ? [...draft.available, x.id] : draft.available.filter((y) => y !== x.id) })}
              />{" "}
              {x.name}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="field">
        <label htmlFor="setup-senior">Share of studies a senior reviewer checks (%)</label>
        <input
          id="setup-senior"
          type="number"
          min={0}
          max={100}
          step={0.5}
          value={Math.round(draft.seniorCheckShare * 1000) / 10}
          onChange={(e) => set({ ...draft, seniorCheckShare: Number(e.target.value) / 100 })}
        />
      </div>
      <fieldset className="stack">
        <legend>Departures from the guidance</legend>
        {draft.departures.length === 0 ? <p className="muted">None.</p> : null}
        <ul className="stack">
          {draft.departures.map((d) => (
            <li key={d.id}>
              {d.text} <span className="muted small">({d.overrides.map((o) => `${o.question} read as ${o.answer}`).join("; ")})</span>{" "}
              <button type="button" className="button-link" onClick={() => set({ ...draft, departures: draft.departures.filter((x) => x.id !== d.id) })}>
                Remove departure "{d.text.slice(0, 40)}…"
              </button>
            </li>
          ))}
        </ul>
        {!hasDefault ? (
          <div>
            <button type="button" className="button-secondary" onClick={() => set({ ...draft, departures: [...draft.departures, structuredClone(NON_BLINDING_NOT_A_CONCERN) as AppraisalSetup["departures"][number]] })}>
              Add: non-blinding of participants not a concern (RoB 2)
            </button>
          </div>
        ) : null}
        <div className="stack setup-new-departure">
          <div className="field">
            <label htmlFor="setup-dep-text">New departure: what the project does and why</label>
            <textarea id="setup-dep-text" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
          </div>
          <div className="row setup-row">
            <div className="field">
              <label htmlFor="setup-dep-tool">Tool</label>
              <select id="setup-dep-tool" value={tool} onChange={(e) => setTool(e.target.value)}>
                {TOOLS.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="setup-dep-q">Question</label>
              <select id="setup-dep-q" value={q?.id ?? ""} onChange={(e) => setQuestion(e.target.value)}>
                {questions.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.id} {x.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="setup-dep-a">Read as</label>
              <select id="setup-dep-a" value={a} onChange={(e) => setAnswer(e.target.value)}>
                {(q?.options ?? []).map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div>
            <button
              type="button"
              className="button-secondary"
              disabled={text.trim() === "" || !q}
              onClick={() => {
                let id = slug(text);
                while (draft.departures.some((x) => x.id === id)) id += "-2";
                set({ ...draft, departures: [...draft.departures, { id, tools: [tool], text: text.trim(), overrides: [{ question: q!.id, answer: a }] }] });
                setText("");
              }}
            >
              Add this departure
            </button>
          </div>
        </div>
      </fieldset>
    </div>
  );
}
