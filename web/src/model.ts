// The API's shapes (see the server's schemas) and the role ladder.
export type Role = 'owner' | 'admin' | 'editor' | 'commenter' | 'viewer';
export type NodeKind = 'workspace' | 'folder' | 'study';
/** docs/visibility.md: private (grants only), unlisted (anyone with the URL), public (listed). */
export type Visibility = 'private' | 'unlisted' | 'public';

export interface NodeRead {
  id: string;
  workspace_id: string;
  parent_id: string | null;
  kind: NodeKind;
  name: string;
  visibility: Visibility;
  /** Markdown (rendered without raw HTML). */
  description: string;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  role: Role | null;
}

export interface WorkspaceEntry extends NodeRead {
  shared_entry: boolean;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface TrashEntry {
  id: string;
  kind: NodeKind;
  name: string;
  workspace_id: string;
  version: number;
  original_parent_id: string | null;
  original_path: string[];
  node_count: number;
  trashed_by: string;
  trashed_by_name: string;
  trashed_at: string;
  purge_after: string;
}

export interface RestoreResult {
  node: NodeRead;
  node_count: number;
  original_parent_id: string | null;
  restored_to_workspace_root: boolean;
  renamed_from: string | null;
}

export interface Share {
  node_id: string;
  user_id: string;
  email: string;
  display_name: string;
  role: Role;
  inherited_from: string | null;
  granted_by: string | null;
  created_at: string;
}

export interface ShareLink {
  id: string;
  node_id: string;
  role: Role;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  token?: string;
}

/** The answer of POST /nodes/{id}/duplicate. */
export interface FolderDuplicated {
  node: NodeRead;
  node_count: number;
  chapter_count: number;
}

export interface StudyImport {
  studies: (NodeRead & { chapters: { id: string; name: string }[] })[];
  game_count: number;
  chapter_count: number;
}

export const ROLES: Role[] = ['owner', 'admin', 'editor', 'commenter', 'viewer'];
const RANK: Record<Role, number> = { viewer: 1, commenter: 2, editor: 3, admin: 4, owner: 5 };

/** True when `role` is `min` or stronger (owner > admin > editor > commenter > viewer). */
export function atLeast(role: Role | null | undefined, min: Role): boolean {
  return role ? RANK[role] >= RANK[min] : false;
}

/** What the caller may do on a node with this role (README: Roles). */
export function abilities(role: Role | null | undefined, kind?: NodeKind) {
  return {
    edit: atLeast(role, 'editor'),
    comment: atLeast(role, 'commenter'),
    share: atLeast(role, 'admin'),
    // Trashing needs editor on the parent; a workspace itself needs admin.
    trashChild: atLeast(role, 'editor'),
    trashSelf: kind === 'workspace' ? atLeast(role, 'admin') : atLeast(role, 'editor'),
    purge: atLeast(role, 'admin'),
  };
}

/** Roles a person with `role` may hand out (never above their own; links never owner). */
export function grantableRoles(role: Role | null | undefined, forLink = false): Role[] {
  return ROLES.filter((r) => atLeast(role, r) && !(forLink && r === 'owner'));
}
