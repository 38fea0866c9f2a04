import { useId, useState, type ChangeEvent } from "react";
import { robvisImportRoutes, type RobvisImportAnswer } from "@homeward/api";
import { call } from "../../api";
import { ErrorMessage, LiveStatus } from "../../components/Status";
import { plural } from "../../format";

const TOOLS = [
  { id: "rob2", name: "RoB 2 (effect of assignment)" },
  { id: "rob2-adhering", name: "RoB 2 (effect of adhering)" },
  { id: "robins-i", name: "ROBINS-I" },
  { id: "robins-i-adhering", name: "ROBINS-I (effect of adhering)" },
];

/**
 * Import of a robvis CSV for an adjudicator or owner: the file is checked
 * first (rows matched to studies by name, the unmatched and any refused
 * judgement listed), and recorded only when the importer confirms, as their
 * own submitted assessments.
 */
export function RobvisImport({ projectId, onImported }: { projectId: string; onImported?: () => void }) {
  const uid = useId();
  const [tool, setTool] = useState("rob2");
  const [csv, setCsv] = useState<{ name: string; text: string } | null>(null);
  const [preview, setPreview] = useState<RobvisImportAnswer | null>(null);
  const [done, setDone] = useState<RobvisImportAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const send = async (confirm: boolean) => {
    if (!csv) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await call(robvisImportRoutes.robvisImport, { params: { id: projectId }, body: { tool, csv: csv.text, confirm } });
      if (confirm) {
        setDone(answer);
        setPreview(null);
        onImported?.();
      } else setPreview(answer);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setPreview(null);
    setDone(null);
    setCsv(file ? { name: file.name, text: await file.text() } : null);
  };

  return (
    <section aria-labelledby={`${uid}-h`} className="stack" data-robvis-import>
      <h2 id={`${uid}-h`}>Import a robvis CSV</h2>
      <p className="muted">
        A table in robvis's columns (Study, D1…Dn, Overall, Weight), as robvis's templates and the download above have them. Rows are matched to studies
        by name and recorded as your own submitted assessments, noted as imported from robvis CSV; nothing is recorded until you confirm.
      </p>
      <div className="row">
        <label htmlFor={`${uid}-tool`}>Tool</label>
        <select id={`${uid}-tool`} value={tool} onChange={(e) => { setTool(e.target.value); setPreview(null); setDone(null); }}>
          {TOOLS.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
        </select>
        <label htmlFor={`${uid}-file`}>robvis CSV file</label>
        <input id={`${uid}-file`} type="file" accept=".csv,text/csv" onChange={onFile} />
        <button type="button" className="button-secondary" disabled={!csv || busy} onClick={() => send(false)}>Check the CSV</button>
      </div>
      <ErrorMessage error={error} />
      {busy ? <LiveStatus>Reading the CSV…</LiveStatus> : null}
      {done ? <LiveStatus>{`${plural(done.written, "assessment")} recorded from ${csv?.name ?? "the CSV"}.`}</LiveStatus> : null}
      {preview ? (
        <div className="stack">
          <LiveStatus>
            {`${plural(preview.ready, "row")} ready to record${preview.unmatched.length ? `; ${plural(preview.unmatched.length, "row")} matched no study` : ""}.`}
          </LiveStatus>
          {preview.unmatched.length > 0 ? (
            <p data-testid="robvis-unmatched">Matched no study: {preview.unmatched.join("; ")}.</p>
          ) : null}
          <div className="table-wrap">
            <table className="data-table appraisal-table">
              <caption>Rows of {csv?.name ?? "the CSV"} ({preview.tool.name})</caption>
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Study in the CSV</th>
                  <th scope="col">Matched study</th>
                  <th scope="col">Overall</th>
                  <th scope="col">Recorded?</th>
                </tr>
              </thead>
              <tbody>
                {preview.rows.map((r) => (
                  <tr key={r.line}>
                    <td data-label="Line">{r.line}</td>
                    <th scope="row">{r.study}</th>
                    <td data-label="Matched study">{r.match?.name ?? <span className="muted">none</span>}</td>
                    <td data-label="Overall">{r.overall ?? "—"}</td>
                    <td data-label="Recorded?">{r.problems.length === 0 ? "Yes" : `No: ${r.problems.join("; ")}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="row">
            <button type="button" disabled={busy || preview.ready === 0} onClick={() => send(true)}>
              {`Record ${plural(preview.ready, "assessment")}`}
            </button>
          </p>
        </div>
      ) : null}
    </section>
  );
}
