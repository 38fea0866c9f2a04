export { openStore, storeOptionsFromEnv, SQLITE_FILE, type StoreOptions } from "./open.js";
export { Store, searchTerms, FILE_PART_BYTES, type StoredFile, type WriteContext, type NewEntity, type AuditInput } from "./store.js";
export { readProjectSource, loadProjectFile, ensureExamples, defaultExamplesDir, type ExamplesResult } from "./files.js";
export type { Dialect } from "./migrations.js";
export { Leases, type Lease, type LeaseAnswer, type LeaseRequest } from "./leases.js";
export { syntheticRecords } from "./bench/synthetic.js";
export { backupInstance, restoreInstance, BACKUP_FORMAT, BACKUP_VERSION, type BackupSummary } from "./backup.js";
export { openJobQueue, JobQueue, JobCancelled, type JobRecord, type JobState, type JobContext, type JobHandler, type EnqueueInput, type QueueOptions } from "./queue.js";
export { ConflictError, ONE_PER_RULES, type OnePerRule } from "./one-per.js";
