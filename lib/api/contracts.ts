// Every endpoint of the v1 API, by the contract declared beside its handler. The OpenAPI document,
// the browser's typed fetcher and the integration tests' request helper all start here.
import type { Contract, KeyOf } from "@/lib/api/contract";
import { createApiTokenContract, listApiTokensContract } from "@/app/api/v1/api-tokens/contract";
import { revokeApiTokenContract } from "@/app/api/v1/api-tokens/[id]/contract";
import { listConnectedAppsContract } from "@/app/api/v1/connected-apps/contract";
import { revokeConnectedAppContract } from "@/app/api/v1/connected-apps/[id]/contract";
import { featuresContract } from "@/app/api/v1/features/contract";
import { createProviderContract, listProvidersContract } from "@/app/api/v1/mcp-providers/contract";
import { deleteProviderContract, getProviderContract, updateProviderContract } from "@/app/api/v1/mcp-providers/[id]/contract";
import { checkNewProviderContract } from "@/app/api/v1/mcp-providers/check/contract";
import { checkProviderEditContract } from "@/app/api/v1/mcp-providers/[id]/check/contract";
import { checkIdentityContract } from "@/app/api/v1/mcp-providers/[id]/identity-check/contract";
import { providerHistoryContract } from "@/app/api/v1/mcp-providers/[id]/history/contract";
import { endConnectionContract, getConnectionContract, startConnectionContract } from "@/app/api/v1/mcp-providers/[id]/connection/contract";
import { listConnectionsContract } from "@/app/api/v1/mcp-providers/[id]/connections/contract";
import { listToolsContract } from "@/app/api/v1/mcp-providers/[id]/tools/contract";
import { refreshToolsContract } from "@/app/api/v1/mcp-providers/[id]/tools/refresh/contract";
import { callToolContract } from "@/app/api/v1/mcp-providers/[id]/tools/[tool]/call/contract";
import { openApiContract } from "@/app/api/v1/openapi.json/contract";
import { createInvitationContract } from "@/app/api/v1/invitations/contract";
import { revokeInvitationContract } from "@/app/api/v1/invitations/[id]/contract";
import { sendAddressVerificationContract } from "@/app/api/v1/account/email-verification/contract";
import { listReceivedInvitationsContract } from "@/app/api/v1/my-invitations/contract";
import { declineReceivedInvitationContract } from "@/app/api/v1/my-invitations/[id]/contract";
import { acceptReceivedInvitationContract } from "@/app/api/v1/my-invitations/[id]/accept/contract";
import { addMemberContract, listMembersContract } from "@/app/api/v1/members/contract";
import { removeMemberContract, updateMemberContract } from "@/app/api/v1/members/[user_id]/contract";
import { createWorkspaceContract, listWorkspacesContract } from "@/app/api/v1/workspaces/contract";
import { switchWorkspaceContract } from "@/app/api/v1/workspaces/current/contract";
import { getWorkspaceSettingsContract, updateWorkspaceSettingsContract } from "@/app/api/v1/settings/contract";
import { listToolCallsContract } from "@/app/api/v1/tool-calls/contract";
import { verifyToolCallsContract } from "@/app/api/v1/tool-calls/verify/contract";
import { exportToolCallsContract } from "@/app/api/v1/tool-calls/export/contract";
import { listApprovalsContract } from "@/app/api/v1/approvals/contract";
import { decideApprovalContract } from "@/app/api/v1/approvals/[id]/contract";
import { toolCallStatsContract } from "@/app/api/v1/tool-calls/stats/contract";

export const CONTRACTS = [
  listProvidersContract,
  createProviderContract,
  getProviderContract,
  updateProviderContract,
  deleteProviderContract,
  checkNewProviderContract,
  checkProviderEditContract,
  checkIdentityContract,
  providerHistoryContract,
  listToolsContract,
  refreshToolsContract,
  callToolContract,
  getConnectionContract,
  startConnectionContract,
  endConnectionContract,
  listConnectionsContract,
  listToolCallsContract,
  verifyToolCallsContract,
  exportToolCallsContract,
  listApprovalsContract,
  decideApprovalContract,
  toolCallStatsContract,
  featuresContract,
  listApiTokensContract,
  createApiTokenContract,
  revokeApiTokenContract,
  listConnectedAppsContract,
  revokeConnectedAppContract,
  listMembersContract,
  addMemberContract,
  updateMemberContract,
  removeMemberContract,
  createInvitationContract,
  revokeInvitationContract,
  listReceivedInvitationsContract,
  acceptReceivedInvitationContract,
  declineReceivedInvitationContract,
  sendAddressVerificationContract,
  listWorkspacesContract,
  createWorkspaceContract,
  switchWorkspaceContract,
  getWorkspaceSettingsContract,
  updateWorkspaceSettingsContract,
  openApiContract,
] as const satisfies readonly Contract[];

type Contracts = (typeof CONTRACTS)[number];

/** Each endpoint's contract by its key, "PATCH /api/v1/mcp-providers/{id}". */
export type ApiContracts = { [C in Contracts as KeyOf<C>]: C };

export type ApiKey = keyof ApiContracts;
