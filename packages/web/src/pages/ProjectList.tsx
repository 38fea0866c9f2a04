import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from "react";
import { coreRoutes } from "@homeward/api";
import { api, ApiError, call, errorMessage, type ProjectSummary } from "../api";
import type { Project } from "@homeward/model";
import { Field } from "../components/Field";
import { PageTitle } from "../components/PageTitle";
import { ErrorMessage, LiveStatus } from "../components/Status";
import { formatCount, formatDate } from "../format";
import { useApi } from "../hooks";
import { MARKS, mark } from "../perf";
import { Link } from "../router";
import type { ProjectInputErrors } from "../validation";

// The schema check (zod and the model) is loaded apart from the first page and warmed once the form is shown.
const loadValidation = () => import("../validation");

// Most visits open on this page: its request starts while the app is still
// rendering instead of after the first paint (saves one round trip of the time to first page).
let startupLoad: Promise<ProjectSummary[]> | null = window.location.pathname === "/" ? api.listProjects() : null;
startupLoad?.catch(() => {}); // reported when consumed

function loadProjects(signal: AbortSignal): Promise<ProjectSummary[]> {
  const early = startupLoad;
  startupLoad = null;
  return early ?? api.listProjects(signal);
}

export function ProjectListPage() {
  const { data: projects, error, loading, reload } = useApi(loadProjects, []);
  const [announcement, setAnnouncement] = useState("");
  const listed = projects !== undefined;
  useEffect(() => {
    if (listed) mark(MARKS.projectsRendered);
  }, [listed]);

  return (
    <>
      <PageTitle>Projects</PageTitle>
      <div className="two-column">
        <section aria-labelledby="project-list-heading" className="stack">
          <h2 id="project-list-heading">Your reviews</h2>
          <ErrorMessage error={error}>
            <button type="button" onClick={reload}>
              Try again
            </button>
          </ErrorMessage>
          {loading && !projects ? <LiveStatus>Loading projects…</LiveStatus> : null}
          {projects ? <ProjectTable projects={projects} /> : null}
          <LiveStatus className="visually-hidden">{announcement}</LiveStatus>
        </section>
        <div className="stack">
          <CreateProjectForm
            onCreated={(p) => {
              setAnnouncement(`Project “${p.title}” created.`);
              reload();
            }}
          />
          <ImportProjectForm
            onImported={(p) => {
              setAnnouncement(`Project “${p.title}” imported.`);
              reload();
            }}
          />
        </div>
      </div>
    </>
  );
}

function ProjectTable({ projects }: { projects: ProjectSummary[] }) {
  if (projects.length === 0)
    return <p className="empty">No projects yet. Create one, or import a project file.</p>;
  const sorted = [...projects].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
  return (
    <ul className="project-list" aria-label="Projects">
      {sorted.map((p) => (
        <li key={p.id} className="card project-card">
          <h3>
            <Link to={`/projects/${encodeURIComponent(p.id)}`}>{p.title}</Link>
          </h3>
          {p.description ? <p className="muted clamp">{p.description}</p> : null}
          <dl className="inline-stats">
            <div>
              <dt>Records</dt>
              <dd>{formatCount(p.counts?.records ?? 0)}</dd>
            </div>
            <div>
              {/* Included studies, the number in the PRISMA flow's included box. */}
              <dt>Studies included</dt>
              <dd>{formatCount(p.counts?.studies ?? 0)}</dd>
            </div>
            <div>
              <dt>Updated</dt>
              <dd>
                <time dateTime={p.updatedAt}>{formatDate(p.updatedAt)}</time>
              </dd>
            </div>
          </dl>
        </li>
      ))}
    </ul>
  );
}

function CreateProjectForm({ onCreated }: { onCreated: (p: Project) => void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [errors, setErrors] = useState<ProjectInputErrors>({});
  const [serverError, setServerError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const titleRef = useRef<HTMLInputElement>(null);
  const descRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    loadValidation().catch(() => {});
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    setBusy(true);
    try {
      const found = (await loadValidation()).validateProjectInput({ title, description });
      setErrors(found);
      if (found.title) return titleRef.current?.focus();
      if (found.description) return descRef.current?.focus();
      const created = await api.createProject({
        title: title.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setTitle("");
      setDescription("");
      onCreated(created);
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="create-heading">
      <h2 id="create-heading">Create a project</h2>
      <ErrorMessage error={serverError} />
      <Field
        id="project-title"
        label="Title"
        error={errors.title}
        hint="A short name for the review, e.g. “Mentoring for young people at risk”."
      >
        <input
          id="project-title"
          ref={titleRef}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          aria-required="true"
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={`project-title-hint${errors.title ? " project-title-error" : ""}`}
          autoComplete="off"
        />
      </Field>
      <Field id="project-description" label="Description (optional)" error={errors.description}>
        <textarea
          id="project-description"
          ref={descRef}
          rows={3}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={errors.description ? "project-description-error" : undefined}
        />
      </Field>
      <div>
        {/* Not `disabled`: that would drop keyboard focus to the page while the request runs. */}
        <button type="submit" aria-disabled={busy}>
          {busy ? "Creating…" : "Create project"}
        </button>
      </div>
    </form>
  );
}

/**
 * Imports a project file previously exported from Homeward (JSON). A file
 * whose project is already here (e.g. exported from this server) is refused
 * by the server; the form then offers to import it as a copy, a new project
 * with its own id, leaving the existing one as it is.
 */
function ImportProjectForm({ onImported }: { onImported: (p: Project) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<{ name: string; parsed: unknown } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const copyRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (conflict) copyRef.current?.focus();
  }, [conflict]);

  const importFile = async (parsed: unknown, name: string, copy: boolean) => {
    setError(null);
    setBusy(true);
    try {
      const created = await call(coreRoutes.importProject, { body: parsed, query: copy ? { copy: "true" } : {} });
      setConflict(null);
      onImported(created);
    } catch (err) {
      if (!copy && err instanceof ApiError && err.status === 409) setConflict({ name, parsed });
      else setError(err);
    } finally {
      setBusy(false);
      if (inputRef.current) inputRef.current.value = "";
    }
  };

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setConflict(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch (err) {
      setError(new Error(`${file.name} is not a Homeward project file (not valid JSON: ${errorMessage(err)}).`));
      if (inputRef.current) inputRef.current.value = "";
      return;
    }
    await importFile(parsed, file.name, false);
  };

  return (
    <section className="card stack" aria-labelledby="import-heading">
      <h2 id="import-heading">Import a project</h2>
      <ErrorMessage error={error} />
      <div className="field">
        <label htmlFor="project-file">Project file (.json)</label>
        <input id="project-file" ref={inputRef} type="file" accept=".json,application/json" onChange={onFile} disabled={busy} />
      </div>
      {conflict ? (
        <div className="alert stack" role="alert">
          <p>
            The project in {conflict.name} is already here. Import it as a copy: a new project with the same content, leaving the existing
            one unchanged.
          </p>
          <div className="row">
            <button type="button" ref={copyRef} onClick={() => void (busy || importFile(conflict.parsed, conflict.name, true))} aria-disabled={busy}>
              Import as a copy
            </button>
            <button type="button" className="button-secondary" onClick={() => setConflict(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {busy ? <LiveStatus>Importing…</LiveStatus> : null}
    </section>
  );
}
