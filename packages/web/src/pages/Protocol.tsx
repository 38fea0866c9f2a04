import type { ReactNode } from "react";
import type { ClassificationRole, ClassificationScheme, CodedItem, Criterion, ExclusionReason, Protocol, RatingLevel, Search } from "@homeward/model";
import { api } from "../api";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, Loading } from "../components/Status";
import { formatCount, formatDate, humanize } from "../format";
import { useApi } from "../hooks";
import { useProject } from "../project";

const PICOT_FIELDS: { key: keyof Protocol["picot"]; label: string }[] = [
  { key: "population", label: "Population" },
  { key: "intervention", label: "Intervention" },
  { key: "comparison", label: "Comparison" },
  { key: "outcomes", label: "Outcomes" },
  { key: "timing", label: "Timing" },
  { key: "setting", label: "Setting" },
];

const STAGE_NAMES: Record<string, string> = {
  title_abstract: "Title and abstract",
  full_text: "Full text",
  any: "Any stage",
};

export function ProtocolPage() {
  const { id } = useProject();
  const protocol = useApi((s) => api.getProtocol(id, s) as Promise<Protocol | null>, [id]);
  const searches = useApi((s) => api.getSearches(id, s) as Promise<Search[]>, [id]);
  const p = protocol.data;

  return (
    <>
      <PageTitle>Protocol</PageTitle>
      <ErrorMessage error={protocol.error} />
      {protocol.loading && !p ? <Loading what="protocol" /> : null}
      {p === null ? <p className="empty">No protocol has been written for this project yet.</p> : null}
      {p ? (
        <div className="stack-lg">
          <Section id="question" title="Review question">
            {p.question ? <p className="lead prose">{p.question}</p> : <Empty />}
          </Section>

          <Section id="picot" title="PICOT">
            <dl className="definition-grid wide">
              {PICOT_FIELDS.map(({ key, label }) => (
                <div key={key}>
                  <dt>{label}</dt>
                  <dd className="prose">{p.picot?.[key] || <span className="muted">Not stated</span>}</dd>
                </div>
              ))}
            </dl>
          </Section>

          <Section id="eligibility" title="Eligibility criteria">
            <CriteriaTable caption="Inclusion criteria" items={p.eligibility?.inclusion ?? []} />
            <CriteriaTable caption="Exclusion criteria" items={p.eligibility?.exclusion ?? []} />
          </Section>

          <Section
            id="exclusion-reasons"
            title="Exclusion reasons"
            intro="When several reasons apply to a record, the highest-ranked (lowest number) is the one reported."
          >
            <ExclusionReasons items={p.exclusionReasons ?? []} />
          </Section>

          <Section
            id="classifications"
            title="Study classifications"
            intro="How studies are classified, and the part each scheme plays in the review's outputs."
          >
            <Classifications schemes={p.classifications ?? []} />
          </Section>
          <Section id="outcome-domains" title="Outcome domains">
            <CodedList items={p.outcomeDomains ?? []} />
          </Section>
          {p.ratingScheme?.length ? (
            <Section id="rating" title="Rating scheme">
              <RatingScheme items={p.ratingScheme} />
            </Section>
          ) : null}
          {Object.entries(p.lists ?? {}).map(([name, items]) => (
            <Section key={name} id={`list-${name}`} title={humanize(name)}>
              <CodedList items={items} />
            </Section>
          ))}
        </div>
      ) : null}

      <Section id="searches" title="Searches">
        <ErrorMessage error={searches.error} />
        {searches.loading && !searches.data ? <Loading what="searches" /> : null}
        {searches.data ? <SearchTable searches={searches.data} /> : null}
      </Section>
    </>
  );
}

function Section({ id, title, intro, children }: { id: string; title: string; intro?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`${id}-heading`} className="stack protocol-section">
      <h2 id={`${id}-heading`}>{title}</h2>
      {intro ? <p className="muted small">{intro}</p> : null}
      {children}
    </section>
  );
}

function Empty() {
  return <p className="muted">None defined.</p>;
}

