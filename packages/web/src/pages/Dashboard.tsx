import { useState, type FormEvent } from "react";
import { jobsRoutes, type JobView } from "@homeward/api";
import { api, call, type StageCount } from "../api";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, LiveStatus } from "../components/Status";
import { formatCount, formatDateTime, humanize } from "../format";

const SOURCE_LABEL = { live: "Live", recorded: "Recorded", mixed: "Mixed" } as const;
import { useProject } from "../project";
import { Link } from "../router";
import { FollowedJob } from "./jobs/JobFollow";
import { validateProjectInput, type ProjectInputErrors } from "../validation";

const STAGE_LABELS: Record<string, string> = {
  identified: "Records identified",
  duplicates: "Duplicates removed",
  screened: "Records screened",
  excluded: "Records excluded",
  fulltext: "Full texts assessed",
  included: "Studies included",
  reports: "Reports included",
};

export function stageLabel(s: StageCount): string {
  return STAGE_LABELS[s.stage] ?? humanize(s.stage);
}

export function DashboardPage() {
  const { id, project, reload } = useProject();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState("");
  const base = `/projects/${encodeURIComponent(id)}`;
  // The whole project is read on one snapshot by a background job, followed here and downloaded once done.
  const [exporting, setExporting] = useState<JobView | null>(null);
  const [exportError, setExportError] = useState<unknown>(null);
  const startExport = async () => {
    setExportError(null);
    try {
      setExporting(await call(jobsRoutes.startExportJob, { params: { id } }));
    } catch (e) {
      setExportError(e);
    }
  };

  return (
    <>
      <PageTitle
        actions={
          project ? (
            <>
              <button type="button" className="button-secondary" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
                Edit details
              </button>
              <button type="button" className="button-secondary" onClick={() => void startExport()} aria-describedby="export-hint">
                Export project
              </button>
            </>
          ) : null
        }
      >
        Dashboard
      </PageTitle>
      {!project ? <LiveStatus>Loading project…</LiveStatus> : null}
      <ErrorMessage error={exportError} />
      {exporting ? <FollowedJob key={exporting.id} projectId={id} job={exporting} what="The project export" /> : null}
      {project && editing ? (
        <EditProject
          id={id}
          title={project.title}
          description={project.description ?? ""}
          onDone={(msg) => {
            setEditing(false);
            if (msg) {
              setSaved(msg);
              reload();
            }
          }}
        />
      ) : null}
      <LiveStatus className="visually-hidden">{saved}</LiveStatus>
      {project ? (
        <>
          <section aria-labelledby="about-heading" className="stack">
            <h2 id="about-heading" className="visually-hidden">
              About this project
            </h2>
            <p className="lead">{project.title}</p>
            {project.description ? <p className="muted">{project.description}</p> : null}
            <p className="muted small">
              Created {formatDateTime(project.createdAt)} · updated {formatDateTime(project.updatedAt)}
            </p>
          </section>
          <section aria-labelledby="stages-heading" className="stack">
            <h2 id="stages-heading">Progress by stage</h2>
            <p className="muted small">
              <span className="badge badge-live">Live</span> counts are computed from the project’s data now;{" "}
              <span className="badge badge-recorded">Recorded</span> counts were entered by the team (e.g. from an earlier
              review); <span className="badge badge-mixed">Mixed</span> counts add live and recorded parts.
            </p>
            {project.dashboard?.stages?.length ? (
              <ol className="stages">
                {project.dashboard.stages.map((s) => (
                  <li key={s.stage} className="card stage">
                    <span className="stage-label">{stageLabel(s)}</span>
                    <span className="stage-count">{s.count === null ? "–" : formatCount(s.count)}</span>
                    {s.source === "none" ? (
                      <span className="muted small">no data yet</span>
                    ) : (
                      <span className={`badge badge-${s.source}`}>
                        {SOURCE_LABEL[s.source]}
                        <span className="visually-hidden"> count</span>
                      </span>
                    )}
                  </li>
                ))}
              </ol>
            ) : (
              <p className="empty">No stage counts yet.</p>
            )}
          </section>
          <section aria-labelledby="export-heading" className="stack">
            <h2 id="export-heading">Export and copies</h2>
            <p className="muted small" id="export-hint">
              <strong>Export project</strong> (at the top of the page) saves the whole project (protocol, records, decisions, studies, appraisals and audit log) as one JSON file. To work on a
              copy, import that file from the <Link to="/">project list</Link> and choose <strong>Import as a copy</strong>: a new project
              with its own id, this one unchanged.
            </p>
          </section>
          <section aria-labelledby="next-heading" className="stack">
            <h2 id="next-heading">Go to</h2>
            <ul className="link-grid">
              <li>
                <Link to={`${base}/protocol`}>Protocol</Link>
              </li>
              <li>
                <Link to={`${base}/records`}>Records ({formatCount(project.counts?.records ?? 0)})</Link>
              </li>
              <li>
                <Link to={`${base}/studies`}>Studies ({formatCount(project.counts?.studies ?? 0)} included)</Link>
              </li>
              <li>
                <Link to={`${base}/audit`}>Audit log</Link>
              </li>
            </ul>
          </section>
        </>
      ) : null}
    </>
  );
}

function EditProject({
  id,
  title: initialTitle,
  description: initialDescription,
  onDone,
}: {
  id: string;
  title: string;
  description: string;
  onDone: (message?: string) => void;
}) {
  const [title, setTitle] = useState(initialTitle);
  const [description, setDescription] = useState(initialDescription);
  const [errors, setErrors] = useState<ProjectInputErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validateProjectInput({ title, description });
    setErrors(found);
    if (found.title || found.description) return;
    setBusy(true);
    setError(null);
    try {
      await api.updateProject(id, { title: title.trim(), description: description.trim() });
      onDone("Project details saved.");
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="edit-heading">
      <h2 id="edit-heading">Edit details</h2>
      <ErrorMessage error={error} />
      <div className={`field${errors.title ? " field-invalid" : ""}`}>
        <label htmlFor="edit-title">Title</label>
        {errors.title ? (
          <p className="field-error" id="edit-title-error">
            {errors.title}
          </p>
        ) : null}
        <input
          id="edit-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={errors.title ? "edit-title-error" : undefined}
          autoFocus
        />
      </div>
      <div className={`field${errors.description ? " field-invalid" : ""}`}>
        <label htmlFor="edit-description">Description</label>
        {errors.description ? (
          <p className="field-error" id="edit-description-error">
            {errors.description}
          </p>
        ) : null}
        <textarea id="edit-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" className="button-secondary" onClick={() => onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
