import { useState, type FormEvent } from "react";
import { routeUrl, synthesisRoutes as r, type FindingsAnswer } from "@homeward/api";
import type { Entity } from "@homeward/model";
import { call } from "../../api";
import { Field } from "../../components/Field";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { ChainNav, create, LevelSelect, MultiSelect, patch, studyLabel, Suggested, useCan, useCollection } from "./shared";
import "./synthesis.css";

type Finding = FindingsAnswer["findings"][number];
const COMPONENTS = [
  ["methodologicalLimitations", "Methodological limitations"],
  ["coherence", "Coherence"],
  ["adequacy", "Adequacy"],
  ["relevance", "Relevance"],
] as const;
const CONCERNS = [
  ["no", "No or very minor concerns"],
  ["minor", "Minor concerns"],
  ["moderate", "Moderate concerns"],
  ["serious", "Serious concerns"],
] as const;
const CONFIDENCES = [
  ["high", "High"],
  ["moderate", "Moderate"],
  ["low", "Low"],
  ["very_low", "Very low"],
] as const;
const concernLabel = (c: string | null | undefined) => CONCERNS.find(([k]) => k === c)?.[1] ?? "not judged";
const confidenceLabel = (c: string | null | undefined) => CONFIDENCES.find(([k]) => k === c)?.[1] ?? "not judged";

