"use client";
import { Button } from "@/components/ui/button";
import { useAcceptReceivedInvitation, useDeclineReceivedInvitation, useReceivedInvitations, useSendAddressVerification } from "@/lib/client/hooks";
import { relativeTime } from "@/lib/client/time";

/** Invitations to other workspaces waiting for the signed-in person: accept or decline, here. */
export function ReceivedInvitations() {
  const received = useReceivedInvitations();
  const accept = useAcceptReceivedInvitation();
  const decline = useDeclineReceivedInvitation();
  const invitations = received.data?.data ?? [];
  if (invitations.length === 0) return null;
  const busy = accept.isPending || decline.isPending;
  return (
    <section aria-labelledby="received-invitations-heading" className="mb-6 rounded-xl border border-sky-200 bg-sky-50 p-4 text-sm dark:border-sky-900 dark:bg-sky-950">
      <h2 id="received-invitations-heading" className="font-semibold">Invitations for you</h2>
      <ul className="mt-2 space-y-2">
        {invitations.map((invitation) => (
          <li key={invitation.id} className="flex flex-wrap items-center justify-between gap-2" data-testid={`received-invitation-${invitation.workspace.name}`}>
            <span>
              Join <strong className="break-all">{invitation.workspace.name}</strong> as {invitation.role}
              <span className="text-muted"> · from {invitation.invited_by ?? "a former admin"} · expires {relativeTime(invitation.expires_at)}</span>
            </span>
            <span className="flex gap-2">
              <Button size="sm" onClick={() => { decline.mutate(invitation); }} disabled={busy} aria-label={`Decline the invitation to ${invitation.workspace.name}`}>Decline</Button>
              <Button size="sm" variant="primary" onClick={() => { accept.mutate(invitation); }} disabled={busy} aria-label={`Accept the invitation to ${invitation.workspace.name}`}>Accept</Button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Whether the person's own address is verified, and (with mail) the way to verify it. */
export function AddressVerification({ email }: { email: string }) {
  const received = useReceivedInvitations();
  const send = useSendAddressVerification();
  if (!received.data || received.data.address_verified) return null;
  return (
    <p className="text-sm text-muted">
      Your address {email} is not verified, so invitations sent to it don&apos;t show in the console: open their link instead
      {received.data.can_verify_by_mail ? ", or " : "."}
      {received.data.can_verify_by_mail && (
        <Button size="sm" variant="ghost" onClick={() => { send.mutate(); }} disabled={send.isPending}>mail me a link that verifies it</Button>
      )}
    </p>
  );
}
