import { useEffect, useRef, useState, type FormEvent } from "react";
import { outcomeRoutes, type OutcomeWithData, type StudyOutcomesAnswer } from "@homeward/api";
import { OUTCOME_DATA_KINDS, roleAllows, type EffectSize, type OutcomeDataKind } from "@homeward/model";
import { call, errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link, type Params } from "../../router";
import { FIELDS, fieldsOf, rawOfInputs, type Raw } from "./fields";
import "./outcomes.css";

const enc = encodeURIComponent;

/**
 * One study's arms, time points and outcomes, and its outcome data entered as
 * reported: the fields follow the kind of data chosen, and the server turns
 * them into one effect size whose chain of conversions is shown in words.
 */
export function OutcomesPage({ params }: { params: Params }) {
  const { id, role } = useProject();
  const studyId = params.studyId!;
  const data = useApi((s) => call(outcomeRoutes.list, { params: { id, studyId } }, s), [id, studyId]);
  const [said, setSaid] = useState("");
  const canWrite = role != null && roleAllows(role, "reviewer");
  const d = data.data;
  const done = (message: string) => {
    setSaid(message);
    data.reload();
  };
  return (
    <>
      <PageTitle>{d ? `Outcomes of ${d.study.name}` : "Outcomes"}</PageTitle>
      <p>
        <Link to={`/projects/${enc(id)}/studies`}>Back to the studies</Link>
      </p>
      <ErrorMessage error={data.error} />
      {data.loading && !d ? <Loading what="the study's outcomes" /> : null}
      {said ? <LiveStatus>{said}</LiveStatus> : null}
      {d ? (
        <div className="stack-lg outcomes-page">
          <ListEditor
            kind="arms"
            heading="Arms"
            intro="The groups compared. Group 1 of each comparison is usually the intervention; a positive effect size means group 1 scored higher (better, once recoded)."
            items={d.study.arms.map((a) => ({ id: a.id, label: a.label, n: a.n }))}
            withN
            canWrite={canWrite}
            onSave={async (items) => {
              await call(outcomeRoutes.arms, { params: { id, studyId }, body: { arms: items.map((a) => ({ ...(a.id ? { id: a.id } : {}), label: a.label, n: a.n ?? null })) } });
              done("Arms saved.");
            }}
          />
          <ListEditor
            kind="time points"
            heading="Time points"
            intro="When the outcomes were measured."
            items={d.study.timePoints}
            canWrite={canWrite}
            onSave={async (items) => {
              await call(outcomeRoutes.timePoints, { params: { id, studyId }, body: { timePoints: items.map((t) => ({ ...(t.id ? { id: t.id } : {}), label: t.label })) } });
              done("Time points saved.");
            }}
          />
          <section aria-labelledby="outcomes-heading" className="stack">
            <h2 id="outcomes-heading">Outcomes</h2>
            {d.outcomes.length === 0 ? <p className="empty">No outcomes yet.</p> : null}
            {d.outcomes.map((o) => (
              <OutcomeSection key={o.id} answer={d} outcome={o} canWrite={canWrite} onDone={done} />
            ))}
            {canWrite ? <OutcomeForm answer={d} onDone={done} /> : null}
          </section>
        </div>
      ) : null}
    </>
  );
}

interface ListItem {
  id?: string;
  label: string;
  n?: number | null;
}

