import { useEffect } from 'preact/hooks';
import { useController } from '../../ctrl';
import { crumbDrop } from '../../layout/crumbs';
import type { NodeRead } from '../../model';
import { nodePath, paths } from '../../router';
import { currentUser, useSession } from '../../session';
import { Button, Icon, Link, type MenuItem, openMenu, openMenuBelow } from '../../ui';
import { emptyFilters, searchPath } from '../search/query';
import { ShareDialog } from '../share/ShareDialog';
import { Description } from './Description';
import { CreateDialog, DuplicateDialog, ImportDialog, MoveDialog, RenameDialog } from './dialogs';
import { NodeCtrl } from './nodeCtrl';

export function NodePage({ nodeId }: { nodeId: string }) {
  const ctrl = useController(() => new NodeCtrl(nodeId), [nodeId]);
  const { user } = useSession();
  const node = ctrl.node;
  useEffect(() => {
    crumbDrop.set({ canDrop: (id) => ctrl.canDrop(id), drop: (id) => void ctrl.drop(id) });
    return () => crumbDrop.set(null);
  }, [ctrl]);
  if (ctrl.loading) return <p class="page muted">Loading…</p>;
  if (ctrl.notFound || !node)
    return (
      <section class="page">
        <h1>Not found</h1>
        <p>{ctrl.loadError ?? 'This folder does not exist, is in the trash, or is not shared with you.'}</p>
        <Link href={paths.home()}>Back to my workspaces</Link>
      </section>
    );
  const can = ctrl.can;
  return (
    <section class="page" data-role={node.role}>
      <div class="page-head">
        <h1>
          <Icon name={node.kind} size={22} />{' '}
          {node.name}
        </h1>
        <span class={`badge role-${node.role}`} title="Your role here">
          {node.role}
        </span>
        <VisibilityBadge node={node} />
        <NodeMenu ctrl={ctrl} node={node} />
      </div>
      <Description ctrl={ctrl} node={node} />
      <div class="toolbar">
        {can.edit && (
          <>
            <Button kind="primary" class="new-folder" onClick={() => ctrl.open({ kind: 'create', nodeKind: 'folder' })}>
              New folder
            </Button>
            <Button class="new-study" onClick={() => ctrl.open({ kind: 'create', nodeKind: 'study' })}>
              New study
            </Button>
            <Button class="import-pgn" onClick={() => ctrl.open({ kind: 'import' })}>
              Import PGN
            </Button>
          </>
        )}
        {user && (
          <Link href={searchPath({ ...emptyFilters(), under: node.id })} class="btn search-here">
            Search in here
          </Link>
        )}
        {can.share && (
          <Button class="share-node" onClick={() => ctrl.open({ kind: 'share', node })}>
            Share
          </Button>
        )}
      </div>
      {ctrl.children.length === 0 ? (
        <p class="muted empty">{can.edit ? 'Empty. Create a folder or a study, or import a PGN file.' : 'Empty.'}</p>
      ) : (
        <ul class="rows" aria-label="Contents">
          {ctrl.children.map((child) => (
            <Row key={child.id} ctrl={ctrl} node={child} />
          ))}
        </ul>
      )}
      {ctrl.nextCursor && (
        <Button class="load-more" busy={ctrl.loadingMore} onClick={() => void ctrl.loadMore()}>
          Load more
        </Button>
      )}
      <Dialogs ctrl={ctrl} />
    </section>
  );
}

/** Unlisted and public nodes say so (private is the default, shown by nothing). */
function VisibilityBadge({ node }: { node: NodeRead }) {
  if (node.visibility === 'private') return null;
  return (
    <span class={`badge visibility-${node.visibility}`} title={node.visibility === 'public' ? 'Anyone can read it; listed on the public page' : 'Anyone with the address can read it'}>
      {node.visibility}
    </span>
  );
}

