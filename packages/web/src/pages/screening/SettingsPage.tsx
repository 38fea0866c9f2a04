import { useEffect, useState, type FormEvent } from "react";
import { errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatDateTime } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { screeningApi, stageLabel, type Settings } from "./screeningApi";
import { ScreeningNav, StageSelect, useStageParam } from "./shared";

const MODES: { mode: Settings["mode"]; label: string; hint: string }[] = [
  { mode: "single", label: "Single screening", hint: "One reviewer decides each record." },
  { mode: "dual", label: "Dual screening", hint: "Two independent reviewers per record, blind to each other until both have decided; disagreements become conflicts." },
  {
    mode: "dual_then_single",
    label: "Dual, then single",
    hint: "The first share of records (in the order they are screened) by two reviewers, to measure agreement; the rest by one.",
  },
];

/** How a stage is screened: assignment mode, dual-screened share, the team's reviewers. */
export function SettingsPage() {
  const { id, role } = useProject();
  const mayChange = role === undefined || role === "owner";
  const [stage, setStage] = useStageParam();
  const current = useApi((s) => screeningApi.settings(id, stage, s), [id, stage]);
  const [mode, setMode] = useState<Settings["mode"]>("single");
  const [share, setShare] = useState("20");
  const [reviewers, setReviewers] = useState("");
  const [shareError, setShareError] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState("");

  useEffect(() => {
    const s = current.data;
    if (!s) return;
    setMode(s.mode);
    setShare(s.dualFraction == null ? "20" : String(Math.round(s.dualFraction * 1000) / 10));
    setReviewers(s.reviewers.join(", "));
  }, [current.data]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const f = Number(share) / 100;
    if (mode === "dual_then_single" && !(f > 0 && f <= 1)) {
      setShareError("Enter a share between 0 and 100%.");
      document.getElementById("dual-share")?.focus();
      return;
    }
    setShareError("");
    setError(null);
    try {
      const s = await screeningApi.saveSettings(id, stage, {
        mode,
        dualFraction: mode === "dual_then_single" ? f : null,
        reviewers: reviewers.split(",").map((r) => r.trim()).filter(Boolean),
      });
      setSaved(`${stageLabel(stage)}: ${MODES.find((m) => m.mode === s.mode)!.label.toLowerCase()} saved.`);
      current.reload();
    } catch (err) {
      setError(new Error(errorMessage(err)));
    }
  };

  return (
    <>
      <PageTitle>Screening set-up</PageTitle>
      <ScreeningNav />
      <StageSelect stage={stage} onChange={setStage} />
      <ErrorMessage error={current.error} />
      {current.loading && !current.data ? <Loading what="settings" /> : null}
      {/* The form waits for the stage's settings: filled in before they arrive, its choices would be overwritten by them. */}
      {current.data ? (
      <form className="card stack" onSubmit={save} noValidate>
        <fieldset className="stack">
          <legend>How are records at the {stageLabel(stage).toLowerCase()} stage screened?</legend>
          {MODES.map((m) => (
            <div key={m.mode}>
              <label className="check">
                <input type="radio" name="screening-mode" value={m.mode} checked={mode === m.mode} onChange={() => setMode(m.mode)} aria-describedby={`mode-${m.mode}-hint`} />
                {m.label}
              </label>
              <p id={`mode-${m.mode}-hint`} className="hint indent">
                {m.hint}
              </p>
            </div>
          ))}
        </fieldset>
        {mode === "dual_then_single" ? (
          <div className={`field narrow-field${shareError ? " field-invalid" : ""}`}>
            <label htmlFor="dual-share">Dual-screened share (%)</label>
            <input
              id="dual-share"
              type="number"
              min={1}
              max={100}
              step="any"
              value={share}
              onChange={(e) => setShare(e.target.value)}
              aria-invalid={shareError ? true : undefined}
              aria-describedby={shareError ? "dual-share-error" : undefined}
            />
            {shareError ? (
              <span id="dual-share-error" className="field-error">
                {shareError}
              </span>
            ) : null}
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="screening-reviewers">Reviewers</label>
          <input id="screening-reviewers" value={reviewers} onChange={(e) => setReviewers(e.target.value)} aria-describedby="screening-reviewers-hint" />
          <span id="screening-reviewers-hint" className="hint">
            Comma-separated user names, as on the project's Members page. Only they, and reviewers assigned records of this stage, are served
            records here; with neither, the project's owners, adjudicators and reviewers are.
          </span>
        </div>
        {mayChange ? (
          <div className="row">
            <button type="submit">Save set-up</button>
          </div>
        ) : (
          <p className="muted">Only an owner of this project changes how it is screened.</p>
        )}
        <ErrorMessage error={error} />
        <LiveStatus>{saved}</LiveStatus>
        {current.data?.updatedAt ? <p className="small muted">Last changed {formatDateTime(current.data.updatedAt)}.</p> : null}
      </form>
      ) : null}
    </>
  );
}
