import { z } from "zod";
import {
  PageQuery,
  ProjectCreate,
  ProtocolSection,
  ProjectPatch,
  RecordsQuery,
  type AuditEntry,
  type BibRecord,
  type Page,
  type Project,
  type ProjectDetail,
  type ProjectSummary,
  type Protocol,
  type ProtocolVersions,
  type RecordSummary,
  type RecordsCount,
  type Search,
  type StudyView,
} from "@homeward/model";
import { route } from "./route.js";

export const IdParams = z.object({ id: z.string().min(1) });
export const RecordParams = z.object({ id: z.string().min(1), recordId: z.string().min(1) });
export const SectionParams = z.object({ id: z.string().min(1), section: ProtocolSection });
export const ProtocolSectionBody = z.object({
  // Checked by the store against Protocol once put in place, so errors name the field within the protocol.
  value: z.unknown(),
  version: z.string().min(1, "the version of the section being changed is needed (from GET …/protocol/versions)"),
  reason: z.string().trim().max(10_000).optional(),
});

/** The protocol with each section's version, which a save of that section sends back (see `sectionVersion`). */
export interface ProtocolForEditing {
  protocol: Protocol;
  versions: ProtocolVersions;
}

export const ImportQuery = z.object({ copy: z.enum(["true", "false"]).optional() });

/** The routes of projects, their protocol, records table, studies and audit log. */
export const coreRoutes = {
  health: route<{ ok: boolean; version: string }>()({ method: "GET", access: "public", path: "/api/health", summary: "server is up, and its version" }),
  listProjects: route<ProjectSummary[]>()({ method: "GET", access: "signedIn", path: "/api/projects", summary: "projects with their counts" }),
  createProject: route<Project>()({ method: "POST", access: "signedIn", path: "/api/projects", body: ProjectCreate, bodyName: "project", status: 201, summary: "create an empty project" }),
  importProject: route<Project>()({
    method: "POST", access: "signedIn",
    path: "/api/projects/import",
    query: ImportQuery,
    // The project file is validated whole by the store (parseProjectFile), which names the bad part.
    body: z.unknown(),
    // A project file is the one JSON body that is a whole review.
    bodyLimit: 256 * 1024 * 1024,
    status: 201,
    summary: "import a project file (as a copy with ?copy=true)",
  }),
  getProject: route<ProjectDetail>()({ method: "GET", access: "viewer", path: "/api/projects/:id", params: IdParams, summary: "a project with its dashboard counts" }),
  updateProject: route<Project>()({ method: "PATCH", access: "owner", path: "/api/projects/:id", params: IdParams, body: ProjectPatch, bodyName: "project change", summary: "change title or description" }),
  getProtocol: route<Protocol>()({ method: "GET", access: "viewer", path: "/api/projects/:id/protocol", params: IdParams, summary: "the project's protocol" }),
  setProtocol: route<Protocol>()({
    method: "PUT", access: "owner",
    path: "/api/projects/:id/protocol",
    params: IdParams,
    // Validated by the store against Protocol, with its cross-field rules.
    body: z.unknown(),
    summary: "replace the protocol",
  }),
  getProtocolVersions: route<ProtocolForEditing>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/protocol/versions",
    params: IdParams,
    summary: "the protocol with each section's version, for editing",
  }),
  updateProtocolSection: route<ProtocolForEditing>()({
    method: "PATCH", access: "owner",
    path: "/api/projects/:id/protocol/:section",
    params: SectionParams,
    body: ProtocolSectionBody,
    bodyName: "protocol section",
    summary: "replace one section of the protocol if it is unchanged since its version was read (409 if not); audited with the reason",
  }),
  listSearches: route<Search[]>()({ method: "GET", access: "viewer", path: "/api/projects/:id/searches", params: IdParams, summary: "the project's searches" }),
  listRecords: route<Page<RecordSummary>>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/records",
    params: IdParams,
    query: RecordsQuery,
    summary: "the records table: paged, sorted, searched (a search's page uncounted: see countRecords)",
  }),
  countRecords: route<RecordsCount>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/records-count",
    params: IdParams,
    query: RecordsQuery.pick({ q: true }),
    summary: "the records table's records, or a search's matches counted up to 1,000 (totalCapped past it)",
  }),
  getRecord: route<BibRecord>()({ method: "GET", access: "viewer", path: "/api/projects/:id/records/:recordId", params: RecordParams, summary: "one record in full" }),
  listStudies: route<StudyView[]>()({ method: "GET", access: "viewer", path: "/api/projects/:id/studies", params: IdParams, summary: "studies with their reports" }),
  listAudit: route<Page<AuditEntry>>()({
    method: "GET", access: "viewer",
    path: "/api/projects/:id/audit",
    params: IdParams,
    query: PageQuery,
    summary: "the audit log, newest first",
  }),
} as const;
