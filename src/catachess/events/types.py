"""The closed list of event types and the payload each one carries."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict


class EventType(enum.StrEnum):
    user_registered = "user.registered"
    user_logged_in = "user.logged_in"
    user_logged_out = "user.logged_out"
    node_created = "node.created"
    node_renamed = "node.renamed"
    node_moved = "node.moved"
    node_trashed = "node.trashed"
    node_restored = "node.restored"
    node_purged = "node.purged"
    acl_granted = "acl.granted"
    acl_revoked = "acl.revoked"
    share_link_created = "share_link.created"
    share_link_revoked = "share_link.revoked"
    share_link_accepted = "share_link.accepted"
    invitation_created = "invitation.created"
    invitation_revoked = "invitation.revoked"
    invitation_accepted = "invitation.accepted"
    user_password_changed = "user.password_changed"
    user_disabled = "user.disabled"
    study_chapter_added = "study.chapter_added"
    chapter_renamed = "chapter.renamed"
    chapter_reordered = "chapter.reordered"
    chapter_orientation_set = "chapter.orientation_set"
    chapter_deleted = "chapter.deleted"
    chapter_move_added = "chapter.move_added"
    chapter_moves_deleted = "chapter.moves_deleted"
    chapter_variation_promoted = "chapter.variation_promoted"
    chapter_comment_set = "chapter.comment_set"
    chapter_nags_set = "chapter.nags_set"
    chapter_shapes_set = "chapter.shapes_set"
    chapter_clock_set = "chapter.clock_set"
    chapter_eval_set = "chapter.eval_set"
    chapter_cut = "chapter.cut"
    chapter_variation_extracted = "chapter.variation_extracted"
    chapter_restored = "chapter.restored"
    chapter_undone = "chapter.undone"
    chapter_move_replaced = "chapter.move_replaced"
    study_chapter_restored = "study.chapter_restored"
    export_created = "export.created"
    export_deleted = "export.deleted"
    discussion_thread_created = "discussion.thread_created"
    discussion_thread_updated = "discussion.thread_updated"
    discussion_reply_added = "discussion.reply_added"
    discussion_post_edited = "discussion.post_edited"
    discussion_reaction_added = "discussion.reaction_added"
    discussion_reaction_removed = "discussion.reaction_removed"
    activity_recorded = "activity.recorded"
    node_visibility_set = "node.visibility_set"
    node_description_set = "node.description_set"
    node_duplicated = "node.duplicated"
    study_starred = "study.starred"
    study_unstarred = "study.unstarred"
    study_cloned = "study.cloned"
    study_chapters_copied = "study.chapters_copied"
    chapter_description_set = "chapter.description_set"
    chapter_headers_set = "chapter.headers_set"
    notification_created = "notification.created"
    notifications_read = "notification.read"
    notification_preferences_set = "notification.preferences_set"


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UserRegistered(Payload):
    email: str


class UserPasswordChanged(Payload):
    by: str  # "user" (PUT /users/me/password) or "admin" (catachess users reset-password)
    revoked_tokens: int


class UserDisabled(Payload):
    revoked_tokens: int


class InvitationCreated(Payload):
    invitation_id: uuid.UUID
    email: str
    role: str


class InvitationRevoked(Payload):
    invitation_id: uuid.UUID
    email: str


class InvitationAccepted(Payload):
    invitation_id: uuid.UUID
    user_id: uuid.UUID
    role: str


class UserLoggedIn(Payload):
    token_id: uuid.UUID
    expires_at: str


class UserLoggedOut(Payload):
    token_id: uuid.UUID


class NodeCreated(Payload):
    kind: str
    name: str
    parent_id: uuid.UUID | None


class NodeRenamed(Payload):
    old_name: str
    new_name: str


class NodeMoved(Payload):
    old_parent_id: uuid.UUID | None
    new_parent_id: uuid.UUID
    subtree_size: int


class NodeTrashed(Payload):
    name: str
    parent_id: uuid.UUID | None
    node_count: int
    # Ids from the workspace root down to the parent: an event is read by people who may
    # not read every ancestor, so names are not stored in it (GET /trash shows the ones
    # the reader may read).
    original_path_ids: list[uuid.UUID]


class NodeRestored(Payload):
    parent_id: uuid.UUID | None  # None for a workspace
    original_parent_id: uuid.UUID | None
    node_count: int
    restored_to_root: bool  # the original parent was gone, so it went to the workspace root
    renamed_to: str | None


class NodePurged(Payload):
    name: str
    node_count: int
    reason: str  # "user", "retention", or "workspace_purged" for trash inside a purged workspace
    # Subtrees trashed separately earlier under this one stay in the trash, now at the
    # workspace root (purging a workspace purges them too, each with its own event).
    kept_in_trash: list[uuid.UUID] = []


class AclGranted(Payload):
    user_id: uuid.UUID
    role: str
    previous_role: str | None
    via_share_link: uuid.UUID | None = None


class AclRevoked(Payload):
    user_id: uuid.UUID
    role: str


class ShareLinkCreated(Payload):
    link_id: uuid.UUID
    role: str
    expires_at: str | None


class ShareLinkRevoked(Payload):
    link_id: uuid.UUID


class ShareLinkAccepted(Payload):
    link_id: uuid.UUID
    user_id: uuid.UUID
    role: str


class ChapterPayload(Payload):
    """Chapter events name their study; the target is the chapter itself."""

    study_id: uuid.UUID


class StudyChapterAdded(ChapterPayload):
    name: str
    position: int
    node_count: int
    source: str  # "pgn", "fen", "variation" or "copy"


class StudyChapterCopied(StudyChapterAdded):
    """The payload of study.chapter_added for a copy: it names the chapter it copied."""

    source_chapter_id: uuid.UUID


class ChapterRenamed(ChapterPayload):
    old_name: str
    new_name: str


class ChapterReordered(ChapterPayload):
    old_position: int
    new_position: int


class ChapterOrientationSet(ChapterPayload):
    orientation: str


class ChapterDeleted(ChapterPayload):
    name: str
    position: int
    node_count: int


class ChapterMoveAdded(ChapterPayload):
    move_id: str
    parent_move_id: str | None
    san: str
    uci: str


class ChapterMovesDeleted(ChapterPayload):
    move_ids: list[str]


class ChapterVariationPromoted(ChapterPayload):
    move_id: str
    to_mainline: bool
    move_ids: list[str]  # the moves whose order among their siblings changed


class ChapterCommentSet(ChapterPayload):
    move_id: str | None  # None: the comment before the first move
    length: int  # 0: cleared


class ChapterNagsSet(ChapterPayload):
    move_id: str
    nags: list[int]


class ChapterShapesSet(ChapterPayload):
    move_id: str
    shape_count: int


class ChapterClockSet(ChapterPayload):
    move_id: str
    clock: float | None  # seconds; None: cleared


class ChapterEvalSet(ChapterPayload):
    move_id: str
    pawns: float | None  # White's point of view; both None: cleared
    mate: int | None


class ChapterCut(ChapterPayload):
    move_id: str  # the chapter now starts at the position after this move
    removed_move_ids: list[str]
    start_fen: str


class ChapterVariationExtracted(ChapterPayload):
    move_id: str
    new_chapter_id: uuid.UUID
    move_ids: list[str]


class ChapterRestored(ChapterPayload):
    restored_version: int  # the version whose state is now the chapter's


class ChapterUndone(ChapterPayload):
    undone_version: int  # the caller's change that was taken back
    restored_version: int  # the version before it, whose state is now the chapter's


class ChapterMoveReplaced(ChapterPayload):
    move_id: str
    old_san: str
    new_san: str
    kept_move_ids: list[str]  # moves after it, replayed on the new position
    cut_move_ids: list[str]  # moves after it that were no longer legal there


class StudyChapterRestored(ChapterPayload):
    """A deleted chapter came back (with its discussions), at the end of the study."""

    name: str
    position: int
    thread_count: int


class ExportCreated(Payload):
    export_id: uuid.UUID
    node_id: uuid.UUID
    mode: str
    format: str
    study_count: int
    chapter_count: int
    size_bytes: int


class ExportDeleted(Payload):
    export_id: uuid.UUID
    node_id: uuid.UUID


class DiscussionThreadCreated(Payload):
    study_id: uuid.UUID
    chapter_id: uuid.UUID | None
    move_id: str | None
    title: str
    post_id: uuid.UUID


class DiscussionThreadUpdated(Payload):
    """Only the fields that changed are present."""

    title: str | None = None
    resolved: bool | None = None
    pinned: bool | None = None


class DiscussionReplyAdded(Payload):
    post_id: uuid.UUID
    parent_post_id: uuid.UUID | None
    depth: int


class DiscussionPostEdited(Payload):
    thread_id: uuid.UUID


class DiscussionReaction(Payload):
    thread_id: uuid.UUID
    kind: str


class ActivityRecorded(Payload):
    entry_id: uuid.UUID
    node_id: uuid.UUID
    source_event_type: str
    summary: str


class NodeVisibilitySet(Payload):
    old_visibility: str
    new_visibility: str


class DescriptionSet(Payload):
    length: int  # characters of Markdown; the text itself is read from the node


class NodeDuplicated(Payload):
    source_id: uuid.UUID  # the node that was copied
    copy_id: uuid.UUID
    parent_id: uuid.UUID
    node_count: int
    chapter_count: int


class StudyStar(Payload):
    star_count: int


class StudyCloned(Payload):
    source_study_id: uuid.UUID
    copy_ids: list[uuid.UUID]  # the new study, and the further ones past 64 chapters
    chapter_count: int


class StudyChaptersCopied(Payload):
    source_study_id: uuid.UUID
    source_chapter_ids: list[uuid.UUID]
    target_study_ids: list[uuid.UUID]
    moved: bool  # the chapters left their source study


class ChapterDescriptionSet(ChapterPayload):
    length: int


class ChapterHeadersSet(ChapterPayload):
    set: dict[str, str]
    removed: list[str]


class NotificationCreated(Payload):
    """Account event of the recipient (target: the user)."""

    notification_id: uuid.UUID
    kind: str
    source_event_id: uuid.UUID
    summary: str


class NotificationsRead(Payload):
    notification_ids: list[uuid.UUID]


class NotificationPreferencesSet(Payload):
    disabled_kinds: list[str]


PAYLOADS: dict[EventType, type[Payload]] = {
    EventType.user_registered: UserRegistered,
    EventType.user_logged_in: UserLoggedIn,
    EventType.user_logged_out: UserLoggedOut,
    EventType.node_created: NodeCreated,
    EventType.node_renamed: NodeRenamed,
    EventType.node_moved: NodeMoved,
    EventType.node_trashed: NodeTrashed,
    EventType.node_restored: NodeRestored,
    EventType.node_purged: NodePurged,
    EventType.acl_granted: AclGranted,
    EventType.acl_revoked: AclRevoked,
    EventType.share_link_created: ShareLinkCreated,
    EventType.share_link_revoked: ShareLinkRevoked,
    EventType.share_link_accepted: ShareLinkAccepted,
    EventType.invitation_created: InvitationCreated,
    EventType.invitation_revoked: InvitationRevoked,
    EventType.invitation_accepted: InvitationAccepted,
    EventType.user_password_changed: UserPasswordChanged,
    EventType.user_disabled: UserDisabled,
    EventType.study_chapter_added: StudyChapterAdded,
    EventType.chapter_renamed: ChapterRenamed,
    EventType.chapter_reordered: ChapterReordered,
    EventType.chapter_orientation_set: ChapterOrientationSet,
    EventType.chapter_deleted: ChapterDeleted,
    EventType.chapter_move_added: ChapterMoveAdded,
    EventType.chapter_moves_deleted: ChapterMovesDeleted,
    EventType.chapter_variation_promoted: ChapterVariationPromoted,
    EventType.chapter_comment_set: ChapterCommentSet,
    EventType.chapter_nags_set: ChapterNagsSet,
    EventType.chapter_shapes_set: ChapterShapesSet,
    EventType.chapter_clock_set: ChapterClockSet,
    EventType.chapter_eval_set: ChapterEvalSet,
    EventType.chapter_cut: ChapterCut,
    EventType.chapter_variation_extracted: ChapterVariationExtracted,
    EventType.chapter_restored: ChapterRestored,
    EventType.chapter_undone: ChapterUndone,
    EventType.chapter_move_replaced: ChapterMoveReplaced,
    EventType.study_chapter_restored: StudyChapterRestored,
    EventType.export_created: ExportCreated,
    EventType.export_deleted: ExportDeleted,
    EventType.discussion_thread_created: DiscussionThreadCreated,
    EventType.discussion_thread_updated: DiscussionThreadUpdated,
    EventType.discussion_reply_added: DiscussionReplyAdded,
    EventType.discussion_post_edited: DiscussionPostEdited,
    EventType.discussion_reaction_added: DiscussionReaction,
    EventType.discussion_reaction_removed: DiscussionReaction,
    EventType.activity_recorded: ActivityRecorded,
    EventType.node_visibility_set: NodeVisibilitySet,
    EventType.node_description_set: DescriptionSet,
    EventType.node_duplicated: NodeDuplicated,
    EventType.study_starred: StudyStar,
    EventType.study_unstarred: StudyStar,
    EventType.study_cloned: StudyCloned,
    EventType.study_chapters_copied: StudyChaptersCopied,
    EventType.chapter_description_set: ChapterDescriptionSet,
    EventType.chapter_headers_set: ChapterHeadersSet,
    EventType.notification_created: NotificationCreated,
    EventType.notifications_read: NotificationsRead,
    EventType.notification_preferences_set: NotificationPreferencesSet,
}


def validate_payload(event_type: EventType, payload: Payload | dict[str, Any]) -> dict[str, Any]:
    """Check a payload against its event type's model and return its JSON form."""
    model = PAYLOADS[event_type]
    if not isinstance(payload, model):
        payload = model.model_validate(payload)
    return payload.model_dump(mode="json")
