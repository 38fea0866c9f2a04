import { useState, type FormEvent } from "react";
import { savedAnalysesRoutes as r, type RerunAnswer, type SavedAnalysisVersion } from "@homeward/api";
import { call } from "../../api";
import { Field } from "../../components/Field";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { num } from "./model";

const TERM_LABELS: Record<string, string> = { intrcpt: "Intercept" };
const term = (t: string) => TERM_LABELS[t] ?? t;
const interval = (c: { estimate: number; ciLower: number; ciUpper: number } | null) => (c ? `${num(c.estimate)} [${num(c.ciLower)}, ${num(c.ciUpper)}]` : "—");
const when = (iso: string) => iso.slice(0, 16).replace("T", " ") + " UTC";

/** Saves the spec just fitted under a name (the next version of a name saved before). */
function SaveForm({ projectId, spec, onSaved }: { projectId: string; spec: Record<string, unknown>; onSaved: () => void }) {
  const [name, setName] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [nameError, setNameError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    setError(null);
    if (!name.trim()) {
      setNameError("Give the analysis a name.");
      document.getElementById("save-name")?.focus();
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const s = await call(r.save, { params: { id: projectId }, body: { name: name.trim(), description: note.trim() || null, spec } });
      setSaved(`Saved "${s.name}" as version ${s.version}.`);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate aria-labelledby="save-analysis-heading">
      <h3 id="save-analysis-heading">Save as a named analysis</h3>
      <p className="hint">The model fitted above, with its result and the effect sizes it used, so that reports can cite it and a re-run can show what moved. A name saved before gets its next version.</p>
      <Field id="save-name" label="Name" error={nameError}>
        <input id="save-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={nameError ? true : undefined} aria-describedby={nameError ? "save-name-error" : undefined} maxLength={200} />
      </Field>
      <Field id="save-note" label="Note (optional)">
        <textarea id="save-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </Field>
      <p className="row">
        <button type="submit" disabled={busy}>{busy ? "Saving…" : "Save as named analysis"}</button>
      </p>
      {saved ? <LiveStatus>{saved}</LiveStatus> : null}
      <ErrorMessage error={error} />
    </form>
  );
}

/** What moved between the saved version and today's data, as tables. */
function Moved({ answer }: { answer: RerunAnswer }) {
  const { moved, saved } = answer;
  const es = moved.effectSizes;
  const changes = es.added.length + es.removed.length + es.changed.length;
  return (
    <div className="stack" data-testid="what-moved">
      <LiveStatus>
        {moved.unchanged
          ? `Re-run of "${saved.name}" version ${saved.version}: nothing moved.`
          : `Re-run of "${saved.name}" version ${saved.version}: ${changes} ${changes === 1 ? "effect size" : "effect sizes"} added, removed or changed; k ${moved.k.before} → ${moved.k.after}.`}
      </LiveStatus>
      <div className="table-wrap">
        <table className="data-table analysis-table">
          <caption>Estimates: saved version {saved.version} against today's data</caption>
          <thead>
            <tr>
              <th scope="col">Coefficient</th>
              <th scope="col">Saved estimate [95% CI]</th>
              <th scope="col">Now [95% CI]</th>
              <th scope="col">Moved</th>
            </tr>
          </thead>
          <tbody>
            {moved.coefficients.map((c) => (
              <tr key={`m-${c.term}`}>
                <th scope="row">{term(c.term)}</th>
                <td data-label="Saved">{interval(c.before)}</td>
                <td data-label="Now">{interval(c.after)}</td>
                <td data-label="Moved">{c.moved ? "Yes" : "No"}</td>
              </tr>
            ))}
            {moved.robust.map((c) => (
              <tr key={`r-${c.term}`}>
                <th scope="row">{term(c.term)} (CR2 robust)</th>
                <td data-label="Saved">{interval(c.before)}</td>
                <td data-label="Now">{interval(c.after)}</td>
                <td data-label="Moved">{c.moved ? "Yes" : "No"}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">k (effect sizes)</th>
              <td data-label="Saved">{moved.k.before}</td>
              <td data-label="Now">{moved.k.after}</td>
              <td data-label="Moved">{moved.k.before !== moved.k.after ? "Yes" : "No"}</td>
            </tr>
            {moved.heterogeneity.map((h) => (
              <tr key={`h-${h.name}`}>
                <th scope="row">{h.name}</th>
                <td data-label="Saved">{num(h.before)}</td>
                <td data-label="Now">{num(h.after)}</td>
                <td data-label="Moved">{h.moved ? "Yes" : "No"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {changes > 0 ? (
        <div className="table-wrap">
          <table className="data-table analysis-table">
            <caption>Effect sizes added, removed or changed since the saved version</caption>
            <thead>
              <tr>
                <th scope="col">Effect size</th>
                <th scope="col">Study</th>
                <th scope="col">Change</th>
                <th scope="col">Saved yi (vi)</th>
                <th scope="col">Now yi (vi)</th>
              </tr>
            </thead>
            <tbody>
              {es.changed.map((c) => (
                <tr key={`c-${c.effectSizeId}`}>
                  <th scope="row">{c.effectSizeId}</th>
                  <td data-label="Study">{c.study}</td>
                  <td data-label="Change">Changed</td>
                  <td data-label="Saved yi (vi)">{num(c.before.yi)} ({num(c.before.vi)})</td>
                  <td data-label="Now yi (vi)">{num(c.after.yi)} ({num(c.after.vi)})</td>
                </tr>
              ))}
              {es.added.map((c) => (
                <tr key={`a-${c.effectSizeId}`}>
                  <th scope="row">{c.effectSizeId}</th>
                  <td data-label="Study">{c.study}</td>
                  <td data-label="Change">Added</td>
                  <td data-label="Saved yi (vi)">—</td>
                  <td data-label="Now yi (vi)">{num(c.yi)} ({num(c.vi)})</td>
                </tr>
              ))}
              {es.removed.map((c) => (
                <tr key={`r-${c.effectSizeId}`}>
                  <th scope="row">{c.effectSizeId}</th>
                  <td data-label="Study">{c.study}</td>
                  <td data-label="Change">Removed</td>
                  <td data-label="Saved yi (vi)">{num(c.yi)} ({num(c.vi)})</td>
                  <td data-label="Now yi (vi)">—</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

/** One saved analysis: its versions, and a re-run of the chosen one against today's data. */
function SavedAnalysisItem({ projectId, name, versions, onShow }: { projectId: string; name: string; versions: SavedAnalysisVersion[]; onShow: (spec: Record<string, unknown>) => Promise<void> }) {
  const [chosen, setChosen] = useState(versions[0]!.id);
  const [answer, setAnswer] = useState<RerunAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const v = versions.find((x) => x.id === chosen) ?? versions[0]!;
  const selectId = `saved-version-${versions[0]!.id}`;

  const rerun = async () => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(await call(r.rerun, { params: { id: projectId, savedId: v.id } }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const show = async () => {
    setError(null);
    try {
      const full = await call(r.get, { params: { id: projectId, savedId: v.id } });
      await onShow(full.spec);
      // The results above take focus once drawn (the page moves it to their heading).
    } catch (err) {
      setError(err);
    }
  };

  return (
    <li className="stack saved-analysis">
      <h3>{name}</h3>
      <p className="muted">
        Version {v.version} of {versions.length}, saved by {v.savedBy} on {when(v.savedAt)}; {v.k ?? "?"} effect sizes{v.measure ? ` (${v.measure})` : ""}. Model: {v.model}.
      </p>
      {v.description ? <p>{v.description}</p> : null}
      <div className="row">
        {versions.length > 1 ? (
          <div className="field">
            <label htmlFor={selectId}>Version of "{name}"</label>
            <select id={selectId} value={v.id} onChange={(e) => { setChosen(e.target.value); setAnswer(null); }}>
              {versions.map((x) => (
                <option key={x.id} value={x.id}>Version {x.version} ({when(x.savedAt)}, {x.savedBy})</option>
              ))}
            </select>
          </div>
        ) : null}
        <button type="button" className="button-secondary" onClick={rerun} disabled={busy} aria-label={`Re-run "${name}" version ${v.version} against current data`}>
          {busy ? "Re-running…" : "Re-run against current data"}
        </button>
        <button type="button" className="button-secondary" onClick={show} aria-label={`Show "${name}" version ${v.version} with its figures, fitted to current data`}>
          Show results and figures
        </button>
      </div>
      {busy ? <LiveStatus>Re-running "{name}"…</LiveStatus> : null}
      <ErrorMessage error={error} />
      {answer ? <Moved answer={answer} /> : null}
    </li>
  );
}

/**
 * Named, versioned analyses of the project: the model just fitted can be
 * saved under a name; each saved analysis lists its versions and re-runs
 * against today's data, saying what moved.
 */
export function SavedAnalyses({ projectId, spec, onShow }: { projectId: string; spec: Record<string, unknown> | null; onShow: (spec: Record<string, unknown>) => Promise<void> }) {
  const list = useApi((s) => call(r.list, { params: { id: projectId } }, s), [projectId]);
  return (
    <section className="stack-lg" aria-labelledby="saved-analyses-heading">
      <h2 id="saved-analyses-heading">Saved analyses</h2>
      {spec ? <SaveForm projectId={projectId} spec={spec} onSaved={list.reload} /> : <p className="hint">Fit a model above to save it as a named analysis.</p>}
      <ErrorMessage error={list.error} />
      {list.loading && !list.data ? <Loading what="saved analyses" /> : null}
      {list.data && list.data.analyses.length === 0 ? <p>No analysis has been saved yet.</p> : null}
      {list.data && list.data.analyses.length > 0 ? (
        <ul className="stack-lg saved-analyses">
          {list.data.analyses.map((a) => (
            <SavedAnalysisItem key={`${a.name}-${a.latest.id}`} projectId={projectId} name={a.name} versions={a.versions} onShow={onShow} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
