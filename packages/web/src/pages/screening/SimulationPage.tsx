import { useEffect, useState, type FormEvent } from "react";
import { screeningSimulationRoutes as r, type ScreeningModelsAnswer, type SimulationJob } from "@homeward/api";
import { call, errorMessage } from "../../api";
import { Field } from "../../components/Field";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatDateTime } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { LongDescription } from "../review/FigurePanel";
import { stageLabel, type Stage } from "./screeningApi";
import { formatPercent, ScreeningNav, StageSelect, useStageParam } from "./shared";

const POLL_MS = 700;

/**
 * Prioritisation models: which one ranks the stage's queue (an owner's
 * choice), and a simulation of one model, or two side by side, replayed on
 * the team's own settled decisions, with WSS@95 and the recall curve.
 */
export function SimulationPage() {
  const { id, role } = useProject();
  const [stage, setStage] = useStageParam();
  const overview = useApi((s) => call(r.screeningModels, { params: { id, stage } }, s), [id, stage]);
  return (
    <>
      <PageTitle>Prioritisation models</PageTitle>
      <ScreeningNav />
      <StageSelect stage={stage} onChange={setStage} />
      <ErrorMessage error={overview.error} />
      {overview.loading && !overview.data ? <Loading what="the models" /> : null}
      {overview.data ? (
        <>
          <ChosenModel projectId={id} stage={stage} data={overview.data} mayChange={role === undefined || role === "owner"} onSaved={overview.reload} />
          <Simulation projectId={id} stage={stage} data={overview.data} />
        </>
      ) : null}
    </>
  );
}

function modelLabel(data: ScreeningModelsAnswer, name: string): string {
  return data.models.find((m) => m.name === name)?.label ?? name;
}

function ChosenModel({ projectId, stage, data, mayChange, onSaved }: { projectId: string; stage: Stage; data: ScreeningModelsAnswer; mayChange: boolean; onSaved: () => void }) {
  const [model, setModel] = useState(data.current ?? "");
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");
  useEffect(() => setModel(data.current ?? ""), [data.current]);
  const chosen = data.models.find((m) => m.name === (model || data.default));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const a = await call(r.setScreeningModel, { params: { id: projectId, stage }, body: { model: model || null } });
      setSaved(`${stageLabel(stage)}: the queue is now ranked by ${modelLabel(a, a.current ?? a.default)}${a.current ? "" : " (the default)"}.`);
      onSaved();
    } catch (err) {
      setError(new Error(errorMessage(err)));
    }
  };
  return (
    <form className="card stack" onSubmit={save} aria-labelledby="chosen-heading">
      <h2 id="chosen-heading">Model that ranks the queue</h2>
      <Field id="queue-model" label={`Model for ${stageLabel(stage).toLowerCase()} screening`} hint={chosen?.summary}>
        <select id="queue-model" value={model} onChange={(e) => setModel(e.target.value)} disabled={!mayChange} aria-describedby={chosen ? "queue-model-hint" : undefined}>
          <option value="">Default: {modelLabel(data, data.default)}</option>
          {data.models.map((m) => (
            <option key={m.name} value={m.name}>
              {m.label}
            </option>
          ))}
        </select>
      </Field>
      {mayChange ? (
        <div className="row">
          <button type="submit">Save model</button>
        </div>
      ) : (
        <p className="muted">Only an owner of this project chooses the model.</p>
      )}
      <ErrorMessage error={error} />
      <LiveStatus>{saved}</LiveStatus>
    </form>
  );
}