/** Actions on the page's own node (rename it, trash it); a workspace needs admin to trash. */
function NodeMenu({ ctrl, node }: { ctrl: NodeCtrl; node: NodeRead }) {
  const can = ctrl.can;
  const items: MenuItem[] = [];
  if (can.edit) items.push({ label: 'Rename…', onSelect: () => ctrl.open({ kind: 'rename', node }) });
  items.push(...duplicateItem(ctrl, node));
  if (can.trashSelf) items.push({ label: 'Move to trash', danger: true, onSelect: () => void ctrl.trash(node) });
  if (items.length === 0) return null;
  return (
    <button type="button" class="row-menu node-menu" aria-label={`Actions for ${node.name}`} onClick={(event) => openMenuBelow(event.currentTarget, items)}>
      ⋯
    </button>
  );
}

/** Anyone signed in who reads a folder may copy it (a reader: into their own workspace). */
function duplicateItem(ctrl: NodeCtrl, node: NodeRead): MenuItem[] {
  return node.kind === 'folder' && currentUser() ? [{ label: 'Duplicate…', onSelect: () => ctrl.open({ kind: 'duplicate', node }) }] : [];
}

function rowMenu(ctrl: NodeCtrl, node: NodeRead): MenuItem[] {
  const can = ctrl.can;
  const items: MenuItem[] = [];
  if (can.edit) {
    items.push({ label: 'Rename…', onSelect: () => ctrl.open({ kind: 'rename', node }) });
    items.push({ label: 'Move to…', onSelect: () => ctrl.open({ kind: 'move', node }) });
  }
  items.push(...duplicateItem(ctrl, node));
  if (can.share) items.push({ label: 'Share…', onSelect: () => ctrl.open({ kind: 'share', node: { ...node, role: ctrl.node?.role ?? null } }) });
  if (can.trashChild) items.push({ label: 'Move to trash', danger: true, onSelect: () => void ctrl.trash(node) });
  return items;
}

function Row({ ctrl, node }: { ctrl: NodeCtrl; node: NodeRead }) {
  const can = ctrl.can;
  const items = rowMenu(ctrl, node);
  const isFolder = node.kind === 'folder';
  const over = ctrl.dropTarget === node.id;
  return (
    <li
      class={`row${over ? ' is-drop-target' : ''}${ctrl.dragging?.id === node.id ? ' is-dragging' : ''}`}
      data-node-id={node.id}
      data-kind={node.kind}
      draggable={can.edit}
      onDragStart={(event) => {
        event.dataTransfer?.setData('text/plain', node.id);
        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
        ctrl.dragStart(node);
      }}
      onDragEnd={() => ctrl.dragEnd()}
      onDragOver={(event) => {
        if (isFolder && ctrl.canDrop(node.id)) {
          event.preventDefault();
          ctrl.dragOver(node.id);
        }
      }}
      onDragLeave={() => over && ctrl.dragOver(null)}
      onDrop={(event) => {
        event.preventDefault();
        if (isFolder) void ctrl.drop(node.id);
      }}
      onContextMenu={(event) => {
        if (items.length === 0) return;
        event.preventDefault();
        openMenu({ x: event.clientX, y: event.clientY }, items);
      }}
    >
      <Link href={nodePath(node)} class="row-link" draggable={false}>
        <span class="row-icon" aria-hidden="true">
          <Icon name={node.kind} />
        </span>
        <span class="row-name">{node.name}</span>
        <VisibilityBadge node={node} />
        <span class="row-kind">{node.kind}</span>
      </Link>
      {items.length > 0 && (
        <button type="button" class="row-menu" aria-label={`Actions for ${node.name}`} onClick={(event) => openMenuBelow(event.currentTarget, items)}>
          ⋯
        </button>
      )}
    </li>
  );
}

function Dialogs({ ctrl }: { ctrl: NodeCtrl }) {
  const dialog = ctrl.dialog;
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'create':
      return <CreateDialog ctrl={ctrl} kind={dialog.nodeKind} />;
    case 'rename':
      return <RenameDialog ctrl={ctrl} node={dialog.node} />;
    case 'move':
      return <MoveDialog ctrl={ctrl} node={dialog.node} />;
    case 'duplicate':
      return <DuplicateDialog ctrl={ctrl} node={dialog.node} />;
    case 'import':
      return <ImportDialog ctrl={ctrl} />;
    case 'share':
      return <ShareDialog node={dialog.node} onClose={() => ctrl.open(null)} onNodeChanged={(node) => ctrl.nodeChanged(node)} />;
  }
}
