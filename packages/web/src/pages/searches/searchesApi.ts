/**
 * Calls of the Searches page: searches through the generic collection routes,
 * records files through the records routes. A file is sent as it is (the
 * browser streams it from disk) with XMLHttpRequest, the one browser API that
 * reports upload progress.
 */
import { collectionRoutesFor, recordsRoutes, routeUrl, type AnswerOf, type NewEntityBody, type QueryOf } from "@homeward/api";
import type { SearchKind } from "@homeward/model";
import { ApiError, call, signedOut } from "../../api";

export type Overview = AnswerOf<typeof recordsRoutes.importsOverview>;
export type SearchRow = Overview["searches"][number];
export type BatchRow = Overview["batches"][number];
export type Batch = AnswerOf<typeof recordsRoutes.getImportBatch>;
export type Report = AnswerOf<typeof recordsRoutes.validateImport>;
export type ImportAnswer = AnswerOf<typeof recordsRoutes.importRecords>;
export type Preview = Report["preview"][number];
export type FileOptions = Pick<QueryOf<typeof recordsRoutes.validateImport>, "format" | "preset" | "columns">;

/** The kinds of search, in the order a team records them, as the form names them. */
export const KINDS: { kind: SearchKind; label: string }[] = [
  { kind: "database", label: "Database" },
  { kind: "website", label: "Website" },
  { kind: "organisation", label: "Organisation" },
  { kind: "register", label: "Register" },
  { kind: "citation", label: "Citation search" },
  { kind: "other", label: "Other" },
];
export const kindLabel = (k: string): string => KINDS.find((x) => x.kind === k)?.label ?? k;

const searches = collectionRoutesFor("searches");

export const searchesApi = {
  overview: (id: string, signal?: AbortSignal) => call(recordsRoutes.importsOverview, { params: { id } }, signal),
  batch: (id: string, batchId: string, signal?: AbortSignal) => call(recordsRoutes.getImportBatch, { params: { id, batchId } }, signal),
  createSearch: async (id: string, body: NewEntityBody<"searches">) => {
    const made = await call(searches.create, { params: { id, name: "searches" }, body });
    return Array.isArray(made) ? made[0] : made;
  },
  updateSearch: (id: string, searchId: string, body: NewEntityBody<"searches">) => call(searches.update, { params: { id, name: "searches", entityId: searchId }, body }),
};

/** A refused import: the server's one line and its report. */
export class RefusedImport extends ApiError {
  constructor(
    message: string,
    readonly report: Report,
  ) {
    super(message, 422);
  }
}

export interface Upload<T> {
  done: Promise<T>;
  abort(): void;
}

/**
 * Sends `file` as the body of a records route. `onProgress` gets the share
 * sent (0–1), then `null` once the server has it all and is reading it.
 */
function send<T>(url: string, file: Blob, onProgress: (sent: number | null) => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const done = new Promise<T>((resolve, reject) => {
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => onProgress(e.lengthComputable && e.total > 0 ? e.loaded / e.total : 0);
    xhr.upload.onload = () => onProgress(null);
    xhr.onerror = () => reject(new ApiError("Cannot reach the Homeward server. Check that it is running.", 0));
    xhr.onabort = () => reject(new DOMException("cancelled", "AbortError"));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // Not JSON: reported below by status.
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
      if (xhr.status === 401) signedOut();
      const e = (body ?? {}) as { error?: unknown; report?: Report };
      const message = typeof e.error === "string" && e.error ? e.error : `${xhr.status} ${xhr.statusText || "error"}`;
      reject(e.report ? new RefusedImport(message, e.report) : new ApiError(message, xhr.status));
    };
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

const fileQuery = (name: string, o: FileOptions) => ({ fileName: name, format: o.format, preset: o.preset, columns: o.columns });

/** Reads a file through on the server: nothing is written. */
export function validateFile(id: string, file: File, o: FileOptions, onProgress: (sent: number | null) => void): Upload<Report> {
  return send(routeUrl(recordsRoutes.validateImport, { id }, fileQuery(file.name, o)), file, onProgress);
}

/** Imports a file into a recorded search, skipping unreadable records only when told to. */
export function importFile(id: string, search: string, file: File, o: FileOptions & { skipInvalid: boolean }, onProgress: (sent: number | null) => void): Upload<ImportAnswer> {
  const q = { ...fileQuery(file.name, o), search, skipInvalid: o.skipInvalid ? "true" : undefined };
  return send(routeUrl(recordsRoutes.importRecords, { id }, q), file, onProgress);
}
