import { useState, type FormEvent } from "react";
import type { ExclusionReason } from "@homeward/model";
import { errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatCount, formatDateTime, plural } from "../../format";
import { useApi, useDebounced } from "../../hooks";
import { useProject } from "../../project";
import { screeningApi, stageLabel, useActingUser, VERDICT_LABEL, type AgreementFigures, type QaSampleView, type Stage, type StoppingAnswer, type Verdict } from "./screeningApi";
import { formatPercent, formatStat, reasonLabel, ScreeningNav, StageSelect, useStageParam, useStageProtocol } from "./shared";

/** Reviewer agreement, the advisory stopping estimate and QA samples for one stage. */
export function AgreementPage() {
  const [stage, setStage] = useStageParam();
  return (
    <>
      <PageTitle>Screening agreement and QA</PageTitle>
      <ScreeningNav />
      <StageSelect stage={stage} onChange={setStage} />
      <AgreementSection stage={stage} />
      <StoppingSection stage={stage} />
      <QaSection stage={stage} />
    </>
  );
}

function kappaText(a: AgreementFigures): string {
  if (a.kappa == null) return "not defined";
  const lvl = Math.round(a.level * 100);
  return `${formatStat(a.kappa)} (${lvl}% CI ${formatStat(a.kappaCi[0])} to ${formatStat(a.kappaCi[1])})`;
}

