//! Use case: a user revokes one of their sessions (idempotent; revoking the current
//! session logs it out).

use sessions_domain::{RevocationReason, SessionId, UserId};

use crate::{
    Application, Caller,
    mutation::{Change, MutationError},
    ports::StoreError,
    telemetry,
};

/// Why a session could not be revoked.
#[derive(Debug, thiserror::Error)]
pub enum RevokeSessionError {
    /// No such session, or not the caller's.
    #[error("session not found")]
    NotFound,
    /// Too many concurrent writers on the session.
    #[error("session contended")]
    Contended,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MutationError> for RevokeSessionError {
    fn from(error: MutationError) -> Self {
        match error {
            MutationError::NotFound => Self::NotFound,
            MutationError::Contended => Self::Contended,
            MutationError::Store(error) => Self::Store(error),
        }
    }
}

impl Application {
    /// Revokes `session_id` of `user_id` with reason `user_revoked`. Revoking an already
    /// revoked session succeeds and keeps the first revocation.
    ///
    /// # Errors
    /// See [`RevokeSessionError`].
    #[tracing::instrument(skip_all, fields(%session_id))]
    pub async fn revoke_session(
        &self,
        user_id: UserId,
        session_id: SessionId,
        caller: &Caller,
    ) -> Result<(), RevokeSessionError> {
        self.revoke_one(
            session_id,
            Some(user_id),
            RevocationReason::UserRevoked,
            caller,
        )
        .await
    }

    /// Revokes one session with `reason`, if it belongs to `owner` (when given). Idempotent.
    pub(crate) async fn revoke_one(
        &self,
        session_id: SessionId,
        owner: Option<UserId>,
        reason: RevocationReason,
        caller: &Caller,
    ) -> Result<(), RevokeSessionError> {
        let (_, revoked) = self
            .mutate_session(
                session_id,
                caller.actor,
                caller.client.as_ref(),
                |session, now| {
                    if owner.is_some_and(|owner| owner != session.user_id()) {
                        return Err(RevokeSessionError::NotFound);
                    }
                    Ok(match session.revoke(reason, now) {
                        Ok(event) => Change::revocation(true, vec![event]),
                        Err(_already_revoked) => Change::none(false),
                    })
                },
            )
            .await?;
        if revoked {
            telemetry::revocations(reason, 1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use sessions_domain::SessionEventKind;

    use super::*;
    use crate::use_cases::test_support::caller;
    use crate::use_cases::test_support::{
        MockPorts, alice_id, at, mallory_id, session_id, session_of,
    };

    #[tokio::test]
    async fn revoking_an_own_session_stores_the_revocation_and_its_event() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .withf(|id| *id == session_id(1))
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports
            .sessions
            .expect_save_revocation()
            .withf(|session, events| {
                session.state().revocation.map(|r| r.reason) == Some(RevocationReason::UserRevoked)
                    && matches!(
                        events[0].kind,
                        SessionEventKind::Revoked {
                            reason: RevocationReason::UserRevoked,
                            ..
                        }
                    )
            })
            .times(1)
            .returning(|_, _| Ok(true));

        ports
            .app()
            .revoke_session(alice_id(), session_id(1), &caller())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn revoking_twice_succeeds_without_a_second_write() {
        let mut ports = MockPorts::new();
        let mut session = session_of(alice_id(), 1);
        session.revoke(RevocationReason::Logout, at(0)).unwrap();
        ports
            .sessions
            .expect_find()
            .returning(move |_| Ok(Some(session.clone())));
        ports.sessions.expect_save_revocation().never();

        ports
            .app()
            .revoke_session(alice_id(), session_id(1), &caller())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn losing_the_race_to_an_earlier_revocation_still_succeeds() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(alice_id(), 1))));
        ports
            .sessions
            .expect_save_revocation()
            .times(1)
            .returning(|_, _| Ok(false));
        ports
            .app()
            .revoke_session(alice_id(), session_id(1), &caller())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn another_users_session_is_not_found_and_untouched() {
        let mut ports = MockPorts::new();
        ports
            .sessions
            .expect_find()
            .returning(|_| Ok(Some(session_of(mallory_id(), 1))));
        ports.sessions.expect_save_revocation().never();
        let result = ports
            .app()
            .revoke_session(alice_id(), session_id(1), &caller())
            .await;
        assert!(matches!(result, Err(RevokeSessionError::NotFound)));
    }

    #[tokio::test]
    async fn an_unknown_session_is_not_found() {
        let mut ports = MockPorts::new();
        ports.sessions.expect_find().returning(|_| Ok(None));
        let result = ports
            .app()
            .revoke_session(alice_id(), session_id(1), &caller())
            .await;
        assert!(matches!(result, Err(RevokeSessionError::NotFound)));
    }
}
