import { useEffect, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import type { AnalysisAnswer } from "@homeward/api";
import type { AnalysisCell as Cell } from "@homeward/review";
import { analysisApi } from "./analysisApi";
import {
  ALL_MEASURES, buildSpec, DIAGNOSTICS, distinctValues, FIGURES, guessLabelColumn, initialForm, measureCounts, METHOD_LABELS, MV_METHODS, parseCsv,
  pooledMeasure, RISK_OF_BIAS_COLUMN, rowsOfMeasure, UNI_METHODS, type FormState, type ModeratorState, type Table,
} from "./model";
import { Results } from "./Results";
import { RiskOfBiasSensitivity } from "./RiskOfBiasSensitivity";
import { SavedAnalyses } from "./SavedAnalyses";
import "./analysis.css";

function ColumnSelect({ id, label, value, columns, onChange, none, hint }: {
  id: string;
  label: string;
  value: string;
  columns: string[];
  onChange: (v: string) => void;
  none?: string;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint ? <span className="hint" id={`${id}-hint`}>{hint}</span> : null}
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? `${id}-hint` : undefined}>
        {none !== undefined ? <option value="">{none}</option> : null}
        {value !== "" && !columns.includes(value) ? <option value={value}>{value} (not in the data)</option> : null}
        {columns.map((c) => (
          <option key={c} value={c}>{c}</option>
        ))}
      </select>
    </div>
  );
}

