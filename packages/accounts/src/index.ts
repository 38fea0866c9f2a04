export { hashPassword, verifyPassword, needsRehash, newToken, tokenHash, SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P } from "./passwords.js";
export { MemoryAttemptLog, SignInLimiter, type AttemptLog, type MemoryAttemptLogOptions, type SignInAttempt, type SignInLimiterOptions } from "./limiter.js";
export {
  createAccounts,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  SESSION_TOUCH_MS,
  SETUP_LINK_MS,
  USER_LINK_MS,
  type Accounts,
  type AccountsOptions,
  type IssuedLink,
  type LinkInfo,
  type MemberView,
  type NewMember,
  type OrganisationIdentity,
  type OrganisationOutcome,
  type SessionUser,
  type SignedIn,
  type UserAccount,
} from "./accounts.js";
export type { AccountsStore, AccountUser, LinkPurpose, LinkRecord, MemberRow, SessionRecord, Writer } from "./store.js";
