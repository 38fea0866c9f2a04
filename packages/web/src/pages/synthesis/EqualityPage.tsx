import { useState } from "react";
import { synthesisRoutes as r } from "@homeward/api";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, Loading } from "../../components/Status";
import { humanize } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Field } from "../../components/Field";
import { ChainNav, MultiSelect, useCollection } from "./shared";
import "./synthesis.css";

/** The equality annex from live data: PROGRESS-Plus reporting per study, sample characteristics and equity moderators. */
export function EqualityPage() {
  const { id } = useProject();
  // The team's choice of moderator results, when it differs from those found by the characteristics they name.
  const [picked, setPicked] = useState<string[] | null>(null);
  const results = useCollection(id, "reportedResults");
  const a = useApi((s) => call(r.equality, { params: { id }, query: picked ? { moderators: picked.join(",") } : {} }, s), [id, picked?.join(",")]);
  const d = a.data;
  return (
    <>
      <PageTitle>Equality annex</PageTitle>
      <ChainNav here="equality" />
      <ErrorMessage error={a.error} />
      {a.loading && !d ? <Loading what="the annex" /> : null}
      {d && !d.scheme ? <p className="empty">The protocol has no classification scheme with the equity role (e.g. PROGRESS-Plus).</p> : null}
      {d && d.scheme ? (
        <>
          <section className="stack" aria-labelledby="eq-char-h">
            <h2 id="eq-char-h">{d.scheme.label}: studies reporting each characteristic</h2>
            <div className="table-wrap" role="region" aria-labelledby="eq-char-caption" tabIndex={0}>
              <table className="data-table">
                <caption id="eq-char-caption">Characteristics reported ({d.studies.length} studies report any)</caption>
                <thead>
                  <tr>
                    <th scope="col">Characteristic</th>
                    <th scope="col">Studies</th>
                  </tr>
                </thead>
                <tbody>
                  {d.characteristics.map((c) => (
                    <tr key={c.code}>
                      <th scope="row">{c.label}</th>
                      <td className="num">{c.studies}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section className="stack" aria-labelledby="eq-study-h">
            <h2 id="eq-study-h">Reporting per study</h2>
            <div className="table-wrap" role="region" aria-labelledby="eq-study-caption" tabIndex={0}>
              <table className="data-table">
                <caption id="eq-study-caption">{d.scheme.label} per study</caption>
                <thead>
                  <tr>
                    <th scope="col">Study</th>
                    <th scope="col">Characteristics reported</th>
                  </tr>
                </thead>
                <tbody>
                  {d.studies.map((s) => (
                    <tr key={s.id}>
                      <th scope="row">{s.citation}</th>
                      <td className="small">{s.reported.map((c) => d.characteristics.find((x) => x.code === c)?.label ?? humanize(c)).join(", ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section className="stack" aria-labelledby="eq-sample-h">
            <h2 id="eq-sample-h">Sample characteristics</h2>
            {d.samples.filter((x) => x.reported > 0).map((x) => (
              <div key={x.key} className="table-wrap" role="region" aria-labelledby={`eq-${x.key}`} tabIndex={0}>
                <table className="data-table">
                  <caption id={`eq-${x.key}`}>
                    {humanize(x.key)} ({x.reported} studies report it)
                  </caption>
                  <tbody>
                    {x.values.map((v) => (
                      <tr key={v.value}>
                        <th scope="row">{v.value}</th>
                        <td className="num">{v.studies}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </section>
          <section className="stack" aria-labelledby="eq-mod-h">
            <h2 id="eq-mod-h">Equity moderators</h2>
            <Field id="eq-moderators" label="Results that are equity moderators" hint="Found from the characteristics their labels name; choose others if the team reads them otherwise (Ctrl or Shift for several).">
              <MultiSelect id="eq-moderators" size={6} value={picked ?? d.moderators.map((m) => m.id)} onChange={setPicked} describedBy="eq-moderators-hint" options={results.data ?? []} label={(x) => x.label} />
            </Field>
            {d.moderators.length === 0 ? (
              <p className="empty">No moderator result names an equity characteristic.</p>
            ) : (
              <ul>
                {d.moderators.map((m) => (
                  <li key={m.id}>
                    {m.label}
                    {m.estimate !== null ? `: ${m.estimate}${m.ciLower !== null && m.ciUpper !== null ? ` (95% CI ${m.ciLower} to ${m.ciUpper})` : ""}` : ""}
                    {m.test ? <span className="small muted"> — {m.test}</span> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
