import { useRef, useState, type FormEvent } from "react";
import { accountRoutes } from "@homeward/api";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, Loading } from "../../components/Status";
import { formatDateTime } from "../../format";
import { useApi } from "../../hooks";
import { Link, navigate } from "../../router";
import { useSession } from "../../session";
import { checkPasswords, forgetToken, NewPasswordFields, readToken, type PasswordErrors } from "./shared";

/** An invitation or password reset link: the user sets a password and is signed in. */
export function WelcomePage() {
  const session = useSession();
  const [token] = useState(readToken);
  const info = useApi((s) => (token ? call(accountRoutes.linkInfo, { body: { token } }, s) : Promise.resolve(null)), [token]);
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [errors, setErrors] = useState<PasswordErrors>({});
  const [serverError, setServerError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const repeatRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const found = checkPasswords(password, repeat);
    setErrors(found);
    setServerError(null);
    if (found.password) return passwordRef.current?.focus();
    if (found.repeat) return repeatRef.current?.focus();
    setBusy(true);
    try {
      const view = await call(accountRoutes.redeemLink, { body: { token, password } });
      forgetToken();
      session.update(view);
      navigate("/", { replace: true });
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  };

  const link = info.data;
  const reset = link?.purpose === "reset";
  const who = link ? link.displayName || link.userName || "" : "";
  const unusable = !token ? new Error("This page needs the one-time link you were sent; the link is incomplete. Ask the person who sent it for a new one.") : info.error;
  return (
    <div className="narrow-page stack">
      <PageTitle>{reset ? "Choose a new password" : "Welcome to Homeward"}</PageTitle>
      {info.loading && token ? <Loading what="your link" /> : null}
      <ErrorMessage error={unusable}>
        <p>
          A link works once and for a limited time: ask the project owner or an administrator for a new one. If you have set your password
          already, <Link to="/signin">sign in</Link>.
        </p>
      </ErrorMessage>
      {link?.purpose === "setup" ? (
        <p>
          This is the set-up link of a new Homeward. <Link to={`/setup${window.location.hash}`}>Set Homeward up</Link>.
        </p>
      ) : null}
      {link && link.purpose !== "setup" ? (
        <div className="stack">
          <p className="lead">
            {reset ? (
              <>
                A new password for the account <strong>{link.userName}</strong>
                {link.displayName ? ` (${link.displayName})` : ""}. Your other sessions have ended.
              </>
            ) : (
              <>
                {who ? `${who}, you` : "You"} have been invited to review with Homeward as <strong>{link.userName}</strong>. Choose a password to
                finish setting up your account.
              </>
            )}
          </p>
          <p className="hint">
            This link works once, until <time dateTime={link.expiresAt}>{formatDateTime(link.expiresAt)}</time>.
          </p>
        </div>
      ) : null}
      {token && link?.purpose !== "setup" ? (
        <form className="card stack" onSubmit={submit} noValidate aria-labelledby="welcome-heading">
          <h2 id="welcome-heading">{link?.userName ? `Password for ${link.userName}` : "Your password"}</h2>
          {link?.userName ? (
            // Lets a password manager store the password under the right name.
            <input type="text" name="username" autoComplete="username" value={link.userName} readOnly hidden />
          ) : null}
          <ErrorMessage error={serverError} />
          <NewPasswordFields
            label={reset ? "New password" : "Password"}
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
              {busy ? "Saving…" : reset ? "Save the new password" : "Set password and sign in"}
            </button>
          </div>
        </form>
      ) : null}
      {session.user ? (
        <p className="hint">
          You are signed in on this browser as {session.user.displayName || session.user.name}; setting the password signs you in as{" "}
          {link?.userName ?? "the link's user"} instead.
        </p>
      ) : null}
    </div>
  );
}
