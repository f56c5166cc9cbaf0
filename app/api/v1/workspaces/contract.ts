import { z } from "zod";
import { defineContract } from "@/lib/api/contract";
import { createWorkspaceSchema, workspaceSchema } from "@/lib/workspaces/workspaces";

export const listWorkspacesContract = defineContract({
  method: "GET",
  path: "/api/v1/workspaces",
  operationId: "listWorkspaces",
  tag: "Workspaces",
  summary: "Your workspaces",
  auth: "caller",
  responses: { 200: { description: "Every workspace you are a member of, and which one this request acts in", schema: z.object({ data: z.array(workspaceSchema) }) } },
  errors: [],
});

export const createWorkspaceContract = defineContract({
  method: "POST",
  path: "/api/v1/workspaces",
  operationId: "createWorkspace",
  tag: "Workspaces",
  summary: "Create a workspace",
  description: "Any user may; they become its owner. Switch to it with PUT /api/v1/workspaces/current.",
  auth: "caller",
  body: createWorkspaceSchema,
  responses: { 201: { description: "Created", schema: workspaceSchema } },
  errors: ["rate_limited"],
});
