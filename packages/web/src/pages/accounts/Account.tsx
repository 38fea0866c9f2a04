import { useRef, useState, type FormEvent } from "react";
import { accountRoutes } from "@homeward/api";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { Link } from "../../router";
import { useSession } from "../../session";
import { Field } from "../../components/Field";
import { checkPasswords, describedBy, NewPasswordFields, type PasswordErrors } from "./shared";

export function AccountPage() {
  const { user, view } = useSession();
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [errors, setErrors] = useState<PasswordErrors & { current?: string }>({});
  const [serverError, setServerError] = useState<unknown>(null);
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  const currentRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const repeatRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const found = { ...(current ? {} : { current: "Enter your current password." }), ...checkPasswords(password, repeat) };
    setErrors(found);
    setServerError(null);
    setDone("");
    if (found.current) return currentRef.current?.focus();
    if (found.password) return passwordRef.current?.focus();
    if (found.repeat) return repeatRef.current?.focus();
    setBusy(true);
    try {
      await call(accountRoutes.changePassword, { body: { current, password } });
      setCurrent("");
      setPassword("");
      setRepeat("");
      setDone("Password changed. You stay signed in here; your sessions on other browsers have ended.");
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  };

  if (!user) return <>{view ? null : <Loading what="your account" />}</>;
  return (
    <div className="narrow-page stack">
      <PageTitle>Your account</PageTitle>
      <dl className="definition-grid">
        <div>
          <dt>User name</dt>
          <dd>{user.name}</dd>
        </div>
        <div>
          <dt>Name</dt>
          <dd>{user.displayName || "—"}</dd>
        </div>
        <div>
          <dt>Administrator</dt>
          <dd>{user.admin ? <>Yes: you manage <Link to="/users">this Homeward's users</Link></> : "No"}</dd>
        </div>
      </dl>
      <form className="card stack" onSubmit={submit} noValidate aria-labelledby="password-heading">
        <h2 id="password-heading">Change your password</h2>
        <ErrorMessage error={serverError} />
        <input type="text" name="username" autoComplete="username" value={user.name} readOnly hidden />
        <Field id="current-password" label="Current password" error={errors.current}>
          <input
            id="current-password"
            ref={currentRef}
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
            aria-required="true"
            aria-invalid={errors.current ? true : undefined}
            aria-describedby={describedBy("current-password", false, errors.current)}
          />
        </Field>
        <NewPasswordFields
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
            {busy ? "Changing…" : "Change password"}
          </button>
        </div>
        <LiveStatus>{done}</LiveStatus>
      </form>
    </div>
  );
}