/** An editable list of arms or time points: labels (and group sizes), add, remove, then one save. */
function ListEditor(props: { kind: string; heading: string; intro: string; items: ListItem[]; withN?: boolean; canWrite: boolean; onSave: (items: ListItem[]) => Promise<void> }) {
  const { kind, heading, items, withN, canWrite } = props;
  const [draft, setDraft] = useState<{ id?: string; label: string; n: string }[]>(() => items.map((i) => ({ id: i.id, label: i.label, n: i.n == null ? "" : String(i.n) })));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const key = kind.replace(/\s+/g, "-");
  // Reset from the server's list only when it changes, so a save elsewhere on the page keeps unsaved edits here.
  const stored = JSON.stringify(items);
  useEffect(() => setDraft(items.map((i) => ({ id: i.id, label: i.label, n: i.n == null ? "" : String(i.n) }))), [stored]); // eslint-disable-line react-hooks/exhaustive-deps
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const blank = draft.findIndex((x) => !x.label.trim());
    if (blank >= 0) return setError(`Give a label to ${kind === "arms" ? "arm" : "time point"} ${blank + 1}.`);
    const badN = draft.findIndex((x) => x.n.trim() !== "" && !/^\d+$/.test(x.n.trim()));
    if (badN >= 0) return setError(`The n of arm ${blank + 1} must be a whole number.`);
    setBusy(true);
    try {
      await props.onSave(draft.map((x) => ({ id: x.id, label: x.label.trim(), n: x.n.trim() === "" ? null : Number(x.n) })));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const set = (i: number, patch: Partial<{ label: string; n: string }>) => setDraft((xs) => xs.map((x, k) => (k === i ? { ...x, ...patch } : x)));
  return (
    <section aria-labelledby={`${key}-heading`} className="stack">
      <h2 id={`${key}-heading`}>{heading}</h2>
      <p className="muted">{props.intro}</p>
      {!canWrite ? (
        items.length === 0 ? (
          <p className="empty">None yet.</p>
        ) : (
          <ul>
            {items.map((i) => (
              <li key={i.id ?? i.label}>
                {i.label}
                {i.n != null ? ` (n = ${i.n})` : ""}
              </li>
            ))}
          </ul>
        )
      ) : (
        <form className="stack" onSubmit={save} aria-labelledby={`${key}-heading`}>
          {draft.length === 0 ? <p className="empty">None yet.</p> : null}
          <ol className="list-editor">
            {draft.map((x, i) => (
              <li key={i} className="row">
                <div className="field">
                  <label htmlFor={`${key}-label-${i}`}>
                    {kind === "arms" ? `Arm ${i + 1}` : `Time point ${i + 1}`} label
                  </label>
                  <input id={`${key}-label-${i}`} value={x.label} onChange={(e) => set(i, { label: e.target.value })} />
                </div>
                {withN ? (
                  <div className="field">
                    <label htmlFor={`${key}-n-${i}`}>Arm {i + 1} n</label>
                    <input id={`${key}-n-${i}`} inputMode="numeric" className="input-narrow" value={x.n} onChange={(e) => set(i, { n: e.target.value })} />
                  </div>
                ) : null}
                {!x.id ? (
                  <button type="button" className="button-link" onClick={() => setDraft((xs) => xs.filter((_, k) => k !== i))}>
                    Remove<span className="visually-hidden"> {kind === "arms" ? `arm ${i + 1}` : `time point ${i + 1}`}</span>
                  </button>
                ) : null}
              </li>
            ))}
          </ol>
          <div className="row">
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setDraft((xs) => [...xs, { label: "", n: "" }]);
                setTimeout(() => document.getElementById(`${key}-label-${draft.length}`)?.focus());
              }}
            >
              Add {kind === "arms" ? "an arm" : "a time point"}
            </button>
            <button type="submit" disabled={busy}>
              Save {kind}
            </button>
          </div>
          {error ? (
            <p className="field-error" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      )}
    </section>
  );
}

const armLabel = (answer: StudyOutcomesAnswer, armId: string | undefined) => answer.study.arms.find((a) => a.id === armId)?.label ?? armId ?? "?";
const num = (x: number | null) => (x === null ? "—" : (Math.round(x * 1000) / 1000).toString());

/** An outcome: its attributes, its data rows with their effect sizes and chains, and the data form. */
function OutcomeSection({ answer, outcome, canWrite, onDone }: { answer: StudyOutcomesAnswer; outcome: OutcomeWithData; canWrite: boolean; onDone: (m: string) => void }) {
  const [editing, setEditing] = useState<EffectSize | "new" | null>(null);
  const [renaming, setRenaming] = useState(false);
  const domain = answer.domains.find((x) => x.code === outcome.domain);
  const key = `outcome-${outcome.id}`;
  const direction = outcome.higherIsBetter === null ? "direction not given" : outcome.higherIsBetter ? "higher is better" : "higher is worse (effect sizes recoded)";
  return (
    <section aria-labelledby={`${key}-heading`} className="stack outcome-card" data-outcome={outcome.name}>
      <h3 id={`${key}-heading`} tabIndex={-1}>
        {outcome.name}
      </h3>
      <p className="muted">
        {[domain ? `Domain: ${domain.label || domain.code}` : outcome.domain ? `Domain: ${outcome.domain}` : "No domain", outcome.measure ? `Measure: ${outcome.measure}` : null, direction].filter(Boolean).join(" · ")}
      </p>
      {canWrite ? (
        renaming ? (
          <OutcomeForm
            answer={answer}
            editing={outcome}
            onCancel={() => {
              setRenaming(false);
              setTimeout(() => document.getElementById(`${key}-edit`)?.focus());
            }}
            onDone={(m) => {
              setRenaming(false);
              onDone(m);
              setTimeout(() => document.getElementById(`${key}-heading`)?.focus());
            }}
          />
        ) : (
          <div>
            <button type="button" className="button-link" id={`${key}-edit`} onClick={() => setRenaming(true)}>
              Edit name, domain or measure<span className="visually-hidden"> of {outcome.name}</span>
            </button>
          </div>
        )
      ) : null}
      {canWrite ? <DirectionForm outcome={outcome} onDone={onDone} /> : null}
      {outcome.data.length === 0 ? (
        <p className="empty">No data yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Data and effect sizes of {outcome.name}</caption>
            <thead>
              <tr>
                <th scope="col">Comparison</th>
                <th scope="col">Time point</th>
                <th scope="col">Reported as</th>
                <th scope="col">Effect size</th>
                <th scope="col">How it was computed</th>
                {canWrite ? <th scope="col">Change</th> : null}
              </tr>
            </thead>
            <tbody>
              {outcome.data.map((e) => {
                const kind = (e.inputs as { kind?: string }).kind as OutcomeDataKind | undefined;
                return (
                  <tr key={e.id} data-effect={e.id}>
                    <th scope="row">{e.armIds ? `${armLabel(answer, e.armIds[0])} vs ${armLabel(answer, e.armIds[1])}` : "—"}</th>
                    <td data-label="Time point">{answer.study.timePoints.find((t) => t.id === e.timePointId)?.label ?? "—"}</td>
                    <td data-label="Reported as">{kind && OUTCOME_DATA_KINDS[kind] ? OUTCOME_DATA_KINDS[kind] : (e.method ?? "reported")}</td>
                    <td data-label="Effect size" className="effect-value">
                      {e.measure} {num(e.yi)}
                      {e.vi !== null ? ` (SE ${num(Math.sqrt(e.vi))})` : ""}
                      {e.recoded ? <span className="badge badge-recorded"> recoded: higher is worse</span> : null}
                    </td>
                    <td data-label="How it was computed" className="effect-chain">
                      {e.provenance ?? e.method ?? ""}
                    </td>
                    {canWrite ? (
                      <td data-label="Change">
                        {kind ? (
                          <button type="button" className="button-link" onClick={() => setEditing(e)}>
                            Edit<span className="visually-hidden"> this data of {outcome.name}</span>
                          </button>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {canWrite ? (
        editing ? (
          <DataForm
            key={editing === "new" ? "new" : editing.id}
            answer={answer}
            outcome={outcome}
            editing={editing === "new" ? null : editing}
            onCancel={() => {
              setEditing(null);
              setTimeout(() => document.getElementById(`${key}-add`)?.focus());
            }}
            onDone={(m) => {
              setEditing(null);
              onDone(m);
              // The form is gone: a keyboard user carries on from the outcome, whose table shows the new effect size.
              setTimeout(() => document.getElementById(`${key}-heading`)?.focus());
            }}
          />
        ) : (
          <div>
            <button type="button" className="button-secondary" id={`${key}-add`} onClick={() => setEditing("new")}>
              Add data<span className="visually-hidden"> to {outcome.name}</span>
            </button>
          </div>
        )
      ) : null}
    </section>
  );
}

/** Changing which direction is better recodes the outcome's effect sizes (once, by the server). */
function DirectionForm({ outcome, onDone }: { outcome: OutcomeWithData; onDone: (m: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const { id } = useProject();
  const change = async (higherIsBetter: boolean) => {
    try {
      await call(outcomeRoutes.editOutcome, { params: { id, studyId: outcome.studyId, outcomeId: outcome.id }, body: { higherIsBetter } });
      setError(null);
      onDone(`${outcome.name}: ${higherIsBetter ? "higher is better" : "higher is worse; its effect sizes are recoded"}.`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const name = `direction-${outcome.id}`;
  return (
    <fieldset className="row direction">
      <legend>Direction of {outcome.name}</legend>
      <label className="inline">
        <input type="radio" name={name} checked={outcome.higherIsBetter === true} onChange={() => void change(true)} /> Higher is better
      </label>
      <label className="inline">
        <input type="radio" name={name} checked={outcome.higherIsBetter === false} onChange={() => void change(false)} /> Higher is worse
      </label>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** Adds an outcome (name, domain from the protocol, measure and direction), or changes one's name, domain and measure. */
function OutcomeForm({ answer, editing, onDone, onCancel }: { answer: StudyOutcomesAnswer; editing?: OutcomeWithData; onDone: (m: string) => void; onCancel?: () => void }) {
  const { id } = useProject();
  const [name, setName] = useState(editing?.name ?? "");
  const [domain, setDomain] = useState(editing?.domain ?? "");
  const [measure, setMeasure] = useState(editing?.measure ?? "");
  const [direction, setDirection] = useState<"" | "better" | "worse">("");
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (editing) first.current?.focus();
  }, [editing]);
  const p = editing ? `outcome-${editing.id}-form` : "outcome";
  const headingId = `${p}-heading`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError("Give the outcome's name.");
    if (!editing && !direction) return setError("Say whether higher is better or worse.");
    try {
      if (editing) {
        await call(outcomeRoutes.editOutcome, {
          params: { id, studyId: answer.study.id, outcomeId: editing.id },
          body: { name: name.trim(), domain: domain || null, measure: measure.trim() || null },
        });
        onDone(`Outcome "${name.trim()}" saved.`);
        return;
      }
      await call(outcomeRoutes.addOutcome, {
        params: { id, studyId: answer.study.id },
        body: { name: name.trim(), domain: domain || null, measure: measure.trim() || null, higherIsBetter: direction === "better" },
      });
      setName("");
      setMeasure("");
      setDomain("");
      setDirection("");
      setError(null);
      onDone(`Outcome "${name.trim()}" added.`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <form className="stack outcome-form" onSubmit={submit} aria-labelledby={headingId}>
      {editing ? <h4 id={headingId}>Edit {editing.name}</h4> : <h3 id={headingId}>Add an outcome</h3>}
      <div className="row">
        <div className="field">
          <label htmlFor={`${p}-name`}>Outcome name</label>
          <input id={`${p}-name`} ref={first} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${p}-domain`}>Outcome domain</label>
          <select id={`${p}-domain`} value={domain} onChange={(e) => setDomain(e.target.value)}>
            <option value="">(none)</option>
            {answer.domains.map((x) => (
              <option key={x.code} value={x.code}>
                {x.label || x.code}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${p}-measure`}>Measure or instrument</label>
          <input id={`${p}-measure`} value={measure} onChange={(e) => setMeasure(e.target.value)} />
        </div>
        {editing ? null : (
          <div className="field">
            <label htmlFor={`${p}-direction`}>Direction</label>
            <select id={`${p}-direction`} value={direction} onChange={(e) => setDirection(e.target.value as "" | "better" | "worse")}>
              <option value="">Choose…</option>
              <option value="better">Higher is better</option>
              <option value="worse">Higher is worse</option>
            </select>
          </div>
        )}
      </div>
      <div className="row">
        <button type="submit">{editing ? "Save outcome" : "Add outcome"}</button>
        {onCancel ? (
          <button type="button" className="button-secondary" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}

/** The data of one comparison, with the fields of the kind chosen. */
function DataForm({ answer, outcome, editing, onCancel, onDone }: { answer: StudyOutcomesAnswer; outcome: OutcomeWithData; editing: EffectSize | null; onCancel: () => void; onDone: (m: string) => void }) {
  const { id } = useProject();
  const arms = answer.study.arms.filter((a) => a.id);
  const start = editing ? (editing.inputs as { kind: OutcomeDataKind }).kind : "means";
  const [kind, setKind] = useState<OutcomeDataKind>(start);
  const [raw, setRaw] = useState<Raw>(() => (editing ? rawOfInputs(editing.inputs) : {}));
  const [arm1, setArm1] = useState(editing?.armIds?.[0] ?? arms[0]?.id ?? "");
  const [arm2, setArm2] = useState(editing?.armIds?.[1] ?? arms[1]?.id ?? "");
  const [timePoint, setTimePoint] = useState(editing?.timePointId ?? answer.study.timePoints[0]?.id ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);
  const p = `data-${outcome.id}`;
  const heading = `${editing ? "Edit data" : "Add data"} of ${outcome.name}`;

  if (arms.length < 2) {
    return (
      <p className="alert">
        Add two arms to the study (above) before entering its data.{" "}
        <button type="button" className="button-link" onClick={onCancel}>
          Close
        </button>
      </p>
    );
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const built = fieldsOf(kind, raw);
    if ("error" in built) return setError(built.error);
    setBusy(true);
    try {
      const body = { armIds: [arm1, arm2] as [string, string], timePointId: timePoint || null, inputs: built.inputs };
      const saved = editing
        ? await call(outcomeRoutes.editData, { params: { id, studyId: answer.study.id, outcomeId: outcome.id, dataId: editing.id }, body })
        : await call(outcomeRoutes.addData, { params: { id, studyId: answer.study.id, outcomeId: outcome.id }, body });
      onDone(`${outcome.name}: ${saved.measure} ${num(saved.yi)} (SE ${num(Math.sqrt(saved.vi ?? 0))}). ${saved.provenance ?? ""}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form className="stack data-form" onSubmit={submit} aria-label={heading}>
      <h4>{heading}</h4>
      <div className="row">
        <div className="field">
          <label htmlFor={`${p}-arm1`}>Group 1 (intervention)</label>
          <select id={`${p}-arm1`} ref={first} value={arm1} onChange={(e) => setArm1(e.target.value)}>
            {arms.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${p}-arm2`}>Group 2 (comparison)</label>
          <select id={`${p}-arm2`} value={arm2} onChange={(e) => setArm2(e.target.value)}>
            {arms.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${p}-time`}>Time point</label>
          <select id={`${p}-time`} value={timePoint} onChange={(e) => setTimePoint(e.target.value)}>
            <option value="">(not given)</option>
            {answer.study.timePoints.map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${p}-kind`}>Reported as</label>
          <select id={`${p}-kind`} value={kind} onChange={(e) => setKind(e.target.value as OutcomeDataKind)}>
            {(Object.keys(OUTCOME_DATA_KINDS) as OutcomeDataKind[]).map((k) => (
              <option key={k} value={k}>
                {OUTCOME_DATA_KINDS[k]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="stack">
        <legend>{OUTCOME_DATA_KINDS[kind]}</legend>
        <div className="row data-fields">
          {FIELDS[kind].map((f) => (
            <div className="field" key={f.key}>
              <label htmlFor={`${p}-${f.key}`}>
                {f.label}
                {f.optional ? <span className="muted"> (optional)</span> : null}
              </label>
              {f.choices ? (
                <select id={`${p}-${f.key}`} value={raw[f.key] ?? ""} onChange={(e) => setRaw((r) => ({ ...r, [f.key]: e.target.value }))}>
                  <option value="">Choose…</option>
                  {f.choices.map(([v, l]) => (
                    <option key={v} value={v}>
                      {l}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={`${p}-${f.key}`}
                  inputMode="decimal"
                  className="input-narrow"
                  value={raw[f.key] ?? ""}
                  aria-describedby={f.hint ? `${p}-${f.key}-hint` : undefined}
                  onChange={(e) => setRaw((r) => ({ ...r, [f.key]: e.target.value }))}
                />
              )}
              {f.hint ? (
                <span className="hint" id={`${p}-${f.key}-hint`}>
                  {f.hint}
                </span>
              ) : null}
            </div>
          ))}
        </div>
      </fieldset>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" disabled={busy}>
          Save data and compute the effect size
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