function Simulation({ projectId, stage, data }: { projectId: string; stage: Stage; data: ScreeningModelsAnswer }) {
  const [first, setFirst] = useState(data.current ?? data.default);
  const [second, setSecond] = useState("");
  const [seed, setSeed] = useState("1");
  const [seedError, setSeedError] = useState("");
  const [job, setJob] = useState<SimulationJob | null>(data.job);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (data.job && (!job || data.job.startedAt > job.startedAt)) setJob(data.job);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data.job]);
  const running = job?.state === "running";
  useEffect(() => {
    if (!running || !job) return;
    let live = true;
    const t = setInterval(() => {
      call(r.getSimulation, { params: { id: projectId, stage, jobId: job.id } }).then(
        (j) => live && setJob(j),
        (e: unknown) => live && setError(e),
      );
    }, POLL_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [running, job?.id, projectId, stage]);

  const { relevant, irrelevant } = data.labelled;
  const enough = relevant >= data.minimum.relevant && irrelevant >= data.minimum.irrelevant;
  const start = async (e: FormEvent) => {
    e.preventDefault();
    const s = Number(seed);
    if (!Number.isInteger(s) || s < 0) {
      setSeedError("Enter a whole number, 0 or more.");
      document.getElementById("sim-seed")?.focus();
      return;
    }
    setSeedError("");
    setError(null);
    try {
      setJob(await call(r.startSimulation, { params: { id: projectId, stage }, body: { models: second ? [first, second] : [first], seed: s } }));
    } catch (err) {
      setError(new Error(errorMessage(err)));
    }
  };
  const p = job?.progress;
  const share = p && p.models > 0 ? (p.done + (p.records > 0 ? p.screened / p.records : 0)) / p.models : 0;

  return (
    <section className="card stack" aria-labelledby="sim-heading">
      <h2 id="sim-heading">Simulate on your decisions</h2>
      <p>
        Replays screening of the {(relevant + irrelevant).toLocaleString("en")} records your team has settled at this stage ({relevant.toLocaleString("en")} included
        {stage === "title_abstract" ? " or maybe" : ""}, {irrelevant.toLocaleString("en")} excluded) in the order a model would have served them, starting from one
        included and one excluded record, and shows how soon the included ones would have been found. Two models run from the same start.
      </p>
      {!enough ? (
        <p className="alert">
          A simulation needs at least {data.minimum.relevant} included and {data.minimum.irrelevant} excluded records; screen some more first.
        </p>
      ) : null}
      <form className="stack" onSubmit={start} noValidate>
        <Field id="sim-model" label="Model">
          <select id="sim-model" value={first} onChange={(e) => setFirst(e.target.value)}>
            {data.models.map((m) => (
              <option key={m.name} value={m.name}>
                {m.label}
              </option>
            ))}
          </select>
        </Field>
        <Field id="sim-compare" label="Compare with (optional)">
          <select id="sim-compare" value={second} onChange={(e) => setSecond(e.target.value)}>
            <option value="">No second model</option>
            {data.models
              .filter((m) => m.name !== first)
              .map((m) => (
                <option key={m.name} value={m.name}>
                  {m.label}
                </option>
              ))}
          </select>
        </Field>
        <Field id="sim-seed" label="Seed" hint="Chooses the two starting records; the same seed repeats the same simulation." error={seedError || undefined}>
          <input
            id="sim-seed"
            className="narrow"
            type="number"
            min={0}
            step={1}
            value={seed}
            onChange={(e) => setSeed(e.target.value)}
            aria-invalid={seedError ? true : undefined}
            aria-describedby={seedError ? "sim-seed-hint sim-seed-error" : "sim-seed-hint"}
          />
        </Field>
        <div className="row">
          <button type="submit" disabled={running || !enough}>
            {running ? "Simulating…" : "Run simulation"}
          </button>
        </div>
      </form>
      <ErrorMessage error={error ?? (job?.state === "failed" ? new Error(`The simulation failed: ${job.error}`) : null)} />
      {job && running ? (
        <div>
          <label htmlFor="sim-progress">
            Simulating {job.models.map((m) => modelLabel(data, m)).join(" and ")}
            {p && p.records > 0 ? `: ${p.screened.toLocaleString("en")} of ${p.records.toLocaleString("en")} records screened` : ""}
          </label>
          <progress id="sim-progress" max={1} value={share} />
        </div>
      ) : null}
      <LiveStatus>{job?.state === "done" ? `Simulation finished ${formatDateTime(job.finishedAt)}.` : running ? "Simulation running." : ""}</LiveStatus>
      {job?.state === "done" && job.result ? <SimulationResult job={job} /> : null}
    </section>
  );
}

function SimulationResult({ job }: { job: SimulationJob }) {
  const res = job.result!;
  return (
    <div className="stack">
      <div className="table-wrap">
      <table className="data-table">
        <caption>
          Simulation on {res.records.toLocaleString("en")} records ({res.relevant.toLocaleString("en")} included), seed {res.seed}, run by {job.startedBy}
        </caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">WSS@95</th>
            <th scope="col">Recall after 10% screened</th>
            <th scope="col">Records screened to find 95%</th>
            <th scope="col">Rankings made by</th>
          </tr>
        </thead>
        <tbody>
          {res.runs.map((run) => (
            <tr key={run.model}>
              <th scope="row">{run.label}</th>
              <td>{run.wss95.toFixed(3)}</td>
              <td>{formatPercent(run.recall10)}</td>
              <td>
                {run.n95.toLocaleString("en")} ({formatPercent(run.n95 / res.records)})
              </td>
              <td>
                {[...new Set(run.servedBy.map((s) => s.servedBy))].join("; ")} ({run.fits.toLocaleString("en")} rankings)
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
      {res.runs.some((r) => r.batched) ? (
        <p className="small">
          On more than 3,000 records, models that retrain after every decision were retrained after each included record and otherwise when 2% of decisions were new, so
          the simulation finishes in minutes rather than hours.
        </p>
      ) : null}
      <p className="small muted">
        WSS@95 (work saved over sampling at 95% recall, Cohen et al. 2006): the share of records the team would not have needed to screen to find 95% of the included ones,
        less the 5% screening in random order would also save. Higher is better.
      </p>
      {job.figure ? (
        <figure className="analysis-figure">
          {/* The SVG comes from the server's renderer: role="img" with its title and description inside. */}
          <div className="figure-scroll" dangerouslySetInnerHTML={{ __html: job.figure.svg }} />
          <figcaption>
            <strong>{job.figure.title}</strong>
          </figcaption>
          <details>
            <summary>Long description</summary>
            <LongDescription text={job.figure.description} />
          </details>
        </figure>
      ) : null}
    </div>
  );
}
