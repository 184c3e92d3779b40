//! Read–decide–write of one session with optimistic concurrency: the write succeeds only if
//! nobody changed the session since it was read; otherwise the decision is made again on
//! fresh state. This is what keeps a revocation from being overwritten by a racing request.

use chrono::{DateTime, Utc};
use sessions_domain::{Session, SessionEvent, SessionId};

use crate::{
    Application,
    ports::{StoreError, WriteError},
};

/// How often a contended mutation is retried before giving up.
const MAX_ATTEMPTS: usize = 8;

/// What a decision on a session produced.
pub(crate) struct Change<T> {
    /// The use case's result.
    pub value: T,
    /// Events to append; the session is written when there are any or when `write` is set.
    pub events: Vec<SessionEvent>,
    /// Whether the session changed in a way that must be stored.
    pub write: bool,
}

impl<T> Change<T> {
    /// A decision that changed nothing.
    pub fn none(value: T) -> Self {
        Self {
            value,
            events: Vec::new(),
            write: false,
        }
    }

    /// A decision that changed the session and recorded `events`.
    pub fn with_events(value: T, events: Vec<SessionEvent>) -> Self {
        Self {
            value,
            events,
            write: true,
        }
    }
}

/// Why a mutation did not happen, before the use case's own reasons.
#[derive(Debug, thiserror::Error)]
pub(crate) enum MutationError {
    #[error("session not found")]
    NotFound,
    #[error("session contended by concurrent writers")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Loads the session, applies `decide` at the current time and stores the result,
    /// retrying on concurrent modification. Returns the (possibly changed) session and the
    /// decision's value.
    pub(crate) async fn mutate_session<T, E>(
        &self,
        id: SessionId,
        mut decide: impl FnMut(&mut Session, DateTime<Utc>) -> Result<Change<T>, E> + Send,
    ) -> Result<(Session, T), E>
    where
        E: From<MutationError>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let now = self.ports.clock.now();
            let mut session = self
                .ports
                .sessions
                .find(id)
                .await
                .map_err(MutationError::from)?
                .ok_or(MutationError::NotFound)?;
            let change = decide(&mut session, now)?;
            if !change.write && change.events.is_empty() {
                return Ok((session, change.value));
            }
            match self.ports.sessions.save(&session, &change.events).await {
                Ok(()) => {
                    session.advance_version();
                    return Ok((session, change.value));
                }
                Err(WriteError::Conflict) => {
                    tracing::debug!(session_id = %id, "session changed concurrently; retrying");
                }
                Err(WriteError::Store(error)) => return Err(MutationError::Store(error).into()),
            }
        }
        Err(MutationError::Contended.into())
    }
}
