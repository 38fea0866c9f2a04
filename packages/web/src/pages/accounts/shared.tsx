import "./accounts.css";
import { useEffect, useRef, useState, type RefObject } from "react";
import { MIN_PASSWORD_LENGTH, type BlindStage, type Role } from "@homeward/model";
import type { SignInLink } from "@homeward/api";
import { Field } from "../../components/Field";
import { LiveStatus } from "../../components/Status";
import { formatDateTime } from "../../format";

export const ROLES: { role: Role; label: string; hint: string }[] = [
  { role: "owner", label: "Owner", hint: "sets the project up, manages members and blinding" },
  { role: "adjudicator", label: "Adjudicator", hint: "reconciles conflicts and checks colleagues' work, and reviews" },
  { role: "reviewer", label: "Reviewer", hint: "screens, extracts and appraises" },
  { role: "viewer", label: "Viewer", hint: "reads the project" },
];
export const roleLabel = (r: Role) => ROLES.find((x) => x.role === r)?.label ?? r;
export const article = (word: string) => (/^[aeiou]/i.test(word) ? "an" : "a");
/** "a reviewer screens, extracts and appraises" */
export const roleSentence = (r: Role) => {
  const x = ROLES.find((y) => y.role === r)!;
  return `${article(x.label)} ${x.label.toLowerCase()} ${x.hint}`;
};

export const BLIND_STAGES: { stage: BlindStage; label: string }[] = [
  { stage: "title_abstract", label: "Title and abstract screening" },
  { stage: "full_text", label: "Full-text screening" },
  { stage: "extraction", label: "Data extraction" },
  { stage: "appraisal", label: "Risk-of-bias appraisal" },
  { stage: "cerqual", label: "CERQual assessment" },
];

/**
 * The token of a one-time link. It travels after `#`, which browsers never
 * send, so it stays out of server and proxy logs.
 */
export function readToken(): string {
  return new URLSearchParams(window.location.hash.replace(/^#/, "")).get("token")?.trim() ?? "";
}

/** Drops the used token from the address bar and history, so a shared screen or a back button cannot replay it. */
export function forgetToken(): void {
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
}

/** aria-describedby for a field: its hint, then its error. */
export const describedBy = (id: string, hint: boolean, error: string | undefined) =>
  [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;

export interface PasswordErrors {
  password?: string;
  repeat?: string;
}

export function checkPasswords(password: string, repeat: string): PasswordErrors {
  const e: PasswordErrors = {};
  if (password.length < MIN_PASSWORD_LENGTH) e.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  else if (repeat !== password) e.repeat = "The two passwords differ. Type the same password in both fields.";
  return e;
}

/** A new password typed twice, so a typing slip cannot lock the user out. */
export function NewPasswordFields({
  password,
  repeat,
  onPassword,
  onRepeat,
  errors,
  passwordRef,
  repeatRef,
  label = "New password",
}: {
  password: string;
  repeat: string;
  onPassword: (v: string) => void;
  onRepeat: (v: string) => void;
  errors: PasswordErrors;
  passwordRef: RefObject<HTMLInputElement | null>;
  repeatRef: RefObject<HTMLInputElement | null>;
  label?: string;
}) {
  return (
    <>
      <Field id="new-password" label={label} hint={`At least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a strong password that is easy to remember.`} error={errors.password}>
        <input
          id="new-password"
          ref={passwordRef}
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => onPassword(e.target.value)}
          required
          aria-required="true"
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={describedBy("new-password", true, errors.password)}
        />
      </Field>
      <Field id="repeat-password" label="Repeat the password" error={errors.repeat}>
        <input
          id="repeat-password"
          ref={repeatRef}
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => onRepeat(e.target.value)}
          required
          aria-required="true"
          aria-invalid={errors.repeat ? true : undefined}
          aria-describedby={describedBy("repeat-password", false, errors.repeat)}
        />
      </Field>
    </>
  );
}

/** The full address of a link the server returned as a path of this app. */
export const fullUrl = (link: SignInLink) => `${window.location.origin}${link.path}`;

/**
 * A one-time link for the owner or administrator to pass on: Homeward sends
 * no e-mail. Takes focus when shown, so the result of the action is where the
 * user is.
 */
export function LinkPanel({ title, link, who, onClose }: { title: string; link: SignInLink; who: string; onClose?: () => void }) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState("");
  const url = fullUrl(link);
  useEffect(() => {
    headingRef.current?.focus();
    setCopied("");
  }, [url]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("Link copied.");
    } catch {
      // No clipboard permission: select the text so Ctrl+C copies it.
      inputRef.current?.focus();
      inputRef.current?.select();
      setCopied("Copying was refused by the browser: the link is selected, press Ctrl+C (⌘C on a Mac) to copy it.");
    }
  };

  return (
    <section className="card stack link-panel" aria-labelledby="link-panel-heading">
      <h2 id="link-panel-heading" ref={headingRef} tabIndex={-1}>
        {title}
      </h2>
      <p>
        Pass this link to {who} yourself (by e-mail or chat): Homeward sends no e-mail. It works once, until{" "}
        <time dateTime={link.expiresAt}>{formatDateTime(link.expiresAt)}</time>. Anyone with the link can set the password, so send it only to them.
      </p>
      <div className="field">
        <label htmlFor="one-time-link">One-time link for {who}</label>
        <div className="row link-row">
          <input id="one-time-link" ref={inputRef} readOnly value={url} onFocus={(e) => e.currentTarget.select()} className="link-input" />
          <button type="button" onClick={() => void copy()}>
            Copy link
          </button>
          {onClose ? (
            <button type="button" className="button-secondary" onClick={onClose}>
              Done
            </button>
          ) : null}
        </div>
      </div>
      <LiveStatus>{copied}</LiveStatus>
    </section>
  );
}
