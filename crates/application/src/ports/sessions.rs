//! Port: where sessions (and the events that accompany their changes) are kept.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sessions_domain::{
    Cause, DeviceToken, RefreshToken, RevocationReason, Session, SessionEvent, SessionFilter,
    SessionId, SessionPolicy, UserId,
};

use super::{StoreError, WriteError};
use crate::SessionCursor;

/// Everything a login writes, atomically.
#[derive(Clone, Debug)]
pub struct SessionStart {
    /// The new session.
    pub session: Session,
    /// Its `SessionCreated` event.
    pub created: SessionEvent,
    /// Its first refresh token.
    pub refresh_token: RefreshToken,
    /// The device token the login hands out: new, or the presented one renewed (same id).
    pub device_token: DeviceToken,
    /// The rules for the session limit (default limit, idle timeout).
    pub policy: SessionPolicy,
    /// The login time.
    pub now: DateTime<Utc>,
}

/// Why a session could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartSessionError {
    /// The owner no longer exists (deleted concurrently).
    #[error("user not found")]
    UserNotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The end time a cleanup batch walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndedBy {
    /// `expires_at`.
    Expiry,
    /// `revoked_at`, of revoked sessions.
    Revocation,
}

/// One cleanup batch: at most `size` sessions whose end time (`ended_by`) is at or after
/// `from` and before `before`, earliest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CleanupBatch {
    /// Which end time.
    pub ended_by: EndedBy,
    /// Where this batch starts: where the previous one ended. The sessions before it are
    /// gone, but on Postgres their index entries stay until vacuum; a batch that walked
    /// from the start again would step over all of them, ever more with each batch.
    pub from: DateTime<Utc>,
    /// The cutoff: sessions that ended at or after it stay.
    pub before: DateTime<Utc>,
    /// The most sessions to delete.
    pub size: u32,
}

/// What a cleanup batch deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeletedBatch {
    /// Sessions deleted.
    pub count: u64,
    /// The latest end time among them (`None` when none was deleted): the next batch's
    /// `from`.
    pub last_ended_at: Option<DateTime<Utc>>,
}

/// Which sessions count as active for a listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActiveFilter {
    /// Not revoked and `expires_at` after this instant.
    pub now: DateTime<Utc>,
    /// With an idle timeout: `last_activity_at` after this instant.
    pub idle_since: Option<DateTime<Utc>>,
}

/// One page of a user's sessions, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionQuery {
    /// Only active sessions (`Some`), or every stored one (`None`).
    pub active: Option<ActiveFilter>,
    /// Start after this position (exclusive), in `(created_at, id)` descending order.
    pub after: Option<SessionCursor>,
    /// Most rows to return.
    pub limit: u32,
}

/// Persistence of sessions. Every write also appends the given events to the audit trail
/// in the same transaction, so the trail never misses or invents a change.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Inserts a new session with its first refresh token, under the user's session limit:
    /// in one transaction that serialises concurrent logins of the same user, it counts the
    /// user's active sessions, revokes those `choose_evictions` picks (reason
    /// `session_limit`, evicted by the new session), inserts the new one and writes the
    /// device token (inserted, or replaced by id). Returns the eviction events it wrote.
    ///
    /// # Errors
    /// [`StartSessionError::UserNotFound`] when the owner does not exist;
    /// [`StartSessionError::Store`] otherwise. Nothing is written on error.
    async fn start(&self, start: &SessionStart) -> Result<Vec<SessionEvent>, StartSessionError>;

    /// Finds a session by id.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; an unknown id is `Ok(None)`.
    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError>;

    /// Writes the session's state if its stored version is still `session.state().version`
    /// (the stored version then advances by one), and appends `events`.
    ///
    /// # Errors
    /// [`WriteError::Conflict`] when the stored version differs (nothing written);
    /// [`WriteError::Store`] otherwise.
    async fn save(&self, session: &Session, events: &[SessionEvent]) -> Result<(), WriteError>;

    /// Records activity without a version check, because activity only moves forward: sets
    /// `last_activity_at` (never backwards) and `updated_at` from `session`, advancing the
    /// version, but only while the stored session is not revoked. Returns whether it wrote;
    /// `false` means the session was revoked (or deleted) meanwhile.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn record_activity(&self, session: &Session) -> Result<bool, StoreError>;

    /// Writes the revocation of `session` (time and reason) without a version check, because
    /// a revocation happens once and wins over anything else: unless the stored session is
    /// already revoked, sets its revocation, advances the version and appends `events`, in one
    /// transaction. Returns whether it revoked; `false` means an earlier revocation stands.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing is written then.
    async fn save_revocation(
        &self,
        session: &Session,
        events: &[SessionEvent],
    ) -> Result<bool, StoreError>;

    /// Lists a user's sessions newest first (`created_at` then `id`, descending).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn list_for_user(
        &self,
        user_id: UserId,
        query: SessionQuery,
    ) -> Result<Vec<Session>, StoreError>;

    /// Revokes, in one statement, every unexpired and unrevoked session of the user except
    /// `except`, with `reason` at `now`, appending one `SessionRevoked` event per session
    /// with `cause`. Returns how many sessions were revoked.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing is revoked then.
    async fn revoke_all_for_user(
        &self,
        user_id: UserId,
        except: Option<SessionId>,
        reason: RevocationReason,
        now: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<u64, StoreError>;

    /// One page of the sessions active at `now` that may match `filter`, by id after
    /// `after`: every matching session is among them (the store may narrow by any of the
    /// filter's conditions it can test, or by none); [`SessionFilter::matches`] decides.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn find_active_candidates(
        &self,
        filter: &SessionFilter,
        now: DateTime<Utc>,
        after: Option<SessionId>,
        limit: u32,
    ) -> Result<Vec<Session>, StoreError>;

    /// Revokes those of `ids` that are still active at `now`, with `reason`, appending one
    /// `SessionRevoked` event with `cause` per session revoked, in one transaction. Returns
    /// how many it revoked.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails; nothing is revoked then.
    async fn revoke_many(
        &self,
        ids: &[SessionId],
        reason: RevocationReason,
        now: DateTime<Utc>,
        cause: &Cause,
    ) -> Result<u64, StoreError>;

    /// Counts the sessions that are neither revoked nor expired at `now` (all users).
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn count_active(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Deletes the sessions of one cleanup batch (their refresh tokens go with them; their
    /// events stay, for their own retention), in one short transaction. A session changed meanwhile may be left for the
    /// next cleanup run.
    ///
    /// # Errors
    /// [`StoreError`] when the store fails.
    async fn delete_ended(&self, batch: CleanupBatch) -> Result<DeletedBatch, StoreError>;
}
