import { useRef, useState, type FormEvent } from "react";
import { accountRoutes } from "@homeward/api";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, Loading } from "../../components/Status";
import { useApi } from "../../hooks";
import { Link, navigate } from "../../router";
import { useSession } from "../../session";
import { Field } from "../../components/Field";
import { checkPasswords, describedBy, forgetToken, NewPasswordFields, readToken, type PasswordErrors } from "./shared";

/** The first start: the one-time link the server printed makes its first owner (and administrator). */
export function SetupPage() {
  const session = useSession();
  const [token] = useState(readToken);
  const info = useApi((s) => (token ? call(accountRoutes.linkInfo, { body: { token } }, s) : Promise.resolve(null)), [token]);
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [errors, setErrors] = useState<PasswordErrors & { name?: string }>({});
  const [serverError, setServerError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const repeatRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const found = { ...checkPasswords(password, repeat), ...(name.trim() ? {} : { name: "Choose a user name: you sign in with it." }) };
    setErrors(found);
    setServerError(null);
    if (found.name) return nameRef.current?.focus();
    if (found.password) return passwordRef.current?.focus();
    if (found.repeat) return repeatRef.current?.focus();
    setBusy(true);
    try {
      const view = await call(accountRoutes.setup, { body: { token, name: name.trim(), displayName: displayName.trim(), password } });
      forgetToken();
      session.update(view);
      navigate("/", { replace: true });
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  };

  const unusable = !token ? new Error("This page needs the one-time set-up link the server printed when it started; the link is incomplete.") : info.error;
  return (
    <div className="narrow-page stack">
      <PageTitle>Set up Homeward</PageTitle>
      <p className="lead">Create the first account. It owns the example project and every project it creates, and administers this Homeward: it can invite colleagues and reset their passwords.</p>
      {info.loading && token ? <Loading what="the set-up link" /> : null}
      <ErrorMessage error={unusable}>
        <p>
          If Homeward is already set up, <Link to="/signin">sign in</Link>.
        </p>
      </ErrorMessage>
      {/* The form stays even when the link looks unusable: the server has the last word when it is sent. */}
      {token ? (
        <form className="card stack" onSubmit={submit} noValidate aria-labelledby="setup-heading">
          <h2 id="setup-heading">Your owner account</h2>
          <ErrorMessage error={serverError} />
          <Field id="setup-name" label="User name" hint="What you sign in with, and how the audit log names you, e.g. “jsmith”." error={errors.name}>
            <input
              id="setup-name"
              ref={nameRef}
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              aria-required="true"
              aria-invalid={errors.name ? true : undefined}
              aria-describedby={describedBy("setup-name", true, errors.name)}
            />
          </Field>
          <Field id="setup-display-name" label="Your name (optional)" hint="As colleagues see it, e.g. “Jo Smith”.">
            <input id="setup-display-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" aria-describedby="setup-display-name-hint" />
          </Field>
          <NewPasswordFields
            label="Password"
            password={password}
            repeat={repeat}
            onPassword={setPassword}
            onRepeat={setRepeat}
            errors={errors}
            passwordRef={passwordRef}
            repeatRef={repeatRef}
          />
          <div>
            <button type="submit" aria-disabled={busy}>
              {busy ? "Setting up…" : "Create the owner account"}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