/** Review findings with their studies and excerpts, the GRADE-CERQual worksheet per finding, and the iSoQ tables. */
export function FindingsPage() {
  const { id } = useProject();
  const can = useCan("reviewer");
  const findings = useApi((s) => call(r.findings, { params: { id } }, s), [id]);
  const isoq = useApi((s) => call(r.isoq, { params: { id } }, s), [id, findings.data]);
  const studies = useCollection(id, "studies");
  const excerpts = useCollection(id, "codedExcerpts");
  const codes = useCollection(id, "synthesisCodes");
  const [said, setSaid] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const [table, setTable] = useState<"summary" | "profile">("summary");
  const name = (sid: string) => {
    const s = studies.data?.find((x) => x.id === sid);
    return s ? studyLabel(s) : sid;
  };

  return (
    <>
      <PageTitle>Review findings and CERQual</PageTitle>
      <ChainNav here="findings" />
      <ErrorMessage error={findings.error} />
      {said ? <LiveStatus>{said}</LiveStatus> : null}
      {can && studies.data && excerpts.data ? (
        <NewFinding
          studies={studies.data}
          excerpts={excerpts.data}
          codes={(codes.data ?? []).filter((c) => c.status === "active")}
          name={name}
          onSaved={(f) => {
            setSaid(`Finding saved: ${f.statement}`);
            setOpen(f.id);
            findings.reload();
          }}
        />
      ) : null}
      {findings.loading && !findings.data ? <Loading what="findings" /> : null}
      {findings.data ? (
        <section className="stack" aria-labelledby="findings-h">
          <h2 id="findings-h">Findings ({findings.data.findings.length})</h2>
          <ol className="stack">
            {findings.data.findings.map((f) => (
              <li key={f.id} className="card stack" id={`finding-${f.id}`}>
                <p>
                  <strong>{f.statement}</strong>
                </p>
                <p className="small">
                  {plural(f.studyIds.length, "contributing study", "contributing studies")}, {plural(f.excerptIds.length, "supporting excerpt")}. CERQual: {confidenceLabel(f.confidence)} confidence.
                </p>
                {f.suggestions.reassess.needed ? (
                  <p className="alert" role="note">
                    Needs re-assessment: {f.suggestions.reassess.reasons.join("; ")}.
                  </p>
                ) : null}
                <button type="button" className="button button-secondary" aria-expanded={open === f.id} onClick={() => setOpen(open === f.id ? null : f.id)}>
                  {can ? "Assess CERQual" : "CERQual assessment"} for this finding
                </button>
                {can && studies.data ? <EditStudies finding={f} studies={studies.data} onSaved={(n) => (setSaid(n), findings.reload())} /> : null}
                {open === f.id ? (
                  <Worksheet
                    finding={f}
                    can={can}
                    excerpts={(excerpts.data ?? []).filter((e) => f.excerptIds.includes(e.id))}
                    name={name}
                    onSaved={() => {
                      setSaid(`CERQual assessment saved for: ${f.statement}`);
                      findings.reload();
                    }}
                  />
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      {isoq.data ? (
        <section className="stack" aria-labelledby="isoq-h">
          <h2 id="isoq-h">iSoQ tables</h2>
          <div className="row">
            <Field id="isoq-table" label="Table">
              <select id="isoq-table" value={table} onChange={(e) => setTable(e.target.value as typeof table)}>
                <option value="summary">Summary of Qualitative Findings</option>
                <option value="profile">Evidence Profile</option>
              </select>
            </Field>
            <a className="button button-secondary" href={routeUrl(r.isoq, { id }, { format: "csv" })} download>
              Download the Evidence Profile (CSV)
            </a>
          </div>
          <div className="table-wrap" role="region" aria-labelledby="isoq-caption" tabIndex={0}>
            {table === "summary" ? (
              <table className="data-table">
                <caption id="isoq-caption">Summary of Qualitative Findings</caption>
                <thead>
                  <tr>
                    <th scope="col">Finding</th>
                    <th scope="col">CERQual confidence</th>
                    <th scope="col">Explanation</th>
                    <th scope="col">Studies</th>
                  </tr>
                </thead>
                <tbody>
                  {isoq.data.summary.map((x) => (
                    <tr key={x.id}>
                      <th scope="row">{x.statement}</th>
                      <td>{x.confidence ?? "—"}</td>
                      <td className="small">{x.explanation}</td>
                      <td className="small">{x.studies.map((s) => s.citation).join("; ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <table className="data-table">
                <caption id="isoq-caption">Evidence Profile</caption>
                <thead>
                  <tr>
                    <th scope="col">Finding</th>
                    {COMPONENTS.map(([k, l]) => (
                      <th key={k} scope="col">
                        {l}
                      </th>
                    ))}
                    <th scope="col">Overall</th>
                  </tr>
                </thead>
                <tbody>
                  {isoq.data.profile.map((x) => (
                    <tr key={x.id}>
                      <th scope="row">{x.statement}</th>
                      {x.components.map((c) => (
                        <td key={c.key} className="small">
                          <strong>{c.judgement ?? "—"}</strong> {c.explanation}
                        </td>
                      ))}
                      <td className="small">
                        <strong>{x.confidence ?? "—"}</strong> {x.explanation}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </section>
      ) : null}
    </>
  );
}

function NewFinding({
  studies,
  excerpts,
  codes,
  name,
  onSaved,
}: {
  studies: Entity<"studies">[];
  excerpts: Entity<"codedExcerpts">[];
  codes: Entity<"synthesisCodes">[];
  name: (id: string) => string;
  onSaved: (f: Entity<"qualitativeFindings">) => void;
}) {
  const { id } = useProject();
  const [statement, setStatement] = useState("");
  const [excerptIds, setExcerptIds] = useState<string[]>([]);
  const [studyIds, setStudyIds] = useState<string[]>([]);
  const [codeIds, setCodeIds] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const pick = (eid: string, on: boolean) => {
    const next = on ? [...excerptIds, eid] : excerptIds.filter((x) => x !== eid);
    setExcerptIds(next);
    // An excerpt's study contributes to the finding.
    const e = excerpts.find((x) => x.id === eid);
    if (on && e?.studyId && !studyIds.includes(e.studyId)) setStudyIds([...studyIds, e.studyId]);
  };
  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    try {
      const f = await create(id, "qualitativeFindings", { statement, studyIds, excerptIds, codeIds, order: Date.now() % 1_000_000_000 });
      setStatement("");
      setExcerptIds([]);
      setStudyIds([]);
      setCodeIds([]);
      onSaved(f);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details className="card">
      <summary>
        <strong>Write a finding</strong>
      </summary>
      <form className="stack" onSubmit={save} aria-label="Write a finding">
        <Field id="finding-statement" label="Finding statement">
          <textarea id="finding-statement" rows={3} value={statement} onChange={(e) => setStatement(e.target.value)} />
        </Field>
        <fieldset className="synthesis-scroll">
          <legend>Supporting excerpts</legend>
          {excerpts.length === 0 ? <p className="hint">No excerpt coded yet.</p> : null}
          {excerpts.map((e) => (
            <label key={e.id} className="synthesis-check">
              <input type="checkbox" checked={excerptIds.includes(e.id)} onChange={(x) => pick(e.id, x.target.checked)} /> {e.studyId ? name(e.studyId) : "Transcript"}
              {e.page ? `, p. ${e.page}` : ""}: “{e.text.length > 120 ? `${e.text.slice(0, 117)}…` : e.text}”
            </label>
          ))}
        </fieldset>
        <Field id="finding-studies" label="Contributing studies" hint="Studies of the chosen excerpts are added; hold Ctrl or Shift to choose several.">
          <MultiSelect id="finding-studies" size={6} value={studyIds} onChange={setStudyIds} describedBy="finding-studies-hint" options={studies} label={studyLabel} />
        </Field>
        <Field id="finding-codes" label="Codes (themes)">
          <MultiSelect id="finding-codes" size={4} value={codeIds} onChange={setCodeIds} options={codes} label={(c) => c.label} />
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" className="button">
          Save finding
        </button>
      </form>
    </details>
  );
}

type Judgements = Record<(typeof COMPONENTS)[number][0], { judgement: string; explanation: string }>;

/** The GRADE-CERQual worksheet of one finding (Lewin et al. 2018): each component's concern and explanation, then the overall confidence. */
function Worksheet({ finding: f, can, excerpts, name, onSaved }: { finding: Finding; can: boolean; excerpts: Entity<"codedExcerpts">[]; name: (id: string) => string; onSaved: () => void }) {
  const { id } = useProject();
  const s = f.suggestions;
  const sugg: Partial<Record<keyof Judgements, { value: string | null; basis: string }>> = { methodologicalLimitations: s.methodologicalLimitations, adequacy: s.adequacy };
  // A component not judged yet starts at its suggestion, marked as such, until the team changes or saves it.
  const [comp, setComp] = useState<Judgements>(
    () => Object.fromEntries(COMPONENTS.map(([k]) => [k, { judgement: f.components[k].judgement ?? sugg[k]?.value ?? "", explanation: f.components[k].explanation }])) as Judgements,
  );
  const prefilled = (k: keyof Judgements) => f.components[k].judgement === null && !!sugg[k]?.value && comp[k].judgement === sugg[k]!.value;
  const [confidence, setConfidence] = useState<string>(f.confidence ?? "");
  const [explanation, setExplanation] = useState(f.explanation);
  const [error, setError] = useState<unknown>(null);
  const set = (k: keyof Judgements, part: "judgement" | "explanation", v: string) => setComp({ ...comp, [k]: { ...comp[k], [part]: v } });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await call(r.assessCerqual, {
        params: { id, findingId: f.id },
        body: {
          components: Object.fromEntries(COMPONENTS.map(([k]) => [k, { judgement: comp[k].judgement || null, explanation: comp[k].explanation }])),
          confidence: confidence || null,
          explanation,
        },
      });
      onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="stack synthesis-worksheet" onSubmit={save} aria-label={`CERQual assessment of: ${f.statement}`}>
      <details>
        <summary>Contributing studies and supporting excerpts</summary>
        <p className="small">{f.studyIds.map(name).join("; ")}</p>
        <ul className="small">
          {excerpts.map((e) => (
            <li key={e.id}>
              {e.studyId ? name(e.studyId) : "Transcript"}
              {e.page ? `, p. ${e.page}` : ""}: “{e.text}”
            </li>
          ))}
        </ul>
      </details>
      {COMPONENTS.map(([k, label]) => (
        <fieldset key={k} disabled={!can}>
          <legend>{label}</legend>
          {sugg[k] ? (
            <Suggested>
              {sugg[k]!.value ? concernLabel(sugg[k]!.value) : "none"}. {sugg[k]!.basis}{" "}
              {can && sugg[k]!.value ? (
                <button type="button" className="button-link" onClick={() => set(k, "judgement", sugg[k]!.value!)}>
                  Use the suggestion for {label.toLowerCase()}
                </button>
              ) : null}
            </Suggested>
          ) : null}
          <Field id={`${f.id}-${k}`} label={`${label}: level of concern`} hint={prefilled(k) ? "Pre-filled from the suggestion: the team's judgement once saved." : undefined}>
            <LevelSelect id={`${f.id}-${k}`} value={comp[k].judgement} onChange={(v) => set(k, "judgement", v)} none="Not judged" levels={CONCERNS} describedBy={prefilled(k) ? `${f.id}-${k}-hint` : undefined} />
          </Field>
          <Field id={`${f.id}-${k}-why`} label={`${label}: explanation`}>
            <textarea id={`${f.id}-${k}-why`} rows={2} value={comp[k].explanation} onChange={(e) => set(k, "explanation", e.target.value)} />
          </Field>
        </fieldset>
      ))}
      <fieldset disabled={!can}>
        <legend>Overall confidence</legend>
        {s.confidence.value ? (
          <Suggested>
            {confidenceLabel(s.confidence.value)} ({s.confidence.basis}).
          </Suggested>
        ) : null}
        <Field id={`${f.id}-confidence`} label="Confidence in the finding">
          <LevelSelect id={`${f.id}-confidence`} value={confidence} onChange={setConfidence} none="Not judged" levels={CONFIDENCES} />
        </Field>
        <Field id={`${f.id}-explanation`} label="Explanation of the overall confidence" hint="Left empty, it is written from the judgements (iSoQ's wording).">
          <textarea id={`${f.id}-explanation`} rows={3} value={explanation} onChange={(e) => setExplanation(e.target.value)} aria-describedby={`${f.id}-explanation-hint`} />
        </Field>
      </fieldset>
      <ErrorMessage error={error} />
      {can ? (
        <button type="submit" className="button">
          Save the CERQual assessment
        </button>
      ) : null}
    </form>
  );
}

/** Changes a finding's contributing studies; an assessed finding is then marked for re-assessment. */
function EditStudies({ finding: f, studies, onSaved }: { finding: Finding; studies: Entity<"studies">[]; onSaved: (said: string) => void }) {
  const { id } = useProject();
  const [ids, setIds] = useState(f.studyIds);
  const [error, setError] = useState<unknown>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await patch(id, "qualitativeFindings", f.id, { studyIds: ids });
      onSaved(`Contributing studies saved (${ids.length}) for: ${f.statement}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <details>
      <summary>Change the contributing studies</summary>
      <form className="stack" onSubmit={save} aria-label={`Contributing studies of: ${f.statement}`}>
        <Field id={`${f.id}-studies`} label="Contributing studies" hint="Hold Ctrl or Shift to choose several.">
          <MultiSelect id={`${f.id}-studies`} size={6} value={ids} onChange={setIds} describedBy={`${f.id}-studies-hint`} options={studies} label={studyLabel} />
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" className="button button-secondary">
          Save the contributing studies
        </button>
      </form>
    </details>
  );
}
