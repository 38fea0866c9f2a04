import { useEffect, useMemo, useState, type FormEvent } from "react";
import { extractionRoutes, fullTextRoutes, type ExtractionSetup, type CodebookRow, type ExtractionComparison, type ExtractionForm, type ExtractionOutcome } from "@homeward/api";
import { roleAllows, type ExtractedValue } from "@homeward/model";
import { call, callFile, errorMessage } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatDateTime, plural } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { Link, type Params } from "../../router";
import { enc, itemNamed, rawOf, shown, slot, valueOf, ValueField, type Raw } from "./values";
import { PdfViewer } from "./PdfViewer";
import "./extraction.css";

const base = (id: string) => `/projects/${enc(id)}/extraction`;

/** The studies to extract, who has extracted each, and (for adjudicators) agreement per item and the senior-check sample. */
export function ExtractionPage() {
  const { id, role } = useProject();
  const list = useApi((s) => call(extractionRoutes.studies, { params: { id } }, s), [id]);
  const adjudicates = role != null && roleAllows(role, "adjudicator");
  const data = list.data;
  return (
    <>
      <PageTitle>Extraction</PageTitle>
      <p className="muted">
        One form per study, filled from the codebook. Another extractor's values stay hidden from you until you have extracted the study yourself.
      </p>
      <ErrorMessage error={list.error} />
      {list.loading && !data ? <Loading what="the studies" /> : null}
      {data ? (
        <section aria-labelledby="extraction-studies-heading" className="stack">
          <h2 id="extraction-studies-heading">Studies</h2>
          {data.setup.mode !== "dual" || data.uncheckedOutcomeData > 0 ? (
            <p data-testid="unchecked-outcome-data-total" className={data.setup.mode === "single_checked" && data.uncheckedOutcomeData > 0 ? "alert" : "muted"}>
              {plural(data.uncheckedOutcomeData, "outcome datum", "outcome data")} not checked by a second reviewer yet.
            </p>
          ) : null}
          {data.items === 0 ? (
            <p className="alert">
              The codebook has no items yet. <Link to={`/projects/${enc(id)}/codebook`}>Set up the codebook</Link>.
            </p>
          ) : null}
          {data.studies.length === 0 ? (
            <p className="empty">No studies yet. Form them on the Studies page.</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <caption className="visually-hidden">Studies and their extraction</caption>
                <thead>
                  <tr>
                    <th scope="col">Study</th>
                    <th scope="col">Reports</th>
                    <th scope="col">Extracted by</th>
                    <th scope="col">Your values</th>
                    <th scope="col">Consensus values</th>
                    <th scope="col">Checks</th>
                  </tr>
                </thead>
                <tbody>
                  {data.studies.map((s) => (
                    <tr key={s.id} data-study={s.name}>
                      <th scope="row">
                        <Link to={`${base(id)}/${enc(s.id)}`}>{s.name}</Link>
                      </th>
                      <td data-label="Reports">{s.reports.length === 0 ? <span className="muted">none</span> : plural(s.reports.length, "report")}</td>
                      <td data-label="Extracted by">{s.extractors.length ? s.extractors.join(", ") : <span className="muted">nobody yet</span>}</td>
                      <td data-label="Your values">
                        {s.mine} of {data.items}
                      </td>
                      <td data-label="Consensus values">
                        {s.consensus}
                        {adjudicates && s.extractors.length >= 2 ? (
                          <div>
                            <Link to={`${base(id)}/${enc(s.id)}/compare`}>
                              Compare<span className="visually-hidden"> the extractions of {s.name}</span>
                            </Link>
                          </div>
                        ) : null}
                      </td>
                      <td data-label="Checks">
                        {s.outcomeData ? `${s.outcomeData - s.uncheckedOutcomeData} of ${plural(s.outcomeData, "outcome datum", "outcome data")} checked` : <span className="muted">no outcome data</span>}
                        {s.sampled ? <div>In the senior check</div> : null}
                        {s.proposedToYou ? <div className="alert">{plural(s.proposedToYou, "change")} proposed to your extraction</div> : null}
                        {/* Dual extractions are compared instead; their outcome data and the senior check's studies are still checked. */}
                        {data.setup.mode !== "dual" || s.sampled || s.outcomeData > 0 || s.proposedToYou > 0 ? (
                          <div>
                            <Link to={`${base(id)}/${enc(s.id)}/checks`}>
                              Check<span className="visually-hidden"> {s.name}</span>
                            </Link>
                          </div>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
      {data && role === "owner" ? <ModeSection setup={data.setup} onSaved={list.reload} /> : null}
      {adjudicates && data && data.studies.length > 0 ? <AgreementSection /> : null}
      {data && data.studies.length > 0 ? <SeniorCheckSection /> : null}
    </>
  );
}

function AgreementSection() {
  const { id } = useProject();
  const ag = useApi((s) => call(extractionRoutes.agreement, { params: { id } }, s), [id]);
  return (
    <section aria-labelledby="extraction-agreement-heading" className="stack">
      <h2 id="extraction-agreement-heading">Agreement per item</h2>
      <ErrorMessage error={ag.error} />
      {ag.data && ag.data.length === 0 ? <p className="empty">No study has two extractions yet.</p> : null}
      {ag.data && ag.data.length > 0 ? (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Agreement between each study's first two extractors, per item</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Studies compared</th>
                <th scope="col">Agreement</th>
                <th scope="col">Cohen's kappa</th>
              </tr>
            </thead>
            <tbody>
              {ag.data.map((a) => (
                <tr key={a.itemId}>
                  <th scope="row">{a.label || a.code}</th>
                  <td>{a.n}</td>
                  <td>{Math.round(a.percent)}%</td>
                  <td>{a.kappa === null ? <span className="muted">{a.categorical ? "undefined (one category)" : "not categorical"}</span> : a.kappa.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

const MODES: [ExtractionSetup["mode"], string][] = [
  ["single", "Single: one reviewer extracts each study"],
  ["single_checked", "Single, with a second reviewer checking every outcome datum"],
  ["dual", "Dual and blind: two reviewers extract each study, then compare"],
];

/** The owner's choice of how the team extracts and checks, saved as the protocol's extraction section. */
function ModeSection({ setup, onSaved }: { setup: ExtractionSetup; onSaved: () => void }) {
  const { id } = useProject();
  const [mode, setMode] = useState(setup.mode);
  const [percent, setPercent] = useState(String(setup.seniorCheckShare * 100));
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const saved = await call(extractionRoutes.setup, { params: { id }, body: { mode, seniorCheckShare: Number(percent) / 100 } });
      setStatus(`Saved: ${MODES.find(([m]) => m === saved.mode)?.[1]}; a senior checks ${saved.seniorCheckShare * 100}% of studies.`);
      onSaved();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <section aria-labelledby="extraction-mode-heading" className="stack">
      <h2 id="extraction-mode-heading">How values are checked</h2>
      <form onSubmit={save} className="stack">
        <fieldset>
          <legend>Extraction mode</legend>
          {MODES.map(([m, label]) => (
            <label key={m} className="choice">
              <input type="radio" name="extraction-mode" value={m} checked={mode === m} onChange={() => setMode(m)} /> {label}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="senior-share">Senior check: share of studies (%)</label>
          <input id="senior-share" inputMode="decimal" value={percent} onChange={(e) => setPercent(e.target.value)} />
        </div>
        {error ? (
          <p role="alert" className="alert">
            {error}
          </p>
        ) : null}
        <div className="row">
          <button type="submit">Save the mode</button>
        </div>
        <LiveStatus>{status}</LiveStatus>
      </form>
    </section>
  );
}

const SAMPLE_STATUS = { not_started: "not started", in_progress: "in progress", checked: "checked" } as const;

/** The senior check's sample: drawn once by an owner and kept, each sampled study with how far its full check has come. */
function SeniorCheckSection() {
  const { id, role } = useProject();
  const [seed, setSeed] = useState("");
  const [error, setError] = useState<string | null>(null);
  const sample = useApi((s) => call(extractionRoutes.seniorSample, { params: { id } }, s), [id]);
  const draw = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await call(extractionRoutes.drawSeniorSample, { params: { id }, body: seed.trim() ? { seed: Number(seed) } : {} });
      sample.reload();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const d = sample.data;
  return (
    <section aria-labelledby="senior-check-heading" className="stack">
      <h2 id="senior-check-heading">Senior check sample</h2>
      <ErrorMessage error={sample.error} />
      {d && !d.sample ? (
        role === "owner" ? (
          <form className="row senior-check-form" onSubmit={draw}>
            <div className="field">
              <label htmlFor="senior-seed">Seed (optional)</label>
              <input id="senior-seed" inputMode="numeric" value={seed} onChange={(e) => setSeed(e.target.value)} />
            </div>
            <button type="submit">Draw the sample ({d.setup.seniorCheckShare * 100}% of studies)</button>
          </form>
        ) : (
          <p className="empty">Not drawn yet; an owner draws it.</p>
        )
      ) : null}
      {error ? (
        <p role="alert" className="alert">
          {error}
        </p>
      ) : null}
      {d?.sample ? (
        <>
          <p>
            {plural(d.sample.studyIds.length, "study")} of {d.sample.of} drawn by {d.sample.drawnBy} on {formatDateTime(d.sample.drawnAt)} (seed {d.sample.seed}); kept as drawn.
          </p>
          <ul>
            {d.studies.map((s) => (
              <li key={s.id}>
                <Link to={`${base(id)}/${enc(s.id)}/checks`}>{s.name}</Link>: {SAMPLE_STATUS[s.status]} ({s.checked} of {plural(s.values, "value")} checked)
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

interface SlotDraft {
  raw: Raw;
  note: string;
  reportId: string;
  page: string;
  quote: string;
}

const draftsOf = (form: ExtractionForm): Map<string, SlotDraft> => {
  const items = new Map(form.items.map((i) => [i.id, i]));
  const out = new Map<string, SlotDraft>();
  for (const v of form.mine) {
    const item = items.get(v.itemId);
    if (!item) continue;
    out.set(slot(v), { raw: rawOf(item, v.value), note: v.note ?? "", reportId: v.source?.reportId ?? "", page: v.source?.page ?? "", quote: v.source?.quote ?? "" });
  }
  return out;
};
const emptySlot = (item: CodebookRow): SlotDraft => ({ raw: rawOf(item, null), note: "", reportId: "", page: "", quote: "" });

/** One study's form: the caller's values, the study's reports beside, others' values where blinding allows. */
export function ExtractionFormPage({ params }: { params: Params }) {
  const { id, role } = useProject();
  const studyId = params.studyId!;
  const loaded = useApi((s) => call(extractionRoutes.form, { params: { id, studyId } }, s), [id, studyId]);
  const [form, setForm] = useState<ExtractionForm | null>(null);
  const [drafts, setDrafts] = useState<Map<string, SlotDraft>>(new Map());
  const [dirty, setDirty] = useState<Set<string>>(new Set());
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);
  const reviewer = role != null && roleAllows(role, "reviewer");
  const retrievals = useApi((s) => call(fullTextRoutes.list, { params: { id } }, s), [id]);
  const pdfOf = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of retrievals.data ?? []) {
      if (r.file?.sha256 && r.file.mediaType === "application/pdf") m.set(r.recordId, r.file.name);
      else m.delete(r.recordId);
    }
    return m;
  }, [retrievals.data]);
  const [viewing, setViewing] = useState<{ reportId: string; label: string; data: ArrayBuffer } | null>(null);
  const [opening, setOpening] = useState<string | null>(null);
  const [viewError, setViewError] = useState<unknown>(null);
  /** The value a quote from the full text goes to: the one whose fields were last focused. */
  const [active, setActive] = useState<{ item: CodebookRow; outcomeId: string | null; sid: string; label: string } | null>(null);

  const openPdf = async (reportId: string, recordId: string, label: string) => {
    setOpening(reportId);
    setViewError(null);
    try {
      const blob = await callFile(fullTextRoutes.downloadFile, { params: { id, recordId } });
      setViewing({ reportId, label, data: await blob.arrayBuffer() });
    } catch (err) {
      setViewError(err);
    } finally {
      setOpening(null);
    }
  };

  useEffect(() => {
    if (!loaded.data) return;
    setForm(loaded.data);
    setDrafts(draftsOf(loaded.data));
    setDirty(new Set());
  }, [loaded.data]);

  const live = useMemo(() => (form ? form.items.filter((i) => !i.retiredAt || form.mine.some((v) => v.itemId === i.id)) : []), [form]);
  const othersBySlot = useMemo(() => {
    const m = new Map<string, { reviewer: string; value: ExtractedValue }[]>();
    for (const o of form?.others ?? []) for (const v of o.values) (m.get(slot(v)) ?? m.set(slot(v), []).get(slot(v))!).push({ reviewer: o.reviewer, value: v });
    return m;
  }, [form]);
  const earlierBySlot = useMemo(() => {
    const m = new Map<string, ExtractedValue[]>();
    for (const v of form?.replaced ?? []) (m.get(slot(v)) ?? m.set(slot(v), []).get(slot(v))!).push(v);
    return m;
  }, [form]);
  const consensusBySlot = useMemo(() => new Map((form?.consensus ?? []).map((v) => [slot(v), v])), [form]);
  const errorItem = form && error ? itemNamed(form.items, errorMessage(error)) : undefined;

  const change = (item: CodebookRow, outcomeId: string | null, patch: Partial<SlotDraft>) => {
    const k = slot({ itemId: item.id, outcomeId });
    setDrafts((d) => new Map(d).set(k, { ...(d.get(k) ?? emptySlot(item)), ...patch }));
    setDirty((s) => new Set(s).add(k));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    const items = new Map(form.items.map((i) => [i.id, i]));
    const values = [...dirty].map((k) => {
      const [itemId, outcome] = k.split("\u0000") as [string, string];
      const item = items.get(itemId)!;
      const d = drafts.get(k) ?? emptySlot(item);
      const source = d.reportId || d.page.trim() || d.quote.trim() ? { reportId: d.reportId || null, page: d.page.trim() || null, quote: d.quote.trim() || null } : null;
      return { itemId, outcomeId: outcome || null, value: valueOf(item, d.raw), note: d.note.trim() || null, source };
    });
    if (values.length === 0) {
      setSaid("Nothing changed since the last save.");
      return;
    }
    setBusy(true);
    setError(null);
    setSaid("");
    try {
      const next = await call(extractionRoutes.save, { params: { id, studyId }, body: { values } });
      setForm(next);
      setDrafts(draftsOf(next));
      setDirty(new Set());
      setSaid(`Saved ${plural(values.length, "value")} for ${next.study.name}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const renderItem = (item: CodebookRow, outcome: ExtractionOutcome | null) => {
    const outcomeId = outcome?.id ?? null;
    const k = slot({ itemId: item.id, outcomeId });
    const sid = outcome ? `${item.id}-${outcome.id}` : item.id;
    const context = outcome ? `outcome ${outcome.name}` : undefined;
    if (item.type === "section") {
      const H = outcome || item.depth > 0 ? "h3" : "h2";
      return (
        <H key={k} className="extraction-section">
          {item.number} {item.label}
        </H>
      );
    }
    const d = drafts.get(k) ?? emptySlot(item);
    const others = othersBySlot.get(k) ?? [];
    const agreed = consensusBySlot.get(k);
    const mine = form!.mine.find((v) => slot(v) === k);
    return (
      <div
        key={k}
        className={`extraction-item depth-${Math.min(item.depth, 4)}${active?.sid === sid ? " extraction-item-active" : ""}`}
        data-code={item.code}
        data-outcome={outcome?.name}
        onFocus={() => active?.sid !== sid && setActive({ item, outcomeId, sid, label: `${item.label}${context ? ` (${context})` : ""}` })}
      >
        <ValueField
          item={item}
          raw={d.raw}
          onChange={(raw) => change(item, outcomeId, { raw })}
          idPrefix={outcome ? `value-${outcome.id}` : "value"}
          context={context}
          error={errorItem?.id === item.id ? errorMessage(error) : null}
          disabled={!reviewer || !!item.retiredAt}
        />
        {mine && (mine.itemVersion ?? 1) !== (item.version ?? 1) ? (
          <p className="hint">Entered under version {mine.itemVersion ?? 1} of this item (now version {item.version}).</p>
        ) : null}
        {item.retiredAt ? <p className="hint">This item is retired: its values are kept, it takes no new ones.</p> : null}
        <details className="extraction-source">
          <summary>
            Source and note<span className="visually-hidden"> for {item.label}{context ? ` (${context})` : ""}</span>
          </summary>
          <div className="codebook-fields">
            <div className="field">
              <label htmlFor={`src-report-${sid}`}>
                Report<span className="visually-hidden"> for {item.label}{context ? ` (${context})` : ""}</span>
              </label>
              <select id={`src-report-${sid}`} value={d.reportId} onChange={(e) => change(item, outcomeId, { reportId: e.target.value })} disabled={!reviewer}>
                <option value="">Not given</option>
                {form!.reports.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.citation.slice(0, 80) || r.id}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`src-page-${sid}`}>
                Page<span className="visually-hidden"> for {item.label}{context ? ` (${context})` : ""}</span>
              </label>
              <input id={`src-page-${sid}`} value={d.page} onChange={(e) => change(item, outcomeId, { page: e.target.value })} disabled={!reviewer} />
            </div>
          </div>
          <div className="field">
            <label htmlFor={`src-quote-${sid}`}>
                Quoted text<span className="visually-hidden"> for {item.label}{context ? ` (${context})` : ""}</span>
              </label>
            <textarea id={`src-quote-${sid}`} rows={2} value={d.quote} onChange={(e) => change(item, outcomeId, { quote: e.target.value })} disabled={!reviewer} />
          </div>
          <div className="field">
            <label htmlFor={`note-${sid}`}>
                Note<span className="visually-hidden"> for {item.label}{context ? ` (${context})` : ""}</span>
              </label>
            <textarea id={`note-${sid}`} rows={2} value={d.note} onChange={(e) => change(item, outcomeId, { note: e.target.value })} disabled={!reviewer} />
          </div>
        </details>
        {earlierBySlot.get(k) ? (
          <details className="extraction-history">
            <summary>
              Your earlier values<span className="visually-hidden"> of {item.label}{context ? ` (${context})` : ""}</span>
            </summary>
            <ul className="muted small">
              {earlierBySlot.get(k)!.map((v) => (
                <li key={v.id}>
                  {shown(item, v.value)} <span>({formatDateTime(v.at)}{v.note ? `; ${v.note}` : ""})</span>
                </li>
              ))}
            </ul>
          </details>
        ) : null}
        {others.length > 0 || agreed ? (
          <ul className="others-values muted small" aria-label={`Other values of ${item.label}${context ? ` (${context})` : ""}`}>
            {others.map((o) => (
              <li key={o.reviewer}>
                {o.reviewer}: {shown(item, o.value.value)}
              </li>
            ))}
            {agreed ? (
              <li>
                Consensus: {shown(item, agreed.value)} ({agreed.note})
              </li>
            ) : null}
          </ul>
        ) : null}
      </div>
    );
  };
  const studyItems = live.filter((i) => i.scope !== "outcome");
  const outcomeItems = live.filter((i) => i.scope === "outcome");

  return (
    <>
      <PageTitle>{form ? `Extract ${form.study.name}` : "Extract"}</PageTitle>
      <p>
        <Link to={base(id)}>Back to the studies</Link>
      </p>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !form ? <Loading what="the extraction form" /> : null}
      {form ? (
        <div className="extraction-layout">
          <aside className="extraction-reports stack" aria-labelledby="reports-heading">
            <h2 id="reports-heading">Reports of this study</h2>
            {form.reports.length === 0 ? (
              <p className="empty">No reports linked.</p>
            ) : (
              <ul>
                {form.reports.map((r) => (
                  <li key={r.id}>
                    {r.recordId ? <Link to={`/projects/${enc(id)}/records/${enc(r.recordId)}`}>{r.citation || r.recordId}</Link> : r.citation}
                    {r.role === "lead" ? <span className="badge"> Lead</span> : null}
                    {r.recordId && pdfOf.has(r.recordId) ? (
                      <div>
                        <button
                          type="button"
                          className="secondary small"
                          onClick={() => void openPdf(r.id, r.recordId!, r.citation || pdfOf.get(r.recordId!)!)}
                          disabled={opening === r.id}
                          aria-label={`Open the full text of ${r.citation || r.recordId}`}
                          aria-pressed={viewing?.reportId === r.id}
                        >
                          Open the PDF
                        </button>
                      </div>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            <ErrorMessage error={viewError} />
            {form.hiddenOthers > 0 ? (
              <p className="alert" data-hidden-others={form.hiddenOthers}>
                {plural(form.hiddenOthers, "other extraction")} of this study {form.hiddenOthers === 1 ? "is" : "are"} hidden until you have extracted it: extractions are independent.
              </p>
            ) : null}
          </aside>
          {viewing ? (
            <PdfViewer
              data={viewing.data}
              label={viewing.label}
              target={active?.label ?? null}
              onQuote={
                reviewer && active
                  ? (quote, page) => {
                      change(active.item, active.outcomeId, { quote, page: String(page), reportId: viewing.reportId });
                      // Shown where the quote went, so it can be checked before saving.
                      const details = document.getElementById(`src-quote-${active.sid}`)?.closest("details");
                      if (details) details.open = true;
                    }
                  : null
              }
              onClose={() => setViewing(null)}
            />
          ) : null}
          <form className="stack-lg extraction-form" onSubmit={save} aria-label={`Extraction form for ${form.study.name}`}>
            {live.length === 0 ? <p className="empty">The codebook has no items yet.</p> : null}
            {studyItems.map((item) => renderItem(item, null))}
            {outcomeItems.length > 0 && form.outcomes.length === 0 ? (
              <p className="muted">Items asked per outcome appear here once the study's outcomes are entered.</p>
            ) : null}
            {outcomeItems.length > 0
              ? form.outcomes.map((o) => (
                  <section key={o.id} className="stack-lg outcome-block" aria-labelledby={`outcome-${o.id}`} data-outcome-block={o.name}>
                    <h2 id={`outcome-${o.id}`}>
                      Outcome: {o.name}
                      {o.timing ? `, ${o.timing}` : ""}
                    </h2>
                    {outcomeItems.map((item) => renderItem(item, o))}
                  </section>
                ))
              : null}
            {reviewer ? (
              <div className="row form-actions sticky-actions">
                <button type="submit" disabled={busy}>
                  Save values
                </button>
                <span className="muted small">{dirty.size > 0 ? `${plural(dirty.size, "change")} not saved` : "All saved"}</span>
              </div>
            ) : (
              <p className="muted">Viewers read the form; reviewers fill it in.</p>
            )}
            <ErrorMessage error={error} />
            {said ? <LiveStatus>{said}</LiveStatus> : null}
          </form>
        </div>
      ) : null}
    </>
  );
}

const STATUS: Record<string, string> = { agree: "Agree", disagree: "Differ", only_first: "Only the first", only_second: "Only the second" };

/** Two extractions of a study side by side, value by value, and the consensus values an adjudicator records. */
export function ExtractionComparePage({ params }: { params: Params }) {
  const { id } = useProject();
  const studyId = params.studyId!;
  const loaded = useApi((s) => call(extractionRoutes.comparison, { params: { id, studyId } }, s), [id, studyId]);
  const [cmp, setCmp] = useState<ExtractionComparison | null>(null);
  const form = useApi((s) => call(extractionRoutes.codebook, { params: { id } }, s), [id]);
  const [open, setOpen] = useState<string | null>(null);
  const [raw, setRaw] = useState<Raw>("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);
  const [onlyDiffering, setOnlyDiffering] = useState(false);

  useEffect(() => {
    if (loaded.data) setCmp(loaded.data);
  }, [loaded.data]);
  const items = new Map((form.data?.items ?? []).map((i) => [i.id, i]));

  const record = async (e: FormEvent, item: CodebookRow, outcomeId: string | null) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaid("");
    try {
      const next = await call(extractionRoutes.consensus, { params: { id, studyId }, body: { itemId: item.id, outcomeId, value: valueOf(item, raw), note } });
      setCmp(next);
      setOpen(null);
      setSaid(`Consensus recorded for ${item.label}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const rows = (cmp?.rows ?? []).filter((r) => !onlyDiffering || r.status !== "agree");
  const outcomeName = new Map((cmp?.outcomes ?? []).map((o) => [o.id, o.name]));
  return (
    <>
      <PageTitle>{cmp ? `Compare extractions of ${cmp.study.name}` : "Compare extractions"}</PageTitle>
      <p>
        <Link to={base(id)}>Back to the studies</Link>
      </p>
      <ErrorMessage error={loaded.error ?? form.error} />
      {loaded.loading && !cmp ? <Loading what="the two extractions" /> : null}
      {cmp ? (
        <div className="stack-lg">
          <p data-summary="">
            {cmp.first} and {cmp.second}: {cmp.agreed} of {plural(cmp.rows.length, "value")} agree; {plural(cmp.disagreed, "difference")},{" "}
            {cmp.open} without a consensus.
          </p>
          <label className="choice">
            <input type="checkbox" checked={onlyDiffering} onChange={(e) => setOnlyDiffering(e.target.checked)} /> Show only differences
          </label>
          <ErrorMessage error={error} />
          {said ? <LiveStatus>{said}</LiveStatus> : null}
          <div className="table-wrap">
            <table className="data-table comparison-table">
              <caption className="visually-hidden">Values of the two extractions, item by item</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">{cmp.first}</th>
                  <th scope="col">{cmp.second}</th>
                  <th scope="col">Status</th>
                  <th scope="col">Consensus</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const item = items.get(r.itemId);
                  const key = `${r.itemId}:${r.outcomeId ?? ""}`;
                  const show = (v: ExtractedValue | null) => (v ? (item ? shown(item, v.value) : JSON.stringify(v.value)) : "—");
                  return (
                    <tr key={key} data-code={r.code} data-status={r.status}>
                      <th scope="row">
                        {r.label || r.code}
                        {r.outcomeId ? <div className="muted small">Outcome: {outcomeName.get(r.outcomeId) ?? r.outcomeId}</div> : null}
                      </th>
                      <td>{show(r.first)}</td>
                      <td>{show(r.second)}</td>
                      <td>{STATUS[r.status]}</td>
                      <td>
                        {r.consensus ? (
                          <div>
                            {show(r.consensus)} <span className="muted small">({r.consensus.note}; {r.consensus.reviewer})</span>
                          </div>
                        ) : null}
                        {item && r.status !== "agree" ? (
                          open === key ? (
                            <form
                              className="stack consensus-form"
                              onSubmit={(e) => void record(e, item, r.outcomeId)}
                              aria-label={`Consensus for ${item.label}${r.outcomeId ? ` (outcome ${outcomeName.get(r.outcomeId) ?? r.outcomeId})` : ""}`}
                            >
                              <ValueField item={item} raw={raw} onChange={setRaw} idPrefix="consensus" />
                              <div className="field">
                                <label htmlFor={`consensus-note-${item.id}`}>How it was agreed</label>
                                <textarea id={`consensus-note-${item.id}`} rows={2} value={note} onChange={(e) => setNote(e.target.value)} required />
                              </div>
                              <div className="row">
                                <button type="submit" disabled={busy}>
                                  Record consensus
                                </button>
                                <button type="button" className="button-secondary" onClick={() => setOpen(null)}>
                                  Cancel
                                </button>
                              </div>
                            </form>
                          ) : (
                            <button
                              type="button"
                              className="button-secondary"
                              onClick={() => {
                                setOpen(key);
                                setRaw(rawOf(item, (r.consensus ?? r.first ?? r.second)?.value ?? null));
                                setNote(r.consensus?.note ?? "");
                              }}
                            >
                              {r.consensus ? "Change consensus" : "Agree a value"}
                              <span className="visually-hidden">
                                {" "}
                                for {item.label}
                                {r.outcomeId ? ` (outcome ${outcomeName.get(r.outcomeId) ?? r.outcomeId})` : ""}
                              </span>
                            </button>
                          )
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </>
  );
}
