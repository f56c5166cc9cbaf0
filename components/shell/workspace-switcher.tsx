"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { Field, fieldAria, Input, inputClass } from "@/components/ui/field";
import { errorMessage } from "@/lib/client/api";
import { useCreateWorkspace, useSwitchWorkspace, useWorkspaces } from "@/lib/client/hooks";

const NEW = "__new__";

/** The session's workspace, and the way to another one (or a new one). */
export function WorkspaceSwitcher({ current }: { current: string }) {
  const workspaces = useWorkspaces();
  const switchTo = useSwitchWorkspace();
  const [creating, setCreating] = useState(false);
  const list = workspaces.data?.data ?? [];
  const selected = list.find((w) => w.current)?.id ?? "";
  return (
    <>
      <select
        aria-label="Workspace"
        value={selected}
        disabled={switchTo.isPending || workspaces.isPending}
        onChange={(event) => {
          if (event.target.value === NEW) setCreating(true);
          else switchTo.mutate(event.target.value);
        }}
        className={`${inputClass} w-auto max-w-32 truncate py-1 text-xs sm:max-w-48`}
      >
        {list.length === 0 && <option value="">{current}</option>}
        {list.map((workspace) => <option key={workspace.id} value={workspace.id}>{workspace.name}</option>)}
        <option value={NEW}>New workspace…</option>
      </select>
      {creating && <NewWorkspaceDialog onClose={() => { setCreating(false); }} onCreated={(id) => {
        setCreating(false);
        switchTo.mutate(id);
      }} />}
    </>
  );
}

function NewWorkspaceDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const create = useCreateWorkspace();
  const [name, setName] = useState("");
  const error = create.isError ? errorMessage(create.error) : undefined;
  return (
    <Dialog open onOpenChange={(open) => { if (!open && !create.isPending) onClose(); }} title="New workspace" description="You will be its owner; its providers, members and tokens are its own." locked={create.isPending}>
      <form
        className="space-y-4"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(name, { onSuccess: (workspace) => { onCreated(workspace.id); } });
        }}
      >
        <Field id="workspace-name" label="Name" error={error}>
          <Input {...fieldAria("workspace-name", error)} required maxLength={60} autoFocus value={name} onChange={(event) => { setName(event.target.value); }} />
        </Field>
        <div className="flex justify-end gap-2">
          <Button onClick={onClose} disabled={create.isPending}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>{create.isPending ? "Creating…" : "Create and switch"}</Button>
        </div>
      </form>
    </Dialog>
  );
}