function CriteriaTable({ caption, items }: { caption: string; items: Criterion[] }) {
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Category</th>
            <th scope="col">Code</th>
            <th scope="col">Criterion</th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 ? (
            <tr>
              <td colSpan={3} className="muted">
                None defined.
              </td>
            </tr>
          ) : (
            items.map((c) => (
              <tr key={c.code}>
                <td data-label="Category">{c.category ?? ""}</td>
                <td>
                  <code>{c.code}</code>
                </td>
                <td>
                  {c.label}
                  {c.description ? <div className="muted small prose">{c.description}</div> : null}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

function ExclusionReasons({ items }: { items: ExclusionReason[] }) {
  if (items.length === 0) return <Empty />;
  const ranked = [...items].sort((a, b) => a.rank - b.rank);
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="visually-hidden">Exclusion reasons by rank</caption>
        <thead>
          <tr>
            <th scope="col">Rank</th>
            <th scope="col">Code</th>
            <th scope="col">Reason</th>
            <th scope="col">Used at</th>
          </tr>
        </thead>
        <tbody>
          {ranked.map((r) => (
            <tr key={r.code}>
              <td className="num" data-label="Rank">{r.rank}</td>
              <td>
                <code>{r.code}</code>
              </td>
              <td>
                {r.label}
                {r.description ? <div className="muted small prose">{r.description}</div> : null}
              </td>
              <td data-label="Used at">{STAGE_NAMES[r.stage ?? "any"] ?? r.stage}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const ROLE_NAMES: Record<ClassificationRole, string> = {
  strand: "Synthesis strands: a study in at least one is an included study",
  design: "Design classes counted in the summary",
  typology: "Intervention typology: summary counts and the gap map's rows",
  components: "Component levels",
  equity: "Equity characteristics reported",
};

function Classifications({ schemes }: { schemes: ClassificationScheme[] }) {
  if (schemes.length === 0) return <Empty />;
  return (
    <div className="stack">
      {schemes.map((c) => (
        <section key={c.code} aria-labelledby={`scheme-${c.code}`} className="stack">
          <h3 id={`scheme-${c.code}`}>
            {c.label || c.code} <code className="muted">{c.code}</code>
          </h3>
          <p className="muted small">
            {c.role ? `${ROLE_NAMES[c.role]}. ` : ""}
            {c.multiple ? "A study may have several values." : "One value per study."}
          </p>
          {c.description ? <p className="prose">{c.description}</p> : null}
          <CodedList items={c.values} />
        </section>
      ))}
    </div>
  );
}

function CodedList({ items }: { items: CodedItem[] }) {
  if (items.length === 0) return <Empty />;
  return (
    <dl className="coded-list">
      {items.map((it) => (
        <div key={it.code}>
          <dt>
            {it.label || it.code} <code className="muted">{it.code}</code>
          </dt>
          {it.description ? <dd className="prose">{it.description}</dd> : null}
        </div>
      ))}
    </dl>
  );
}

function RatingScheme({ items }: { items: RatingLevel[] }) {
  const ranked = [...items].sort((a, b) => b.rank - a.rank);
  return (
    <ol className="coded-list">
      {ranked.map((it) => (
        <li key={it.code}>
          <strong>{it.label || it.code}</strong> <code className="muted">{it.code}</code>
          {it.description ? <div className="muted small">{it.description}</div> : null}
        </li>
      ))}
    </ol>
  );
}

function SearchTable({ searches }: { searches: Search[] }) {
  if (searches.length === 0) return <p className="empty">No searches recorded.</p>;
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption className="visually-hidden">Searches run for this review</caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Kind</th>
            <th scope="col">Date</th>
            <th scope="col" className="num">
              Results
            </th>
            <th scope="col">Query</th>
          </tr>
        </thead>
        <tbody>
          {searches.map((s) => (
            <tr key={s.id}>
              <td>{s.url ? <a href={s.url}>{s.source}</a> : s.source}</td>
              <td data-label="Kind">{humanize(s.kind)}</td>
              <td data-label="Date">{s.date ? formatDate(s.date) : ""}</td>
              <td className="num" data-label="Results">{s.resultsCount == null ? "" : formatCount(s.resultsCount)}</td>
              <td>
                {s.query ? (
                  <details>
                    <summary>Show query</summary>
                    <pre className="query">{s.query}</pre>
                  </details>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
