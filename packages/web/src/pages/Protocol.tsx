import { useEffect, useState, type ReactNode } from "react";
import type { ClassificationScheme, CodedItem, Criterion, ExclusionReason, RatingLevel } from "@homeward/model";
import { coreRoutes, type ProtocolForEditing } from "@homeward/api";
import { call } from "../api";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, Loading } from "../components/Status";
import { humanize } from "../format";
import { useApi } from "../hooks";
import { useProject } from "../project";
import { Link } from "../router";
import { EditableSection } from "./protocol/EditableSection";
import {
  ClassificationsEditor,
  CodedListEditor,
  duplicateListName,
  ListsEditor,
  listsDraft,
  listsValue,
  ratingDraft,
  RatingEditor,
  eligibilityDraft,
  EligibilityEditor,
  eligibilityValue,
  PicotEditor,
  PICOT_FIELDS,
  QuestionEditor,
  reasonsDraft,
  ReasonsEditor,
  ROLE_NAMES,
  schemesDraft,
  schemesValue,
  STAGE_NAMES,
} from "./protocol/editors";
import { keyed, unkeyed } from "./protocol/ListEditor";
import "./protocol/protocol.css";

export function ProtocolPage() {
  const { id } = useProject();
  const loaded = useApi((s) => call(coreRoutes.getProtocolVersions, { params: { id } }, s), [id]);
  // Saves answer the protocol as it now is; the page shows that rather than reloading.
  const [saved, setSaved] = useState<ProtocolForEditing | null>(null);
  useEffect(() => setSaved(null), [id]);
  const doc = saved ?? loaded.data ?? null;
  const p = doc?.protocol;
  const edit = { projectId: id, doc: doc!, onSaved: setSaved };

  return (
    <>
      <PageTitle>Protocol</PageTitle>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !doc ? <Loading what="protocol" /> : null}
      {doc && p ? (
        <div className="stack-lg">
          <p className="muted">
            Each section is edited and saved on its own, and each save is kept in the <Link to={`/projects/${encodeURIComponent(id)}/audit`}>audit log</Link> with
            who made it, when and why. In a list, Alt+↑ and Alt+↓ move the item you are in.
          </p>
          <EditableSection
            {...edit}
            section="question"
            title="Review question"
            read={p.question ? <p className="lead prose">{p.question}</p> : <Empty />}
            toDraft={(x) => x.question}
            fromDraft={(d) => d}
            editor={(d, set) => <QuestionEditor value={d} set={set} />}
          />

          <EditableSection
            {...edit}
            section="picot"
            title="PICOT"
            read={
              <dl className="definition-grid wide">
                {PICOT_FIELDS.map(({ key, label }) => (
                  <div key={key}>
                    <dt>{label}</dt>
                    <dd className="prose">{p.picot?.[key] || <span className="muted">Not stated</span>}</dd>
                  </div>
                ))}
              </dl>
            }
            toDraft={(x) => x.picot}
            fromDraft={(d) => d}
            editor={(d, set) => <PicotEditor value={d} set={set} />}
          />

          <EditableSection
            {...edit}
            section="eligibility"
            title="Eligibility criteria"
            read={
              <>
                <CriteriaTable caption="Inclusion criteria" items={p.eligibility?.inclusion ?? []} />
                <CriteriaTable caption="Exclusion criteria" items={p.eligibility?.exclusion ?? []} />
              </>
            }
            toDraft={eligibilityDraft}
            fromDraft={eligibilityValue}
            editor={(d, set) => <EligibilityEditor value={d} set={set} />}
          />

          <EditableSection
            {...edit}
            section="exclusionReasons"
            title="Exclusion reasons"
            intro="When several reasons apply to a record, the highest-ranked (lowest number) is the one reported. A reason given on stored decisions cannot be removed; change its label instead."
            read={<ExclusionReasons items={p.exclusionReasons ?? []} />}
            toDraft={reasonsDraft}
            fromDraft={(d) => unkeyed(d)}
            editor={(d, set) => <ReasonsEditor value={d} set={set} />}
          />

          <EditableSection
            {...edit}
            section="classifications"
            title="Study classifications"
            intro="How studies are classified, and the part each scheme plays in the review's outputs. A value studies carry cannot be removed."
            read={<Classifications schemes={p.classifications ?? []} />}
            toDraft={schemesDraft}
            fromDraft={schemesValue}
            editor={(d, set) => <ClassificationsEditor value={d} set={set} />}
          />

          <EditableSection
            {...edit}
            section="outcomeDomains"
            title="Outcome domains"
            intro="A domain stored outcomes are in cannot be removed."
            read={<CodedList items={p.outcomeDomains ?? []} />}
            toDraft={(x) => keyed(x.outcomeDomains)}
            fromDraft={(d) => unkeyed(d)}
            editor={(d, set) => <CodedListEditor id="domains" noun="outcome domain" value={d} set={set} />}
          />
          <EditableSection
            {...edit}
            section="ratingScheme"
            title="Rating scheme"
            intro="Levels a recommendation may be given, strongest first. A level recommendations are given cannot be removed."
            read={p.ratingScheme.length ? <RatingScheme items={p.ratingScheme} /> : <Empty />}
            toDraft={ratingDraft}
            fromDraft={(d) => unkeyed(d)}
            editor={(d, set) => <RatingEditor value={d} set={set} />}
          />

          <EditableSection
            {...edit}
            section="lists"
            title="Further lists"
            intro="Named lists of the team's own (settings, populations, …)."
            read={
              Object.keys(p.lists).length ? (
                <div className="stack">
                  {Object.entries(p.lists).map(([name, items]) => (
                    <section key={name} aria-labelledby={`list-${name}-heading`} className="stack">
                      <h3 id={`list-${name}-heading`}>{humanize(name)}</h3>
                      <CodedList items={items} />
                    </section>
                  ))}
                </div>
              ) : (
                <Empty />
              )
            }
            toDraft={listsDraft}
            fromDraft={listsValue}
            check={duplicateListName}
            editor={(d, set) => <ListsEditor value={d} set={set} />}
          />
        </div>
      ) : null}

      <Section id="searches" title="Searches">
        <p>
          The searches run for this review, with the results each found and imported, are on the{" "}
          <Link to={`/projects/${encodeURIComponent(id)}/searches`}>Searches and imports</Link> page.
        </p>
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

