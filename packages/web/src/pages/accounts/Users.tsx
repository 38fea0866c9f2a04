import { useState } from "react";
import { accountRoutes, type SignInLink, type UserAccount } from "@homeward/api";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, Loading } from "../../components/Status";
import { formatDate } from "../../format";
import { useApi } from "../../hooks";
import { useSession } from "../../session";
import { LinkPanel } from "./shared";

/** The instance's users, for its administrators: who has an account, and a way back in for one who forgot their password. */
export function UsersPage() {
  const { user, view } = useSession();
  const admin = !!user?.admin;
  const users = useApi((s) => (admin ? call(accountRoutes.listUsers, {}, s) : Promise.resolve([] as UserAccount[])), [admin]);
  const [link, setLink] = useState<{ user: UserAccount; link: SignInLink } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const reset = async (u: UserAccount) => {
    if (busy) return;
    setError(null);
    setBusy(u.name);
    try {
      setLink({ user: u, link: await call(accountRoutes.resetLink, { params: { name: u.name } }) });
      users.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  if (!view) return <Loading what="users" />;
  if (!admin)
    return (
      <>
        <PageTitle>Users</PageTitle>
        <p>Only an administrator of this Homeward can see its users and reset passwords.</p>
      </>
    );
  return (
    <>
      <PageTitle>Users</PageTitle>
      <p className="lead">Everyone with an account on this Homeward. People join a project when its owner adds them on the project's Members page.</p>
      <ErrorMessage error={users.error ?? error} />
      {link ? (
        <LinkPanel
          title={`Password reset link for ${link.user.displayName || link.user.name}`}
          who={link.user.displayName || link.user.name}
          link={link.link}
          onClose={() => setLink(null)}
        />
      ) : null}
      {users.loading && !users.data ? <Loading what="users" /> : null}
      {users.data ? (
        <div className="table-wrap">
          <table className="data-table">
            <caption>{users.data.length === 1 ? "1 user" : `${users.data.length} users`}</caption>
            <thead>
              <tr>
                <th scope="col">User name</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.data.map((u) => (
                <tr key={u.name}>
                  <th scope="row">{u.name}</th>
                  <td>{u.displayName || "—"}</td>
                  <td>
                    {u.active ? "Active" : "Invited, not yet signed in"}
                    {u.admin ? (
                      <>
                        {" "}
                        <span className="badge">Administrator</span>
                      </>
                    ) : null}
                  </td>
                  <td>{u.createdAt ? <time dateTime={u.createdAt}>{formatDate(u.createdAt)}</time> : "—"}</td>
                  <td>
                    <button type="button" className="button-secondary" onClick={() => void reset(u)} aria-disabled={busy !== null}>
                      {busy === u.name ? "Making a link…" : "Reset password"}
                      <span className="visually-hidden"> of {u.name}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
