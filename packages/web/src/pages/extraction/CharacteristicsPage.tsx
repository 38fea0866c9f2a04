import { useMemo, useState } from "react";
import { extractionOutputRoutes, extractionRoutes, routeUrl, type CharacteristicsAnswer } from "@homeward/api";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, Loading } from "../../components/Status";
import { plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link } from "../../router";
import { enc } from "./values";
import "./extraction.css";
import "./characteristics.css";

/** Runs of adjacent columns under the same section, for the grouped header row. */
function sectionRuns(columns: CharacteristicsAnswer["columns"]): { section: string | null; span: number }[] {
  const runs: { section: string | null; span: number }[] = [];
  for (const c of columns) {
    const last = runs[runs.length - 1];
    if (last && last.section === c.section) last.span += 1;
    else runs.push({ section: c.section, span: 1 });
  }
  return runs;
}

/**
 * The characteristics-of-studies table (as a review's appendix prints it)
 * built from the codebook: the standing value of each item per study, a
 * study's transcribed attribute where nothing was extracted, with downloads
 * of the table and of every value.
 */
export function CharacteristicsPage() {
  const { id } = useProject();
  const [strand, setStrand] = useState("");
  const [chosen, setChosen] = useState<string[] | null>(null);
  const codebook = useApi((s) => call(extractionRoutes.codebook, { params: { id } }, s), [id]);
  const query = { ...(strand ? { strand } : {}), ...(chosen?.length ? { items: chosen.join(",") } : {}) };
  const table = useApi((s) => call(extractionOutputRoutes.characteristics, { params: { id }, query }, s), [id, strand, chosen?.join(",")]);
  const studyItems = useMemo(() => (codebook.data?.items ?? []).filter((i) => i.type !== "section" && i.scope !== "outcome" && !i.retiredAt), [codebook.data]);
  const t = table.data;
  const shownCodes = chosen ?? t?.columns.map((c) => c.code) ?? [];
  const toggle = (code: string, on: boolean) => {
    const order = studyItems.map((i) => i.code);
    const next = new Set(shownCodes);
    if (on) next.add(code);
    else next.delete(code);
    setChosen(order.filter((c) => next.has(c)));
  };
  const runs = t ? sectionRuns(t.columns) : [];
  const grouped = runs.some((r) => r.section !== null);

  return (
    <>
      <PageTitle>Characteristics of studies</PageTitle>
      <p className="muted">
        One row per included study, one column per item of the <Link to={`/projects/${enc(id)}/codebook`}>codebook</Link> asked once per study. Each
        cell is the consensus value, else the extraction (or the extractions, when they agree); where nothing was extracted, the study's transcribed
        characteristic of the same code.
      </p>
      <section aria-labelledby="characteristics-choose-heading" className="stack">
        <h2 id="characteristics-choose-heading">What the table shows</h2>
        {t && t.strands.length > 0 ? (
          <div className="field">
            <label htmlFor="characteristics-strand">Studies</label>
            <select id="characteristics-strand" value={strand} onChange={(e) => setStrand(e.target.value)}>
              <option value="">All included studies</option>
              {t.strands.map((s) => (
                <option key={s.code} value={s.code}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {studyItems.length > 0 ? (
          <details>
            <summary>Choose the columns ({plural(shownCodes.length, "item")} shown)</summary>
            <fieldset className="characteristics-columns">
              <legend className="visually-hidden">Items shown as columns</legend>
              {studyItems.map((i) => (
                <label key={i.id} className="check">
                  <input type="checkbox" checked={shownCodes.includes(i.code)} onChange={(e) => toggle(i.code, e.target.checked)} /> {i.label}{" "}
                  <span className="muted small">({i.code})</span>
                </label>
              ))}
            </fieldset>
            {chosen ? (
              <button type="button" className="button-secondary" onClick={() => setChosen(null)}>
                Show every item with a value
              </button>
            ) : null}
          </details>
        ) : null}
        <p className="row">
          <a className="button button-secondary" href={routeUrl(extractionOutputRoutes.characteristics, { id }, { ...query, format: "csv" })} download>
            Download this table (CSV)
          </a>
          <a className="button button-secondary" href={routeUrl(extractionOutputRoutes.export, { id }, { layout: "wide" })} download>
            Download studies × items (CSV, one column per item)
          </a>
          <a className="button button-secondary" href={routeUrl(extractionOutputRoutes.export, { id }, { layout: "long" })} download>
            Download every value (CSV, one row per value with reviewer, status and source)
          </a>
        </p>
      </section>
      <ErrorMessage error={table.error ?? codebook.error} />
      {table.loading && !t ? <Loading what="the table" /> : null}
      {t ? (
        t.rows.length === 0 ? (
          <p className="empty">No included studies{strand ? " in this strand" : ""} yet.</p>
        ) : t.columns.length === 0 ? (
          <p className="empty">No study has a value for an item asked once per study yet.</p>
        ) : (
          <div className="table-wrap" role="region" aria-labelledby="characteristics-caption" tabIndex={0}>
            <table className="data-table characteristics-table">
              <caption id="characteristics-caption">
                {t.caption} ({plural(t.rows.length, "study", "studies")})
              </caption>
              {grouped ? (
                <>
                  {/* Column groups, so the section headers' colgroup scope names real groups. */}
                  <colgroup span={1} />
                  {runs.map((r, k) => (
                    <colgroup key={k} span={r.span} />
                  ))}
                </>
              ) : null}
              <thead>
                {grouped ? (
                  <tr>
                    <td />
                    {runs.map((r, k) => (
                      <th key={k} scope="colgroup" colSpan={r.span}>
                        {r.section ?? ""}
                      </th>
                    ))}
                  </tr>
                ) : null}
                <tr>
                  <th scope="col">Study</th>
                  {t.columns.map((c) => (
                    <th key={c.itemId} scope="col">
                      {c.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {t.rows.map((r) => (
                  <tr key={r.studyId} data-study={r.studyId}>
                    <th scope="row">{r.study}</th>
                    {r.cells.map((c, k) => (
                      <td key={t.columns[k]!.itemId} data-source={c.source} className={c.source === "unresolved" ? "unresolved" : undefined}>
                        {c.text}
                        {c.source === "attribute" ? <span className="muted small"> (transcribed)</span> : null}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </>
  );
}