function Checks({ legend, items, selected, onChange, name }: {
  legend: string;
  items: readonly (readonly [string, string])[];
  selected: string[];
  onChange: (v: string[]) => void;
  name: string;
}) {
  return (
    <fieldset className="field analysis-checks">
      <legend>{legend}</legend>
      {items.map(([value, label]) => (
        <label key={value}>
          <input
            type="checkbox"
            name={name}
            value={value}
            checked={selected.includes(value)}
            onChange={(e) => onChange(e.target.checked ? [...selected, value] : selected.filter((s) => s !== value))}
          />{" "}
          {label}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * Meta-analysis of the project's effect sizes (or of pasted/uploaded CSV):
 * the model is described by the same spec as `homeward meta`, fitted on the
 * server, and shown as accessible tables and figures.
 */
export function AnalysisPage() {
  const { id } = useProject();
  const [form, setForm] = useState<FormState>(initialForm);
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => setForm((f) => ({ ...f, [key]: value }));
  const project = useApi((s) => analysisApi.data(id, s), [id]);
  const [result, setResult] = useState<{ answer: AnalysisAnswer; spec: Record<string, unknown>; labels?: string[]; riskOfBias?: boolean } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nextKey = useRef(1);
  const resultsRef = useRef<HTMLDivElement>(null);

  const csv = useMemo((): { table: Table | null; error: string | null } => {
    if (form.source !== "csv") return { table: null, error: null };
    try {
      return { table: parseCsv(form.csvText), error: null };
    } catch (err) {
      return { table: null, error: (err as Error).message };
    }
  }, [form.source, form.csvText]);

  const data: { columns: string[]; rows: Record<string, Cell>[] } =
    form.source === "project" ? { columns: project.data?.columns ?? [], rows: project.data?.rows ?? [] } : (csv.table ?? { columns: [], rows: [] });
  const measures = form.source === "project" ? (project.data?.measures ?? []) : measureCounts(data.rows);
  const measure = pooledMeasure(form, measures);
  // The rows the server will fit: moderator levels and row labels come from these alone.
  const rows = rowsOfMeasure(data.rows, measure);
  const multilevel = form.outer !== "";
  const methods = multilevel ? MV_METHODS : UNI_METHODS;

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) set("csvText", await file.text());
  };

  const setModerator = (key: number, patch: Partial<ModeratorState>) =>
    setForm((f) => ({
      ...f,
      moderators: f.moderators.map((m) => {
        if (m.key !== key) return m;
        const next = { ...m, ...patch };
        // A newly categorical moderator starts with its values as levels (first = reference).
        if ((patch.categorical && !m.categorical) || (patch.column !== undefined && next.categorical)) {
          next.levels = distinctValues(rows, next.column).join(", ");
        }
        return next;
      }),
    }));

  // New results take focus, so keyboard and screen reader users land on them.
  useEffect(() => {
    if (result) resultsRef.current?.querySelector<HTMLElement>("h2")?.focus();
  }, [result]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (csv.error) return;
    const spec = buildSpec({ ...form, method: (methods as readonly string[]).includes(form.method) ? form.method : "REML" }, csv.table?.rows ?? null, data.columns, measure);
    setBusy(true);
    setError(null);
    try {
      const answer = await analysisApi.analyse(id, spec);
      const labelColumn = form.label || guessLabelColumn(data.columns);
      const labels = labelColumn ? rows.map((r) => String(r[labelColumn] ?? "")) : undefined;
      setResult({ answer, spec, labels, riskOfBias: data.columns.includes(RISK_OF_BIAS_COLUMN) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // A saved analysis shown as if just fitted: its spec refitted to today's data, with its figures.
  const showSaved = async (spec: Record<string, unknown>) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await analysisApi.analyse(id, spec);
      const all = project.data?.rows ?? [];
      const labelColumn = guessLabelColumn(project.data?.columns ?? []);
      const fitted = rowsOfMeasure(all, typeof spec.measure === "string" ? spec.measure : undefined);
      const labels = labelColumn && !Array.isArray(spec.data) ? fitted.map((r) => String(r[labelColumn] ?? "")) : undefined;
      setResult({ answer, spec, labels, riskOfBias: (project.data?.columns ?? []).includes(RISK_OF_BIAS_COLUMN) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>Meta-analysis</PageTitle>
      <p className="muted">
        Random-effects and multilevel models, meta-regression, cluster-robust inference and sensitivity analyses, computed as R's metafor and
        clubSandwich do. The same model can be fitted from the command line with <code>homeward meta</code>.
      </p>
      <form className="stack-lg analysis-form" onSubmit={submit} noValidate>
        <fieldset className="stack">
          <legend>Data</legend>
          <div className="analysis-checks" role="radiogroup" aria-label="Data source">
            <label>
              <input type="radio" name="source" checked={form.source === "project"} onChange={() => setForm((f) => ({ ...f, source: "project", yi: "yi", vi: "vi" }))} />{" "}
              This project's effect sizes
            </label>
            <label>
              <input type="radio" name="source" checked={form.source === "csv"} onChange={() => set("source", "csv")} /> Pasted or uploaded CSV
            </label>
          </div>
          {form.source === "project" ? (
            <>
              <ErrorMessage error={project.error} />
              {project.loading && !project.data ? <Loading what="effect sizes" /> : null}
              {project.data ? (
                <p className="hint">
                  {project.data.rows.length} effect sizes with yi and vi
                  {project.data.skipped.length ? ` (${project.data.skipped.length} without, left out)` : ""}; columns include study, outcome, design, the
                  outcome's domain, time point and arms, the studies' and outcomes' attributes, and the codebook's values (consensus, else the extraction).
                </p>
              ) : null}
            </>
          ) : (
            <>
              <div className="field">
                <label htmlFor="csv-text">CSV data (header row first)</label>
                <span className="hint" id="csv-text-hint">One row per outcome; comma, semicolon or tab separated.</span>
                <textarea
                  id="csv-text"
                  rows={8}
                  value={form.csvText}
                  onChange={(e) => set("csvText", e.target.value)}
                  aria-describedby={`csv-text-hint${csv.error ? " csv-text-error" : ""}`}
                  aria-invalid={csv.error ? true : undefined}
                  spellCheck={false}
                />
                {csv.error ? <span className="field-error" id="csv-text-error">{csv.error}</span> : null}
              </div>
              <div className="field">
                <label htmlFor="csv-file">Or upload a CSV file</label>
                <input id="csv-file" type="file" accept=".csv,.tsv,.txt,text/csv" onChange={onFile} />
              </div>
              {csv.table && csv.table.rows.length ? <p className="hint">{csv.table.rows.length} rows; columns: {csv.table.columns.join(", ")}.</p> : null}
            </>
          )}
          {measures.length > 0 ? (
            <div className="field">
              <label htmlFor="pool-measure">Effect measure to pool</label>
              <span className="hint" id="pool-measure-hint">
                One measure per model: effect sizes of other measures are left out
                {measures.length > 1 ? ` (${measures.length} measures in the data)` : ""}.
              </span>
              <select id="pool-measure" value={measure ?? ALL_MEASURES} onChange={(e) => set("poolMeasure", e.target.value)} aria-describedby="pool-measure-hint">
                {measures.map((m) => (
                  <option key={m.measure} value={m.measure}>
                    {m.measure} ({m.rows} {m.rows === 1 ? "effect size" : "effect sizes"})
                  </option>
                ))}
                <option value={ALL_MEASURES}>All measures together (refused when they differ)</option>
              </select>
            </div>
          ) : null}
          <div className="analysis-grid">
            <ColumnSelect id="col-yi" label="Effect size column (yi)" value={form.yi} columns={data.columns} onChange={(v) => set("yi", v)} />
            <ColumnSelect id="col-vi" label="Sampling variance column (vi)" value={form.vi} columns={data.columns} onChange={(v) => set("vi", v)} />
            <div className="field">
              <label htmlFor="measure">Effect measure (axis title)</label>
              <input id="measure" value={form.measure} placeholder="e.g. Log risk ratio" onChange={(e) => set("measure", e.target.value)} />
            </div>
            <ColumnSelect id="label" label="Row labels" value={form.label} columns={data.columns} none="Automatic" onChange={(v) => set("label", v)}
              hint="Names of the rows in tables and the forest plot" />
          </div>
        </fieldset>

        <fieldset className="stack">
          <legend>Model</legend>
          <div className="analysis-grid">
            <div className="field">
              <label htmlFor="method">Estimator</label>
              <select id="method" value={(methods as readonly string[]).includes(form.method) ? form.method : "REML"} onChange={(e) => set("method", e.target.value)}>
                {methods.map((m) => (
                  <option key={m} value={m}>{METHOD_LABELS[m]}</option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="test">Test</label>
              <select id="test" value={form.test} onChange={(e) => set("test", e.target.value as "z" | "t")}>
                <option value="z">z tests</option>
                <option value="t">t tests (Knapp–Hartung)</option>
              </select>
            </div>
            <ColumnSelect id="outer" label="Random effect: studies" value={form.outer} columns={data.columns} none="None (univariate model)" onChange={(v) => set("outer", v)}
              hint="Grouping column for a multilevel model" />
            <ColumnSelect id="inner" label="Random effect: outcomes within studies" value={form.inner} columns={data.columns} none="None" onChange={(v) => set("inner", v)} />
            <ColumnSelect id="cluster" label="Robust inference: cluster" value={form.cluster} columns={data.columns} none="None" onChange={(v) => set("cluster", v)}
              hint="CR2 with Satterthwaite df" />
          </div>
          <fieldset className="stack">
            <legend>Moderators</legend>
            {form.moderators.length === 0 ? <p className="hint">None: the model estimates the average effect.</p> : null}
            <ul className="stack analysis-moderators">
              {form.moderators.map((m, j) => (
                <li key={m.key} className="analysis-grid">
                  <ColumnSelect id={`mod-${m.key}`} label={`Moderator ${j + 1}`} value={m.column} columns={data.columns} none="Choose a column" onChange={(v) => setModerator(m.key, { column: v })} />
                  <label className="inline-check">
                    <input type="checkbox" checked={m.categorical} onChange={(e) => setModerator(m.key, { categorical: e.target.checked })} /> Categorical
                  </label>
                  {m.categorical ? (
                    <div className="field">
                      <label htmlFor={`levels-${m.key}`}>Levels, reference first</label>
                      <input id={`levels-${m.key}`} value={m.levels} onChange={(e) => setModerator(m.key, { levels: e.target.value })} />
                    </div>
                  ) : null}
                  <button type="button" className="button-secondary" onClick={() => set("moderators", form.moderators.filter((x) => x.key !== m.key))}>
                    Remove moderator {j + 1}
                  </button>
                </li>
              ))}
            </ul>
            <p className="row">
              <button type="button" className="button-secondary" onClick={() => set("moderators", [...form.moderators, { key: nextKey.current++, column: "", categorical: false, levels: "" }])}>
                Add moderator
              </button>
              <label className="inline-check">
                <input type="checkbox" checked={form.intercept} onChange={(e) => set("intercept", e.target.checked)} /> Intercept
              </label>
            </p>
          </fieldset>
        </fieldset>

        <div className="analysis-grid analysis-options">
          <div className="stack">
            <Checks legend="Diagnostics" name="diagnostics" items={DIAGNOSTICS} selected={form.diagnostics} onChange={(v) => set("diagnostics", v)} />
            {form.diagnostics.includes("subgroups") ? (
              <ColumnSelect id="subgroup" label="Subgroup column" value={form.subgroup} columns={data.columns} none="Choose a column" onChange={(v) => set("subgroup", v)} />
            ) : null}
          </div>
          <div className="stack">
            <Checks legend="Figures" name="figures" items={FIGURES} selected={form.figures} onChange={(v) => set("figures", v)} />
            {form.figures.includes("funnel") ? (
              <fieldset className="field analysis-checks">
                <legend>Funnel plot options</legend>
                <label>
                  <input type="checkbox" checked={form.contour} onChange={(e) => set("contour", e.target.checked)} /> Contour-enhanced
                </label>
                <label>
                  <input type="checkbox" checked={form.trimfill} onChange={(e) => set("trimfill", e.target.checked)} /> Show trim-and-fill imputations
                </label>
              </fieldset>
            ) : null}
            {form.figures.includes("forest") && data.columns.includes(RISK_OF_BIAS_COLUMN) ? (
              <label className="inline-check">
                <input type="checkbox" checked={form.riskOfBiasColumn} onChange={(e) => set("riskOfBiasColumn", e.target.checked)} /> Show each study's risk of bias beside the forest plot
              </label>
            ) : null}
          </div>
        </div>
        <p className="row">
          <button type="submit" disabled={busy}>{busy ? "Fitting…" : "Fit model"}</button>
        </p>
        {busy ? <LiveStatus>Fitting the model…</LiveStatus> : null}
        <ErrorMessage error={error} />
      </form>
      <div ref={resultsRef}>
        {result ? (
          <>
            <LiveStatus>
              Model fitted to {result.answer.k} outcomes{result.answer.measure ? ` (${result.answer.measure.measure})` : ""}
              {result.answer.warnings?.length ? `, with ${result.answer.warnings.length} ${result.answer.warnings.length === 1 ? "warning" : "warnings"}` : ""}.
            </LiveStatus>
            <Results answer={result.answer} spec={result.spec} projectId={id} studyLabels={result.labels} />
            {result.riskOfBias ? <RiskOfBiasSensitivity projectId={id} spec={result.spec} /> : null}
          </>
        ) : null}
      </div>
      <SavedAnalyses projectId={id} spec={result?.spec ?? null} onShow={showSaved} />
    </>
  );
}