function AgreementSection({ stage }: { stage: Stage }) {
  const { id } = useProject();
  const ag = useApi((s) => screeningApi.agreement(id, stage, s), [id, stage]);
  const rows = ag.data ? [...ag.data.byPair.map((p) => ({ who: `${p.reviewers[0]} and ${p.reviewers[1]}`, a: p as AgreementFigures }))] : [];
  if (ag.data?.overall && ag.data.byPair.length > 1) rows.push({ who: "All pairs", a: ag.data.overall });
  return (
    <section aria-labelledby="agreement-heading" className="stack">
      <h2 id="agreement-heading">Agreement between reviewers</h2>
      <p className="small muted">
        Over the records both reviewers of a pair screened at this stage (a duplicate group once, by its primary record), each reviewer's latest
        decision, in three categories (include, maybe, exclude). Cohen's κ (Cohen 1960) with the Fleiss, Cohen and Everitt (1969) standard error
        and a Wald interval kept within κ's range of −1 to 1; Gwet's AC1 (Gwet 2008)
        stays close to the percentage agreement when nearly everything is excluded, where κ can be low despite high agreement.
      </p>
      <ErrorMessage error={ag.error} />
      {ag.loading && !ag.data ? <Loading what="agreement" /> : null}
      {ag.data && rows.length === 0 ? <p className="empty">No record has been screened by two reviewers at this stage yet.</p> : null}
      {rows.length ? (
        <div className="table-wrap">
          <table className="data-table agreement-table">
            <caption>{stageLabel(stage)}: agreement by reviewer pair</caption>
            <thead>
              <tr>
                <th scope="col">Reviewers</th>
                <th scope="col" className="num">
                  Records
                </th>
                <th scope="col" className="num">
                  Agreement
                </th>
                <th scope="col" className="num">
                  Cohen's κ
                </th>
                <th scope="col" className="num">
                  Gwet's AC1
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ who, a }) => (
                <tr key={who}>
                  <th scope="row">{who}</th>
                  <td className="num" data-label="Records">
                    {formatCount(a.n)}
                  </td>
                  <td className="num" data-label="Agreement">
                    {formatPercent(a.percent)}
                  </td>
                  <td className="num" data-label="Cohen's κ" data-kappa={a.kappa ?? ""}>
                    {kappaText(a)}
                  </td>
                  <td className="num" data-label="Gwet's AC1">
                    {formatStat(a.ac1)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function StoppingSection({ stage }: { stage: Stage }) {
  const { id } = useProject();
  const [recall, setRecall] = useState("95");
  const [confidence, setConfidence] = useState("95");
  const r = Number(recall) / 100;
  const c = Number(confidence) / 100;
  const valid = r > 0 && r < 1 && c > 0 && c < 1;
  // Debounced as a string: typing "99.5" asks once, not for 9, 99, 99. and 99.5.
  const [dr, dc] = useDebounced(valid ? `${r}|${c}` : "", 300).split("|").map(Number);
  const est = useApi((s) => (dr && dc ? screeningApi.stopping(id, stage, dr, dc, s) : Promise.resolve(null)), [id, stage, dr, dc]);
  const e = est.data;
  return (
    <section aria-labelledby="stopping-heading" className="card stack">
      <h2 id="stopping-heading">
        Stopping estimate <span className="badge badge-recorded">Advisory</span>
      </h2>
      <p className="small muted">
        A guide for the team, never a rule: screening is not stopped. Following Callaghan and Müller-Hansen (2020), the most recently screened
        records are treated as a random sample of what was left, and a hypergeometric test asks whether fewer relevant records than the recall
        target allows could still be unscreened.
      </p>
      <div className="row">
        <div className="field narrow-field">
          <label htmlFor="stop-recall">Recall target (%)</label>
          <input id="stop-recall" type="number" min={1} max={99.9} step="any" value={recall} onChange={(ev) => setRecall(ev.target.value)} aria-invalid={r > 0 && r < 1 ? undefined : true} aria-describedby={valid ? undefined : "stop-error"} />
        </div>
        <div className="field narrow-field">
          <label htmlFor="stop-confidence">Confidence (%)</label>
          <input id="stop-confidence" type="number" min={1} max={99.9} step="any" value={confidence} onChange={(ev) => setConfidence(ev.target.value)} aria-invalid={c > 0 && c < 1 ? undefined : true} aria-describedby={valid ? undefined : "stop-error"} />
        </div>
      </div>
      {!valid ? (
        <p id="stop-error" className="field-error">
          Both figures must be between 0 and 100 (exclusive).
        </p>
      ) : null}
      <ErrorMessage error={est.error} />
      {e ? (
        <>
          <LiveStatus className="stopping-verdict">{stoppingVerdict(e)}</LiveStatus>
          <p className="small">
            {formatCount(e.screened)} of {formatCount(e.total)} settled; {plural(e.relevantFound, "record")} sent on so far
            {e.state === "estimate" && e.sampleSize !== null ? `; the test used the last ${plural(e.sampleSize, "decision")}` : ""}.
          </p>
          <details>
            <summary>Assumptions</summary>
            <ul>
              {e.assumptions.map((a) => (
                <li key={a}>{a}</li>
              ))}
            </ul>
          </details>
        </>
      ) : null}
    </section>
  );
}

function stoppingVerdict(e: StoppingAnswer): string {
  switch (e.state) {
    case "complete":
      return "Every record at this stage has a decision: recall is known, so there is nothing to estimate.";
    case "insufficient":
      return `Not enough decisions yet for an estimate: ${e.insufficient ?? "it needs more settled records"}.`;
    case "estimate": {
      const p = (e.p ?? 1).toPrecision(3);
      return e.targetLikelyReached
        ? `The ${formatPercent(e.recallTarget, 0)} recall target has likely been reached (p = ${p}, below ${formatPercent(1 - e.confidence, 0)}).`
        : `Not yet: the data do not show, at ${formatPercent(e.confidence, 0)} confidence, that ${formatPercent(e.recallTarget, 0)} of relevant records have been found (p = ${p}).`;
    }
  }
}

function QaSection({ stage }: { stage: Stage }) {
  const { id } = useProject();
  const user = useActingUser();
  const { reasons } = useStageProtocol(stage);
  const samples = useApi((s) => screeningApi.qaSamples(id, stage, s), [id, stage, user]);
  const [fraction, setFraction] = useState("10");
  const [seed, setSeed] = useState(() => String(1 + Math.floor(Math.random() * 1_000_000)));
  const [checker, setChecker] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState("");
  const [drawing, setDrawing] = useState(false);

  const draw = async (e: FormEvent) => {
    e.preventDefault();
    const f = Number(fraction) / 100;
    const s = Number(seed);
    if (!(f > 0 && f <= 1) || !Number.isInteger(s)) {
      setError(new Error("The share must be between 0 and 100% and the seed a whole number."));
      return;
    }
    setDrawing(true);
    setError(null);
    try {
      await screeningApi.drawQaSample(id, stage, { fraction: f, seed: s, checker: checker.trim() || undefined });
      setMessage(`Sample drawn with seed ${s}.`);
      samples.reload();
    } catch (err) {
      setError(new Error(errorMessage(err)));
    } finally {
      setDrawing(false);
    }
  };

  return (
    <section aria-labelledby="qa-heading" className="stack">
      <h2 id="qa-heading">Quality assurance samples</h2>
      <p className="small muted">
        A random share of the single-screened excludes, re-checked by a senior reviewer. The same seed always draws the same sample, so the draw can
        be reproduced. A re-check that disagrees becomes a conflict to reconcile.
      </p>
      <form className="card stack" onSubmit={draw}>
        <h3>Draw a sample</h3>
        <div className="row">
          <div className="field narrow-field">
            <label htmlFor="qa-fraction">Share of excludes (%)</label>
            <input id="qa-fraction" type="number" min={1} max={100} step="any" value={fraction} onChange={(e) => setFraction(e.target.value)} />
          </div>
          <div className="field narrow-field">
            <label htmlFor="qa-seed">Seed</label>
            <input id="qa-seed" type="number" step={1} value={seed} onChange={(e) => setSeed(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="qa-checker">Senior reviewer</label>
            <input id="qa-checker" value={checker} onChange={(e) => setChecker(e.target.value)} aria-describedby="qa-checker-hint" />
            <span id="qa-checker-hint" className="hint">
              Optional; when named, only their re-checks count.
            </span>
          </div>
        </div>
        <div className="row">
          <button type="submit" disabled={drawing}>
            Draw sample
          </button>
        </div>
        <ErrorMessage error={error} />
        <LiveStatus>{message}</LiveStatus>
      </form>
      <ErrorMessage error={samples.error} />
      {samples.data && samples.data.length === 0 ? <p className="empty">No QA sample at this stage yet.</p> : null}
      {(samples.data ?? []).map((s) => (
        <QaSampleCard key={s.id} sample={s} stage={stage} user={user} reasons={reasons} onChecked={samples.reload} />
      ))}
    </section>
  );
}

function QaSampleCard({
  sample,
  stage,
  user,
  reasons,
  onChecked,
}: {
  sample: QaSampleView;
  stage: Stage;
  user: string;
  reasons: ExclusionReason[];
  onChecked: () => void;
}) {
  const { id } = useProject();
  const [error, setError] = useState<unknown>(null);
  const [reasonFor, setReasonFor] = useState<Record<string, string>>({});
  const a = sample.agreement;
  const mayCheck = (original: string | undefined) => (sample.checker ? sample.checker === user : original !== user);

  const check = async (recordId: string, verdict: Verdict) => {
    setError(null);
    const reason = reasonFor[recordId];
    if (verdict === "exclude" && stage === "full_text" && !reason) {
      setError(new Error("Choose the exclusion reason first: a full-text exclusion needs one."));
      return;
    }
    try {
      await screeningApi.decide(id, stage, { recordId, decision: verdict, reasons: verdict === "exclude" && reason ? [reason] : [], labels: ["qa-check"] });
      onChecked();
    } catch (err) {
      setError(new Error(errorMessage(err)));
    }
  };

  return (
    <section className="card stack" aria-labelledby={`qa-${sample.id}`}>
      <h3 id={`qa-${sample.id}`}>
        Sample of {plural(sample.recordIds.length, "record")} ({formatPercent(sample.fraction, 0)} of excludes, seed {sample.seed})
      </h3>
      <p className="small muted">
        Drawn by {sample.createdBy}, {formatDateTime(sample.createdAt)}; senior reviewer: {sample.checker ?? "anyone but the original reviewer"}.
      </p>
      <p>
        Re-checked {formatCount(sample.checked)} of {formatCount(sample.items.length)}
        {a ? `: agreement ${formatPercent(a.percent)}, Cohen's κ ${kappaText(a)}, Gwet's AC1 ${formatStat(a.ac1)}.` : "."}
      </p>
      <ErrorMessage error={error} />
      <div className="table-wrap">
        <table className="data-table">
          <caption className="visually-hidden">Sampled records</caption>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Abstract</th>
              <th scope="col">Original decision</th>
              <th scope="col">Re-check</th>
            </tr>
          </thead>
          <tbody>
            {sample.items.map((it) => (
              <tr key={it.recordId}>
                <th scope="row" className="record-title">
                  {it.title || "(untitled)"}
                </th>
                <td data-label="Abstract" className="qa-abstract">
                  {it.abstract ? <p className="abstract">{it.abstract}</p> : <span className="muted">No abstract.</span>}
                </td>
                <td data-label="Original decision">
                  {it.original ? `${VERDICT_LABEL[it.original.decision]} (${it.original.reviewer})` : "–"}
                  {it.original?.reasons.length ? <div className="small muted">{it.original.reasons.map((r) => reasonLabel(r, reasons)).join("; ")}</div> : null}
                </td>
                <td data-label="Re-check">
                  {it.check ? (
                    `${VERDICT_LABEL[it.check.decision]} (${it.check.reviewer})`
                  ) : mayCheck(it.original?.reviewer) ? (
                    <div className="row" role="group" aria-label={`Re-check “${it.title}”`}>
                      {(["include", "maybe"] as Verdict[]).map((v) => (
                        <button key={v} type="button" className="button-secondary" onClick={() => void check(it.recordId, v)}>
                          {VERDICT_LABEL[v]}
                        </button>
                      ))}
                      {stage === "full_text" ? (
                        <select
                          aria-label="Exclusion reason"
                          value={reasonFor[it.recordId] ?? ""}
                          onChange={(e) => setReasonFor((m) => ({ ...m, [it.recordId]: e.target.value }))}
                        >
                          <option value="">Reason…</option>
                          {reasons.map((r) => (
                            <option key={r.code} value={r.code}>
                              {r.label}
                            </option>
                          ))}
                        </select>
                      ) : null}
                      <button type="button" className="button-secondary" onClick={() => void check(it.recordId, "exclude")}>
                        Exclude
                      </button>
                    </div>
                  ) : (
                    <span className="muted">Waiting for {sample.checker ?? "a second reviewer"}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
