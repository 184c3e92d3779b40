//! A session as shown to its owner or an administrator.

use chrono::{DateTime, Utc};
use sessions_domain::{Session, SessionId};

use crate::Application;

/// A session with the facts a reader needs that are not stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionView {
    /// The session.
    pub session: Session,
    /// Whether it is the session of the request's own access token.
    pub is_current: bool,
    /// Whether it is active at the time of the request.
    pub is_active: bool,
}

impl Application {
    pub(crate) fn view(
        &self,
        session: Session,
        current: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> SessionView {
        SessionView {
            is_current: current == Some(session.id()),
            is_active: session.is_active(now, &self.policy),
            session,
        }
    }
}
