//! Read–decide–write of one session. General changes are a compare-and-set on the version
//! read (decided again on fresh state after a conflict); the two monotonic changes —
//! activity moving forward, and revocation — are written without one, so a flood of requests
//! can neither starve a revocation nor be refused for racing each other, and no write ever
//! lands on a session revoked meanwhile.

use chrono::{DateTime, Utc};
use sessions_domain::{Actor, Session, SessionEvent, SessionId};

use crate::{
    Application, ClientContext,
    ports::{StoreError, WriteError},
};

/// How often a contended mutation is retried before giving up.
const MAX_ATTEMPTS: usize = 8;

/// How a decision's change must be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Write {
    /// Nothing changed.
    Nothing,
    /// Only `last_activity_at` moved forward: a monotonic write that needs no version check.
    Activity,
    /// The session was revoked, and nothing else changed: a write that happens once and
    /// wins over concurrent writers.
    Revocation,
    /// Anything else: a compare-and-set on the version read.
    State,
}

/// What a decision on a session produced.
pub(crate) struct Change<T> {
    /// The use case's result.
    pub value: T,
    /// Events to append with the write.
    pub events: Vec<SessionEvent>,
    /// How to store the change.
    pub write: Write,
}

impl<T> Change<T> {
    /// A decision that changed nothing.
    pub fn none(value: T) -> Self {
        Self {
            value,
            events: Vec::new(),
            write: Write::Nothing,
        }
    }

    /// A decision that changed the session's state and recorded `events`.
    pub fn state(value: T, events: Vec<SessionEvent>) -> Self {
        Self {
            value,
            events,
            write: Write::State,
        }
    }

    /// A decision that only revoked the session, recording `events`.
    pub fn revocation(value: T, events: Vec<SessionEvent>) -> Self {
        Self {
            value,
            events,
            write: Write::Revocation,
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
    /// retrying on concurrent modification; the events of the change name `actor`, acting
    /// from `client`, as their cause. Returns the (possibly changed) session and the
    /// decision's value.
    pub(crate) async fn mutate_session<T, E>(
        &self,
        id: SessionId,
        actor: Actor,
        client: Option<&ClientContext>,
        mut decide: impl FnMut(&mut Session, DateTime<Utc>) -> Result<Change<T>, E> + Send,
    ) -> Result<(Session, T), E>
    where
        E: From<MutationError>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let now = self.ports.clock.now();
            let mut session = self
                .ports
                .storage
                .sessions
                .find(id)
                .await
                .map_err(MutationError::from)?
                .ok_or(MutationError::NotFound)?;
            let mut change = decide(&mut session, now)?;
            if !change.events.is_empty() {
                let cause = self.cause(actor, client, None);
                for event in &mut change.events {
                    event.cause.clone_from(&cause);
                }
            }
            let sessions = &self.ports.storage.sessions;
            let stored = match change.write {
                Write::Nothing => return Ok((session, change.value)),
                Write::Activity => sessions.record_activity(&session).await,
                Write::Revocation => sessions
                    .save_revocation(&session, &change.events)
                    .await
                    // An earlier revocation standing is as good as this one.
                    .map(|_| true),
                Write::State => match sessions.save(&session, &change.events).await {
                    Ok(()) => Ok(true),
                    Err(WriteError::Conflict) => Ok(false),
                    Err(WriteError::Store(error)) => Err(error),
                },
            }
            .map_err(MutationError::Store)?;
            if stored {
                session.advance_version();
                return Ok((session, change.value));
            }
            tracing::debug!(session_id = %id, "session changed concurrently; deciding again");
        }
        Err(MutationError::Contended.into())
    }
}
