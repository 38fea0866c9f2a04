import { useRef, useState, type FormEvent } from "react";
import { accountRoutes } from "@homeward/api";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, Loading } from "../../components/Status";
import { Link, navigate, useSearchParam } from "../../router";
import { safeNext, shownName, useSession } from "../../session";
import { Field } from "../../components/Field";
import { describedBy } from "./shared";

export function SignInPage() {
  const session = useSession();
  const [nextParam] = useSearchParam("next");
  const next = safeNext(nextParam);
  // Organisation sign-in comes back here with the reason when it fails.
  const [returnedError] = useSearchParam("error");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<{ name?: string; password?: string }>({});
  const [serverError, setServerError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const found: typeof errors = {};
    if (!name.trim()) found.name = "Enter your user name.";
    if (!password) found.password = "Enter your password.";
    setErrors(found);
    setServerError(null);
    if (found.name) return nameRef.current?.focus();
    if (found.password) return passwordRef.current?.focus();
    setBusy(true);
    try {
      const view = await call(accountRoutes.signIn, { body: { name: name.trim(), password } });
      session.update(view);
      navigate(next, { replace: true });
    } catch (err) {
      setPassword("");
      // The server's words are shown as they are, a 429 (too many attempts, and how long to wait) included.
      setServerError(err);
    } finally {
      setBusy(false);
    }
  };

  const view = session.view;
  const oidc = view?.oidc;
  return (
    <div className="narrow-page stack">
      <PageTitle>Sign in</PageTitle>
      {!view && !session.error ? <Loading what="sign-in" /> : null}
      <ErrorMessage error={session.error} />
      {returnedError ? <ErrorMessage error={new Error(`Sign-in with your organisation did not work: ${returnedError.slice(0, 300)}`)} /> : null}
      {session.user ? (
        <div className="alert stack">
          <p>
            You are signed in as <strong>{shownName(session.user)}</strong>. Signing in here changes who you are on this browser.
          </p>
          <p>
            <Link to={next}>Continue as {shownName(session.user)}</Link>
          </p>
        </div>
      ) : null}
      {view?.setupNeeded ? (
        <div className="alert stack" role="note">
          <p>
            <strong>Homeward is not set up yet.</strong> The server printed a one-time set-up link when it started (“Open this one-time link to set up
            Homeward”). Open that link to create the first owner account.
          </p>
        </div>
      ) : null}
      <form className="card stack" onSubmit={submit} noValidate aria-labelledby="signin-heading">
        <h2 id="signin-heading">With your Homeward account</h2>
        <ErrorMessage error={serverError} />
        <Field id="signin-name" label="User name" error={errors.name}>
          <input
            id="signin-name"
            ref={nameRef}
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            aria-required="true"
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={describedBy("signin-name", false, errors.name)}
          />
        </Field>
        <Field id="signin-password" label="Password" error={errors.password}>
          <input
            id="signin-password"
            ref={passwordRef}
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete="current-password"
            required
            aria-required="true"
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={describedBy("signin-password", false, errors.password)}
          />
        </Field>
        <div>
          <button type="submit" aria-disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </div>
        <p className="hint">Forgotten your password? Ask an administrator of this Homeward for a password reset link.</p>
      </form>
      {oidc?.enabled ? (
        <section className="card stack" aria-labelledby="oidc-heading">
          <h2 id="oidc-heading">With your organisation's account</h2>
          <p>
            {/* A full page load: the organisation's sign-in page takes over, then returns here. */}
            <a className="button" href={`/api/auth/oidc/start?next=${encodeURIComponent(next)}`}>
              Sign in with {oidc.label || "your organisation"}
            </a>
          </p>
        </section>
      ) : null}
    </div>
  );
}
