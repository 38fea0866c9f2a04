import { useEffect, useRef, useState, type FormEvent } from "react";
import { accountRoutes, type MemberView, type SignInLink } from "@homeward/api";
import type { BlindStage, Role } from "@homeward/model";
import { call } from "../../api";
import { PageTitle } from "../../components/PageTitle";
import { ErrorMessage, LiveStatus, Loading } from "../../components/Status";
import { formatDate, formatDateTime } from "../../format";
import { useApi } from "../../hooks";
import { useProject } from "../../project";
import { shownName, useSession } from "../../session";
import { Field } from "../../components/Field";
import { article, BLIND_STAGES, describedBy, LinkPanel, ROLES, roleLabel, roleSentence } from "./shared";

/**
 * Who works on the project and in which role, and whether each stage's dual
 * work is blind. The page hides what the user's role cannot do, but the
 * server decides: a refusal is shown as it says it.
 */
export function MembersPage() {
  const { id, project, reload: reloadProject } = useProject();
  const { user } = useSession();
  const members = useApi((s) => call(accountRoutes.listMembers, { params: { id } }, s), [id]);
  const [link, setLink] = useState<{ title: string; who: string; link: SignInLink } | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [error, setError] = useState<unknown>(null);
  const myRole = members.data?.find((m) => m.userName === user?.name)?.role ?? null;
  const owner = myRole === "owner";
  const owners = members.data?.filter((m) => m.role === "owner").length ?? 0;

  const done = (message: string) => {
    setAnnouncement(message);
    members.reload();
  };

  const newLink = async (m: MemberView) => {
    setError(null);
    try {
      const l = await call(accountRoutes.memberLink, { params: { id, userName: m.userName } });
      setLink({ title: `New invitation link for ${shownName(m)}`, who: shownName(m), link: l });
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <PageTitle>Members</PageTitle>
      <p className="lead">
        Who works on this review, and what each may do: {ROLES.map((r) => roleSentence(r.role)).join("; ")}.
      </p>
      {myRole && !owner ? <p>You are {article(roleLabel(myRole))} {roleLabel(myRole).toLowerCase()} of this project: only its owners change members and blinding.</p> : null}
      <ErrorMessage error={members.error} />
      <ErrorMessage error={error} />
      <LiveStatus className="visually-hidden">{announcement}</LiveStatus>
      {link ? <LinkPanel title={link.title} who={link.who} link={link.link} onClose={() => setLink(null)} /> : null}
      {members.loading && !members.data ? <Loading what="members" /> : null}
      <div className="two-column">
        <div className="stack">
          {members.data ? (
            <MemberTable
              projectId={id}
              members={members.data}
              owner={owner}
              owners={owners}
              me={user?.name ?? null}
              onChanged={done}
              onError={setError}
              onNewLink={(m) => void newLink(m)}
            />
          ) : null}
        </div>
        {owner ? (
          <InviteForm
            projectId={id}
            onAdded={(m, l) => {
              done(`${shownName(m)} added as ${roleLabel(m.role).toLowerCase()}.`);
              setLink(l ? { title: `Invitation link for ${shownName(m)}`, who: shownName(m), link: l } : null);
            }}
          />
        ) : null}
      </div>
      {project ? <Blinding projectId={id} blinding={project.blinding} owner={owner} onChanged={(m) => (reloadProject(), setAnnouncement(m))} /> : null}
    </>
  );
}


function MemberTable({
  projectId,
  members,
  owner,
  owners,
  me,
  onChanged,
  onError,
  onNewLink,
}: {
  projectId: string;
  members: MemberView[];
  owner: boolean;
  owners: number;
  me: string | null;
  onChanged: (message: string) => void;
  onError: (err: unknown) => void;
  onNewLink: (m: MemberView) => void;
}) {
  const [roles, setRoles] = useState<Record<string, Role>>({});
  const [removing, setRemoving] = useState<MemberView | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const removeButtons = useRef(new Map<string, HTMLButtonElement>());
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (removing) confirmRef.current?.focus();
  }, [removing]);

  const saveRole = async (m: MemberView) => {
    const role = roles[m.userName];
    if (!role || role === m.role) return;
    onError(null);
    try {
      const changed = await call(accountRoutes.changeMemberRole, { params: { id: projectId, userName: m.userName }, body: { role } });
      setRoles(({ [m.userName]: _, ...rest }) => rest);
      onChanged(`${shownName(changed)} is now ${article(roleLabel(changed.role))} ${roleLabel(changed.role).toLowerCase()}.`);
    } catch (err) {
      onError(err);
    }
  };

  const remove = async (m: MemberView) => {
    onError(null);
    try {
      await call(accountRoutes.removeMember, { params: { id: projectId, userName: m.userName }, body: {} });
      setRemoving(null);
      headingRef.current?.focus();
      onChanged(`${shownName(m)} removed from the project.`);
    } catch (err) {
      setRemoving(null);
      onError(err);
    }
  };

  const cancelRemove = () => {
    const who = removing;
    setRemoving(null);
    if (who) removeButtons.current.get(who.userName)?.focus();
  };

  return (
    <section className="stack" aria-labelledby="members-heading">
      <h2 id="members-heading" ref={headingRef} tabIndex={-1}>
        {members.length === 1 ? "1 member" : `${members.length} members`}
      </h2>
      <ul className="member-list">
        {members.map((m) => {
          const lastOwner = m.role === "owner" && owners <= 1;
          const draft = roles[m.userName] ?? m.role;
          const selectId = `role-${m.userName}`;
          return (
            <li key={m.userName} className="card member" data-member={m.userName}>
              <div className="member-head">
                <h3>
                  {m.displayName || m.userName}
                  {m.userName === me ? <span className="muted"> (you)</span> : null}
                </h3>
                <p className="muted small">
                  {m.displayName ? <>{m.userName} · </> : null}
                  {roleLabel(m.role)} · {m.pending ? <strong>Invited, not yet signed in</strong> : "Active"} · added{" "}
                  <time dateTime={m.addedAt}>{formatDate(m.addedAt)}</time>
                </p>
              </div>
              {owner && lastOwner ? <p className="hint">The project's only owner: to change this role or remove them, make someone else an owner first.</p> : null}
              {owner && !lastOwner ? (
                <div className="row member-actions">
                  <label htmlFor={selectId} className="visually-hidden">
                    Role of {shownName(m)}
                  </label>
                  <select id={selectId} value={draft} onChange={(e) => setRoles((r) => ({ ...r, [m.userName]: e.target.value as Role }))}>
                    {ROLES.map((r) => (
                      <option key={r.role} value={r.role}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                  {draft !== m.role ? (
                    <button type="button" onClick={() => void saveRole(m)}>
                      Save role<span className="visually-hidden"> of {shownName(m)}</span>
                    </button>
                  ) : null}
                  {m.pending ? (
                    <button type="button" className="button-secondary" onClick={() => onNewLink(m)}>
                      New link<span className="visually-hidden"> for {shownName(m)}</span>
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className="button-secondary"
                    ref={(el) => {
                      if (el) removeButtons.current.set(m.userName, el);
                      else removeButtons.current.delete(m.userName);
                    }}
                    onClick={() => setRemoving(m)}
                  >
                    Remove<span className="visually-hidden"> {shownName(m)}</span>
                  </button>
                </div>
              ) : null}
              {removing?.userName === m.userName ? (
                <div className="alert stack" role="group" aria-label={`Remove ${shownName(m)}`}>
                  <p>
                    Remove {shownName(m)} from this project? Their decisions stay in the project and its audit log.
                  </p>
                  <div className="row">
                    <button type="button" ref={confirmRef} onClick={() => void remove(m)}>
                      Remove {shownName(m)}
                    </button>
                    <button type="button" className="button-secondary" onClick={cancelRemove}>
                      Cancel
                    </button>
                  </div>
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function InviteForm({ projectId, onAdded }: { projectId: string; onAdded: (m: MemberView, link: SignInLink | null) => void }) {
  const [userName, setUserName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [role, setRole] = useState<Role>("reviewer");
  const [nameError, setNameError] = useState("");
  const [serverError, setServerError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setServerError(null);
    if (!userName.trim()) {
      setNameError("Enter the user name they will sign in with.");
      return nameRef.current?.focus();
    }
    setNameError("");
    setBusy(true);
    try {
      const { member, link } = await call(accountRoutes.addMember, {
        params: { id: projectId },
        body: { userName: userName.trim(), displayName: displayName.trim(), role },
      });
      setUserName("");
      setDisplayName("");
      setRole("reviewer");
      onAdded(member, link);
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} noValidate aria-labelledby="invite-heading">
      <h2 id="invite-heading">Add a member</h2>
      <p className="hint">Someone new gets an invitation link to pass on; someone who already has an account joins at once.</p>
      <ErrorMessage error={serverError} />
      <Field id="invite-user-name" label="User name" hint="What they sign in with, e.g. “asmith”." error={nameError}>
        <input
          id="invite-user-name"
          ref={nameRef}
          value={userName}
          onChange={(e) => setUserName(e.target.value)}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          required
          aria-required="true"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={describedBy("invite-user-name", true, nameError)}
        />
      </Field>
      <Field id="invite-display-name" label="Name (optional)" hint="As colleagues see it, e.g. “Ana Smith”.">
        <input id="invite-display-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="off" aria-describedby="invite-display-name-hint" />
      </Field>
      <Field id="invite-role" label="Role" hint={`${roleSentence(role).replace(/^a/, "A")}.`}>
        <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} aria-describedby="invite-role-hint">
          {ROLES.map((r) => (
            <option key={r.role} value={r.role}>
              {r.label}
            </option>
          ))}
        </select>
      </Field>
      <div>
        <button type="submit" aria-disabled={busy}>
          {busy ? "Adding…" : "Add member"}
        </button>
      </div>
    </form>
  );
}

function Blinding({
  projectId,
  blinding,
  owner,
  onChanged,
}: {
  projectId: string;
  blinding: Partial<Record<BlindStage, { liftedBy: string; liftedAt: string }>>;
  owner: boolean;
  onChanged: (message: string) => void;
}) {
  const [editing, setEditing] = useState<BlindStage | null>(null);
  const [reason, setReason] = useState("");
  const [reasonError, setReasonError] = useState("");
  const [error, setError] = useState<unknown>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const buttons = useRef(new Map<BlindStage, HTMLButtonElement>());

  useEffect(() => {
    if (editing) reasonRef.current?.focus();
  }, [editing]);

  const close = (stage: BlindStage | null) => {
    setEditing(null);
    setReason("");
    setReasonError("");
    if (stage) requestAnimationFrame(() => buttons.current.get(stage)?.focus());
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    if (!reason.trim()) {
      setReasonError("Say why: the reason is recorded in the audit log.");
      return reasonRef.current?.focus();
    }
    const blind = !!blinding[editing];
    setError(null);
    try {
      await call(accountRoutes.setBlinding, { params: { id: projectId, stage: editing }, body: { blinded: blind, reason: reason.trim() } });
      const label = BLIND_STAGES.find((s) => s.stage === editing)!.label;
      onChanged(`${label}: ${blind ? "blind again" : "blinding lifted"}.`);
      close(editing);
    } catch (err) {
      setError(err);
    }
  };

  const editingLabel = editing ? BLIND_STAGES.find((s) => s.stage === editing)!.label : "";
  const editingLifted = editing ? !!blinding[editing] : false;
  return (
    <section className="stack" aria-labelledby="blinding-heading">
      <h2 id="blinding-heading">Blinding</h2>
      <p>
        In dual work each reviewer decides without seeing the other's decision until both have decided. An owner may lift blinding for a stage
        (to discuss a pilot, say) and impose it again; each change is recorded with its reason.
      </p>
      <ErrorMessage error={error} />
      <div className="table-wrap">
        <table className="data-table blinding-table">
          <caption className="visually-hidden">Blinding by stage</caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Blinding</th>
              {owner ? (
                <th scope="col">
                  <span className="visually-hidden">Change</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {BLIND_STAGES.map(({ stage, label }) => {
              const lifted = blinding[stage];
              return (
                <tr key={stage} data-stage={stage}>
                  <th scope="row">{label}</th>
                  <td>
                    {lifted ? (
                      <>
                        <strong>Lifted</strong> by {lifted.liftedBy}, <time dateTime={lifted.liftedAt}>{formatDateTime(lifted.liftedAt)}</time>
                      </>
                    ) : (
                      <strong>Blind</strong>
                    )}
                  </td>
                  {owner ? (
                    <td>
                      <button
                        type="button"
                        className="button-secondary"
                        aria-expanded={editing === stage}
                        aria-controls="blinding-form"
                        ref={(el) => {
                          if (el) buttons.current.set(stage, el);
                          else buttons.current.delete(stage);
                        }}
                        onClick={() => (editing === stage ? close(stage) : (setEditing(stage), setReason(""), setReasonError("")))}
                      >
                        {lifted ? "Blind again" : "Lift blinding"}
                        <span className="visually-hidden">: {label}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {owner && editing ? (
        <form id="blinding-form" className="card stack" onSubmit={save} noValidate aria-labelledby="blinding-form-heading">
          <h3 id="blinding-form-heading">
            {editingLifted ? "Blind" : "Lift blinding of"} {editingLabel.toLowerCase()}
            {editingLifted ? " again" : ""}
          </h3>
          <Field id="blinding-reason" label="Reason" hint="Recorded in the audit log with your name." error={reasonError}>
            <textarea
              id="blinding-reason"
              ref={reasonRef}
              rows={2}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              required
              aria-required="true"
              aria-invalid={reasonError ? true : undefined}
              aria-describedby={describedBy("blinding-reason", true, reasonError)}
            />
          </Field>
          <div className="row">
            <button type="submit">{editingLifted ? "Blind again" : "Lift blinding"}</button>
            <button type="button" className="button-secondary" onClick={() => close(editing)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
