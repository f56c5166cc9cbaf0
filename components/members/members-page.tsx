"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog } from "@/components/ui/dialog";
import { Field, fieldAria, Input, inputClass } from "@/components/ui/field";
import { ApiClientError, errorMessage } from "@/lib/client/api";
import { useChangeRole, useInvite, useMembers, useRemoveMember, useRevokeInvitation, type CreatedInvitation, type Member } from "@/lib/client/hooks";
import { copyText } from "@/lib/client/clipboard";
import { relativeTime } from "@/lib/client/time";
import { ROLES, type Role } from "@/lib/auth/roles";
import { tableFrameClass } from "@/components/ui/table-frame";
import { RowActions } from "@/components/ui/row-actions";
import { LoadError } from "@/components/ui/load-error";
import { AddressVerification } from "@/components/shell/received-invitations";

const ROLE_LABELS: Record<Role, string> = { member: "Member", admin: "Admin", owner: "Owner" };

/** Whether the member proved the address they use, and how; an account the operator made proved nothing but claims nothing either. */
function addressLabel(member: Member): string {
  if (member.email_verified_by === "sso") return "Verified by SSO";
  if (member.email_verified_by === "email") return "Verified by email";
  return member.email_claimed_only ? "Only claimed" : "Not verified";
}

/** Owners and admins manage who is in the workspace; only owners touch owners. */
export function MembersPage({ myUserId, myRole, myEmail }: { myUserId: string; myRole: Role; myEmail: string }) {
  const members = useMembers();
  const changeRole = useChangeRole();
  const remove = useRemoveMember();
  const revoke = useRevokeInvitation();
  const [removing, setRemoving] = useState<Member | undefined>();
  const [inviting, setInviting] = useState(false);
  const grantable: readonly Role[] = myRole === "owner" ? ROLES : ROLES.filter((role) => role !== "owner");

  return (
    <section aria-labelledby="members-heading" className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 id="members-heading" className="text-2xl font-semibold tracking-tight">Members</h1>
          <p className="mt-1 max-w-2xl text-sm text-muted">
            Owners and admins manage providers and members; members browse providers and call tools as themselves. Removing someone ends their sessions, API tokens and connected apps here at once.
            An address is verified when the person&apos;s SSO provider says so or they followed a link mailed to it; otherwise it is only claimed.
          </p>
          <AddressVerification email={myEmail} />
        </div>
        <Button variant="primary" onClick={() => { setInviting(true); }}>Invite</Button>
      </div>

      {members.isPending ? (
        <p role="status" className="text-sm text-muted">Loading members…</p>
      ) : !members.data ? (
        <LoadError what="members" error={members.error} retry={() => void members.refetch()} />
      ) : (
        <>
          {members.isError && <LoadError banner what="members" error={members.error} retry={() => void members.refetch()} />}
          <div className={tableFrameClass}>
            <table className="w-full text-left text-sm">
              <thead className="bg-zinc-50 text-xs uppercase tracking-wide text-muted dark:bg-zinc-900">
                <tr>
                  <th scope="col" className="px-4 py-2">Member</th>
                  <th scope="col" className="px-4 py-2">Role</th>
                  <th scope="col" className="hidden px-4 py-2 sm:table-cell">Signs in with</th>
                  <th scope="col" className="hidden px-4 py-2 sm:table-cell">Last active</th>
                  <th scope="col" className="px-4 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
                {members.data.data.map((member) => {
                  const locked = member.role === "owner" && myRole !== "owner";
                  return (
                    <tr key={member.user_id} data-testid={`member-${member.email}`}>
                      <td className="px-4 py-2.5">
                        <span className="font-medium">{member.name}</span>
                        {member.user_id === myUserId && <span className="ml-1 text-xs text-muted">(you)</span>}
                        <span className="block text-xs text-muted">
                          {member.email} · <span className={member.email_claimed_only ? "text-amber-700 dark:text-amber-300" : ""}>{addressLabel(member)}</span>
                        </span>
                      </td>
                      <td className="px-4 py-2.5">
                        {locked ? (
                          ROLE_LABELS[member.role]
                        ) : (
                          <select
                            aria-label={`Role of ${member.email}`}
                            value={member.role}
                            disabled={changeRole.isPending}
                            onChange={(event) => { changeRole.mutate({ member, role: event.target.value as Role }); }}
                            className={`${inputClass} w-auto py-1`}
                          >
                            {grantable.map((role) => <option key={role} value={role}>{ROLE_LABELS[role]}</option>)}
                          </select>
                        )}
                      </td>
                      <td className="hidden px-4 py-2.5 text-zinc-600 sm:table-cell dark:text-zinc-400">{member.sign_in.map((method) => (method === "sso" ? "SSO" : "Password")).join(" · ") || "—"}</td>
                      <td className="hidden px-4 py-2.5 text-zinc-600 sm:table-cell dark:text-zinc-400">{member.last_active_at ? relativeTime(member.last_active_at) : "Never"}</td>
                      <td className="px-4 py-2.5 text-right">
                        {!locked && member.user_id !== myUserId && (
                          <RowActions subject={member.email} actions={[{ label: "Remove", destructive: true, onSelect: () => { setRemoving(member); } }]} />
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>

          <section aria-labelledby="invitations-heading" className="space-y-2">
            <h2 id="invitations-heading" className="text-lg font-semibold">Pending invitations</h2>
            {members.data.invitations.length === 0 ? (
              <p className="text-sm text-muted">None. Invite someone, with an account here or not: they join when they accept.</p>
            ) : (
              <ul className="divide-y divide-zinc-200 rounded-xl border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
                {members.data.invitations.map((invitation) => (
                  <li key={invitation.id} className="flex items-center justify-between gap-3 px-4 py-2.5 text-sm">
                    <span>
                      {invitation.email} <span className="text-muted">· {ROLE_LABELS[invitation.role]} · expires {relativeTime(invitation.expires_at)}</span>
                    </span>
                    <Button size="sm" variant="ghost" onClick={() => { revoke.mutate(invitation); }} aria-label={`Revoke the invitation for ${invitation.email}`}>Revoke</Button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}

      <ConfirmDialog
        open={Boolean(removing)}
        onOpenChange={(open) => { if (!open) setRemoving(undefined); }}
        title={`Remove ${removing?.email ?? ""}?`}
        description="Their sessions, API tokens, connected apps and OAuth connections in this workspace end now. Their account stays; invite them again to bring them back."
        confirmLabel="Remove"
        onConfirm={() => {
          if (removing) remove.mutate(removing);
          setRemoving(undefined);
        }}
      />
      {inviting && <InviteDialog grantable={grantable} onClose={() => { setInviting(false); }} />}
    </section>
  );
}

function InviteDialog({ grantable, onClose }: { grantable: readonly Role[]; onClose: () => void }) {
  const invite = useInvite();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [created, setCreated] = useState<CreatedInvitation | undefined>();
  const [copied, setCopied] = useState(false);
  const fieldError = invite.error instanceof ApiClientError ? invite.error.errors.find((e) => e.path === "email")?.message : undefined;

  return (
    <Dialog open onOpenChange={(open) => { if (!open && !invite.isPending) onClose(); }} title={created ? (created.url ? "Invitation link" : "Invitation sent") : "Invite someone"} locked={invite.isPending}>
      {created && !created.url ? (
        <div className="space-y-3">
          <p className="text-sm">
            A one-time link is on its way to <strong>{created.email}</strong>, valid for seven days. They join when they accept it.
          </p>
          <div className="flex justify-end">
            <Button variant="primary" onClick={onClose}>Done</Button>
          </div>
        </div>
      ) : created?.url ? (
        <div className="space-y-3">
          <p className="text-sm">
            Send this link to <strong>{created.email}</strong>. It works once, for seven days, and is shown only now: the console sends no mail.
          </p>
          <Input readOnly value={created.url} aria-label="Invitation link" onFocus={(event) => { event.currentTarget.select(); }} className="font-mono text-xs" />
          <div className="flex justify-end gap-2">
            <Button onClick={() => void copyText(created.url ?? "", "Invitation link").then((done) => { setCopied(done); })}>{copied ? "Copied" : "Copy link"}</Button>
            <Button variant="primary" onClick={onClose}>Done</Button>
          </div>
        </div>
      ) : (
        <form
          className="space-y-4"
          onSubmit={(event) => {
            event.preventDefault();
            invite.mutate({ email, role }, { onSuccess: setCreated });
          }}
        >
          <Field id="invite-email" label="Email" error={fieldError}>
            <Input {...fieldAria("invite-email", fieldError)} type="email" required autoFocus value={email} onChange={(event) => { setEmail(event.target.value); }} autoComplete="off" />
          </Field>
          <Field id="invite-role" label="Role">
            <select id="invite-role" value={role} onChange={(event) => { setRole(event.target.value as Role); }} className={inputClass}>
              {grantable.map((option) => <option key={option} value={option}>{ROLE_LABELS[option]}</option>)}
            </select>
          </Field>
          {invite.isError && !fieldError && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{errorMessage(invite.error)}</p>}
          <div className="flex justify-end gap-2">
            <Button onClick={onClose} disabled={invite.isPending}>Cancel</Button>
            <Button type="submit" variant="primary" disabled={invite.isPending}>{invite.isPending ? "Creating…" : "Create link"}</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
