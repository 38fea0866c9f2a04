import { useState, type ReactNode } from "react";
import { ErrorMessage } from "../../components/Status";
import { LongDescription } from "../review/FigurePanel";
import type { AnalysisAnswer, AnalysisFigureAnswer as FigureAnswer } from "@homeward/api";
import type { Coefficient, MetaWarning } from "@homeward/meta";
import { analysisApi } from "./analysisApi";
import { FIGURES, num, pValue } from "./model";

const TERM_LABELS: Record<string, string> = { intrcpt: "Intercept" };

/**
 * Warnings about the numbers just above: placed after the table or line
 * they qualify, and referenced from the flagged cells.
 */
function Warnings({ id, items }: { id: string; items: MetaWarning[] }) {
  if (items.length === 0) return null;
  return (
    <div className="analysis-warning" role="note" aria-label={items.length === 1 ? "Warning" : "Warnings"} id={id}>
      <ul>
        {items.map((w, i) => (
          <li key={i} data-code={w.code}>
            <strong>Warning:</strong> {w.message}.
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A flagged value: the marker is visual; the cell points to the warning for assistive technology. */
const Flag = () => <span className="warn-mark" aria-hidden="true"> ⚠</span>;

function CoefficientTable({ caption, rows, test, flagged, warningId }: {
  caption: string;
  rows: Coefficient[];
  test: "z" | "t";
  /** Terms whose df carry a warning (shown under the table, at `warningId`). */
  flagged?: Set<string>;
  warningId?: string;
}) {
  return (
    <div className="table-wrap">
      <table className="data-table analysis-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Term</th>
            <th scope="col" className="num">Estimate</th>
            <th scope="col" className="num">SE</th>
            <th scope="col" className="num">{test === "t" ? "t" : "z"}</th>
            {test === "t" ? <th scope="col" className="num">df</th> : null}
            <th scope="col" className="num">p</th>
            <th scope="col" className="num">CI lower</th>
            <th scope="col" className="num">CI upper</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const flag = flagged?.has(c.term) ?? false;
            return (
            <tr key={c.term} className={flag ? "flagged" : undefined}>
              <th scope="row">{TERM_LABELS[c.term] ?? c.term}</th>
              <td className="num" data-key="estimate">{num(c.estimate)}</td>
              <td className="num">{num(c.se)}</td>
              <td className="num">{num(c.statistic, 3)}</td>
              {test === "t" ? (
                <td className="num" data-key="df" aria-describedby={flag ? warningId : undefined}>
                  {num(c.df, 2)}
                  {flag ? <Flag /> : null}
                </td>
              ) : null}
              <td className="num">{pValue(c.p)}</td>
              <td className="num">{num(c.ciLower)}</td>
              <td className="num">{num(c.ciUpper)}</td>
            </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A two-column table of named statistics. */
function StatTable({ caption, rows }: { caption: string; rows: [ReactNode, string, string?][] }) {
  return (
    <div className="table-wrap">
      <table className="data-table analysis-table stat-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Statistic</th>
            <th scope="col" className="num">Value</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, value, key], i) => (
            <tr key={i}>
              <th scope="row">{label}</th>
              <td className="num" data-key={key}>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A table with one row per unit and numeric columns. */
function ArrayTable({ caption, unit, labels, columns, flags, note }: {
  caption: string;
  unit: string;
  labels: string[];
  columns: [string, number[], number?][];
  flags?: [string, (i: number) => boolean][];
  /** A text column (heading, cell per row; null for none), flagging the rows it fills. */
  note?: [string, (i: number) => string | null];
}) {
  return (
    <div className="table-wrap">
      <table className="data-table analysis-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{unit}</th>
            {columns.map(([name]) => (
              <th key={name} scope="col" className="num">{name}</th>
            ))}
            {flags?.map(([name]) => (
              <th key={name} scope="col">{name}</th>
            ))}
            {note ? <th scope="col">{note[0]}</th> : null}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, i) => (
            <tr key={i} className={flags?.some(([, f]) => f(i)) || note?.[1](i) ? "flagged" : undefined}>
              <th scope="row">{label}</th>
              {columns.map(([name, values, digits]) => (
                <td key={name} className="num">{num(values[i], digits)}</td>
              ))}
              {flags?.map(([name, f]) => (
                <td key={name}>{f(i) ? <strong>Yes</strong> : "No"}</td>
              ))}
              {note ? <td>{note[1](i) ?? ""}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function FigureView({ name, figure, projectId, spec }: { name: string; figure: FigureAnswer; projectId: string; spec: Record<string, unknown> }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const png = async () => {
    setBusy(true);
    setError(null);
    try {
      const { figures: _omit, ...rest } = spec;
      download(await analysisApi.figureFile(projectId, name, "png", rest), `${name}.png`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <figure className="analysis-figure" data-figure={name}>
      {/* The SVG comes from the server's renderer: role="img" with its title and description inside. */}
      <div className="figure-scroll" dangerouslySetInnerHTML={{ __html: figure.svg }} />
      <figcaption>
        <strong>{figure.title}</strong>
      </figcaption>
      <details>
        <summary>Long description</summary>
        <LongDescription text={figure.description} />
      </details>
      <p className="row">
        <button type="button" className="button-secondary" onClick={() => download(new Blob([figure.svg], { type: "image/svg+xml" }), `${name}.svg`)}>
          Download SVG
        </button>
        <button type="button" className="button-secondary" onClick={png} disabled={busy}>
          {busy ? "Preparing PNG…" : "Download PNG"}
        </button>
        <button type="button" className="button-secondary" onClick={() => download(new Blob([figure.csv], { type: "text/csv" }), `${name}.csv`)}>
          Download data (CSV)
        </button>
      </p>
      <ErrorMessage error={error} />
    </figure>
  );
}

export function Results({ answer, spec, projectId, studyLabels }: {
  answer: AnalysisAnswer;
  spec: Record<string, unknown>;
  projectId: string;
  /** Labels of the rows (for influence tables); row numbers when absent. */
  studyLabels?: string[];
}) {
  const test = spec.test === "t" ? "t" : "z";
  const random = (spec.random as string[] | undefined) ?? [];
  const het: [ReactNode, string, string?][] = [["Outcomes (k)", String(answer.k), "k"]];
  if (answer.tau2 !== undefined) {
    het.push([<>τ² (between-outcome variance)</>, num(answer.tau2), "tau2"]);
    het.push([<>τ</>, num(Math.sqrt(answer.tau2)), "tau"]);
    het.push([<>I²</>, `${num(answer.I2, 1)}%`, "I2"]);
    het.push([<>H²</>, num(answer.H2, 3), "H2"]);
  }
  answer.sigma2?.forEach((s, l) => het.push([<>σ² of {random[l] ?? `level ${l + 1}`}</>, num(s), `sigma2-${l}`]));
  het.push([<>Q (residual heterogeneity), df = {answer.QEdf}</>, num(answer.QE, 3), "QE"]);
  het.push([<>p for Q</>, pValue(answer.QEp), "QEp"]);
  if (answer.QM !== undefined) {
    het.push([<>Q<sub>M</sub> (moderators), df = {answer.QMdf?.join(", ")}</>, num(answer.QM, 3), "QM"]);
    het.push([<>p for Q<sub>M</sub></>, pValue(answer.QMp), "QMp"]);
  }
  if (answer.prediction && answer.prediction.lower !== null) {
    het.push(["95% prediction interval", `${num(answer.prediction.lower)} to ${num(answer.prediction.upper)}`, "prediction"]);
  }
  if (answer.logLik !== undefined) het.push(["Log-likelihood", num(answer.logLik, 3), "logLik"]);

  const rowLabel = (i: number) => studyLabels?.[i] ?? `Outcome ${i + 1}`;
  const inf = answer.influence;
  const warnings = answer.warnings ?? [];
  const about = (key: string) => warnings.filter((w) => w.about === key);
  const shownBeside = new Set(["robust.coefficients", "robust.QM", "subgroups", "subgroups.QB"]);
  const elsewhere = warnings.filter((w) => !shownBeside.has(w.about));
  const robustFlagged = new Set(about("robust.coefficients").map((w) => w.item ?? ""));
  const sg = answer.subgroups;
  const sgNotes = new Map(about("subgroups").map((w) => [w.item, w.code === "subgroup-single-study" ? "One study: no subgroup estimate" : "Not fitted: no subgroup estimate"]));
  return (
    <div className="stack-lg analysis-results">
      {answer.skipped?.length ? (
        <p className="alert" role="note">
          {answer.skipped.length} effect size{answer.skipped.length === 1 ? " was" : "s were"} left out (no yi or vi yet):{" "}
          {answer.skipped.map((s) => s.effectSizeId).join(", ")}.
        </p>
      ) : null}
      <Warnings id="warn-other" items={elsewhere} />
      <section className="stack" aria-labelledby="res-model">
        <h2 id="res-model" tabIndex={-1}>Model</h2>
        {answer.measure ? (
          <p data-key="measure">
            Pooled effect measure: <strong>{answer.measure.measure}</strong> ({answer.measure.rows} {answer.measure.rows === 1 ? "effect size" : "effect sizes"}
            {answer.measure.otherRows ? `; ${answer.measure.otherRows} of other measures left out` : ""}).
          </p>
        ) : null}
        <CoefficientTable caption={`Coefficients (${test === "t" ? "Knapp–Hartung t tests" : "z tests"})`} rows={answer.coefficients} test={test} />
        <StatTable caption="Heterogeneity and model fit" rows={het} />
      </section>
      {answer.robust ? (
        <section className="stack" aria-labelledby="res-robust">
          <h2 id="res-robust">Cluster-robust inference (CR2)</h2>
          <CoefficientTable
            caption="Coefficients with CR2 standard errors and Satterthwaite degrees of freedom"
            rows={answer.robust.coefficients}
            test="t"
            flagged={robustFlagged}
            warningId="warn-robust-coefficients"
          />
          <Warnings id="warn-robust-coefficients" items={about("robust.coefficients")} />
          <StatTable
            caption="HTZ test of the moderators"
            rows={[
              [<>F, df = {answer.robust.QMdf.map((d) => num(d, 2)).join(", ")}{about("robust.QM").length ? <Flag /> : null}</>, num(answer.robust.QM, 3), "robust-QM"],
              ["p", pValue(answer.robust.QMp), "robust-QMp"],
            ]}
          />
          <Warnings id="warn-robust-test" items={about("robust.QM")} />
        </section>
      ) : null}
      {answer.leave1out || inf || answer.egger || answer.begg || answer.trimfill || answer.tau2CI || sg || answer.failsafe ? (
        <section className="stack" aria-labelledby="res-diag">
          <h2 id="res-diag">Diagnostics</h2>
          {answer.egger || answer.begg || answer.trimfill || answer.tau2CI || answer.failsafe ? (
            <StatTable
              caption="Publication bias and heterogeneity"
              rows={[
                ...(answer.egger
                  ? ([
                      ["Egger's test statistic", num(answer.egger.statistic, 3)],
                      ["Egger's test p", pValue(answer.egger.p)],
                      ["Limit estimate (SE → 0)", num(answer.egger.limitEstimate)],
                    ] as [ReactNode, string][])
                  : []),
                ...(answer.begg
                  ? ([
                      ["Begg's rank correlation (Kendall's τ)", num(answer.begg.tau, 3)],
                      [`Begg's test p (${answer.begg.exact ? "exact" : "normal approximation"})`, pValue(answer.begg.p)],
                    ] as [ReactNode, string][])
                  : []),
                ...(answer.trimfill
                  ? ([
                      [`Trim-and-fill: outcomes imputed (${answer.trimfill.side} side)`, String(answer.trimfill.k0)],
                      ["Trim-and-fill estimate", `${num(answer.trimfill.estimate)} (SE ${num(answer.trimfill.se)})`],
                    ] as [ReactNode, string][])
                  : []),
                ...(answer.tau2CI
                  ? ([
                      ["τ² confidence interval (Q-profile)", `${num(answer.tau2CI.lower)} to ${num(answer.tau2CI.upper)}`],
                      ["I² confidence interval", `${num(answer.tau2CI.I2Lower, 1)}% to ${num(answer.tau2CI.I2Upper, 1)}%`],
                    ] as [ReactNode, string][])
                  : []),
                ...(answer.failsafe
                  ? ([
                      ["Fail-safe N (Rosenthal)", num(answer.failsafe.rosenthal, 0)],
                      ["Fail-safe N (Orwin)", num(answer.failsafe.orwin, 0)],
                      ["Fail-safe N (Rosenberg)", num(answer.failsafe.rosenberg, 0)],
                    ] as [ReactNode, string][])
                  : []),
              ]}
            />
          ) : null}
          {inf ? (
            <>
              <p>
                Outliers: studentised deleted residual beyond ±{num(inf.flags.outlierThreshold, 3)} (Bonferroni).{" "}
                Influential: Cook's distance above {num(inf.flags.cookThresholdIQR)} (median + 6 × IQR); the 4/k rule gives {num(inf.flags.cookThreshold4k)}.
              </p>
              <ArrayTable
                caption="Influence diagnostics"
                unit="Outcome"
                labels={inf.rstudent.map((_, i) => rowLabel(i))}
                columns={[
                  ["Studentised residual", inf.rstudent, 3], ["DFFITS", inf.dffits, 3], ["Cook's distance", inf.cookD, 3], ["Covariance ratio", inf.covRatio, 3],
                  ["τ² deleted", inf.tau2Del], ["Q deleted", inf.QEDel, 2], ["Hat", inf.hat, 3], ["Weight (%)", inf.weight, 2],
                ]}
                flags={[
                  ["Outlier", (i) => inf.flags.outliers.includes(i)],
                  ["Influential (IQR rule)", (i) => inf.flags.cookInfluentialIQR.includes(i)],
                  ["Influential (4/k)", (i) => inf.flags.cookInfluential4k.includes(i)],
                ]}
              />
            </>
          ) : null}
          {answer.leave1out ? (
            <ArrayTable
              caption={`Leave-one-out: each ${answer.leave1out.unit} omitted in turn`}
              unit={answer.leave1out.unit === "study" ? "Study omitted" : "Outcome omitted"}
              labels={answer.leave1out.omitted.map((o) => (answer.leave1out!.unit === "outcome" && /^\d+$/.test(o) ? rowLabel(Number(o) - 1) : o))}
              columns={[
                ["Estimate", answer.leave1out.estimate], ["SE", answer.leave1out.se], ["CI lower", answer.leave1out.ciLower], ["CI upper", answer.leave1out.ciUpper],
                ["τ²", answer.leave1out.tau2], ["I² (%)", answer.leave1out.I2, 1],
              ]}
            />
          ) : null}
          {sg ? (
            <>
              <ArrayTable
                caption={`Subgroups by ${String(spec.subgroup ?? "")}`}
                unit="Subgroup"
                labels={sg.levels}
                columns={[
                  ["k", sg.k, 0], ...(sg.studies ? ([["Studies", sg.studies, 0]] as [string, number[], number][]) : []),
                  ["Estimate", sg.estimate], ["SE", sg.se], ["CI lower", sg.ciLower],
                  ["CI upper", sg.ciUpper], ["τ²", sg.tau2], ["Q within", sg.QW, 3], ["p for Q within", sg.QWp],
                ]}
                note={sgNotes.size ? ["Note", (i) => sgNotes.get(sg.levels[i]) ?? null] : undefined}
              />
              <Warnings id="warn-subgroups" items={about("subgroups")} />
              {sg.QB === null || Number.isNaN(sg.QB) ? (
                <Warnings id="warn-subgroups-qb" items={about("subgroups.QB")} />
              ) : (
                <p data-key="QB">
                  Between-subgroups test{sgNotes.size ? ` (the ${sg.levels.length - sgNotes.size} subgroups with an estimate)` : ""}: Q<sub>B</sub> = {num(sg.QB, 3)}, df = {sg.QBdf}, p ={" "}
                  {pValue(sg.QBp)}.
                </p>
              )}
            </>
          ) : null}
        </section>
      ) : null}
      {answer.figures ? (
        <section className="stack" aria-labelledby="res-figures">
          <h2 id="res-figures">Figures</h2>
          {Object.entries(answer.figures).map(([name, f]) => (
            <section key={name} className="stack" aria-label={FIGURES.find(([n]) => n === name)?.[1] ?? name}>
              <h3>{FIGURES.find(([n]) => n === name)?.[1] ?? name}</h3>
              {"error" in f ? <p className="alert">Not drawn: {f.error}.</p> : <FigureView name={name} figure={f} projectId={projectId} spec={spec} />}
            </section>
          ))}
        </section>
      ) : null}
    </div>
  );
}
