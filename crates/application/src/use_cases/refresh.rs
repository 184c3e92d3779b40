//! Use case: exchange a refresh token for a new token pair (rotation with a grace window
//! and reuse detection).

use sessions_domain::{
    Actor, RefreshClient, RefreshDecision, RefreshRejection, RefreshToken, RefreshTokenId,
    RevocationReason, SessionEvent, SessionEventKind, SessionId,
};

use crate::{
    Application, ClientContext, SecretToken, TokenPair,
    mutation::{Change, MutationError},
    ports::{RefreshRotation, StoreError, TokenCodecError, WriteError},
    telemetry,
};

/// How often a rotation that lost a race is decided again.
const MAX_ATTEMPTS: usize = 4;

/// Why a refresh failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// No such token (or its session is gone).
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// The session was revoked.
    #[error("session revoked")]
    SessionRevoked,
    /// The session expired or timed out.
    #[error("session expired")]
    SessionExpired,
    /// A used token was presented outside the grace rule; the session is now revoked.
    #[error("refresh token reuse")]
    RefreshTokenReuse,
    /// Too many concurrent writers on the session.
    #[error("session contended")]
    Contended,
    /// The access token could not be signed.
    #[error(transparent)]
    TokenCodec(#[from] TokenCodecError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<MutationError> for RefreshError {
    fn from(error: MutationError) -> Self {
        match error {
            MutationError::NotFound => Self::InvalidRefreshToken,
            MutationError::Contended => Self::Contended,
            MutationError::Store(error) => Self::Store(error),
        }
    }
}

impl Application {
    /// Rotates `presented` for `client`: an unused token is exchanged for its successor
    /// exactly once; the immediately previous token, presented again inside the grace window
    /// by the client that used it, yields the same successor again (recorded as
    /// `refresh_replayed`); any other used token revokes the session.
    ///
    /// # Errors
    /// See [`RefreshError`].
    #[tracing::instrument(skip_all, fields(ip = %client.ip))]
    pub async fn refresh(
        &self,
        presented: &SecretToken,
        client: &ClientContext,
    ) -> Result<TokenPair, RefreshError> {
        let secrets = &self.ports.token_secrets;
        let hash = secrets.hash(presented);
        let refresher = RefreshClient {
            ip: client.ip,
            device: client
                .user_agent
                .as_ref()
                .map(|agent| self.ports.devices.parse(agent).fingerprint),
        };
        for _ in 0..MAX_ATTEMPTS {
            let (token, session) = self
                .ports
                .storage
                .refresh_tokens
                .find_with_session(&hash)
                .await?
                .ok_or(RefreshError::InvalidRefreshToken)?;
            let now = self.ports.clock.now();
            match token.assess(&session, now, &self.policy, &refresher) {
                Ok(RefreshDecision::Rotate) => {
                    let successor_secret = secrets.successor_of(presented, now);
                    let successor = RefreshToken::issue(
                        RefreshTokenId::from_uuid(self.ports.ids.next_id()),
                        session.id(),
                        secrets.hash(&successor_secret),
                        now,
                    );
                    let mut used = token;
                    used.mark_used(successor.id, now, refresher.clone());
                    let mut rotated = session;
                    rotated.rotate_refresh_token(successor.id, now);
                    let mut rotation = RefreshRotation {
                        used,
                        successor,
                        session: rotated,
                    };
                    match self.ports.storage.refresh_tokens.rotate(&rotation).await {
                        Ok(()) => {
                            telemetry::refresh("rotated");
                            rotation.session.advance_version();
                            return Ok(self.token_pair(rotation.session, successor_secret, now)?);
                        }
                        Err(WriteError::Conflict) => {
                            tracing::debug!("refresh lost a race; deciding again");
                        }
                        Err(WriteError::Store(error)) => return Err(error.into()),
                    }
                }
                Ok(RefreshDecision::ReplaySuccessor(_)) => {
                    telemetry::refresh("replayed");
                    let replayed = SessionEvent {
                        session_id: session.id(),
                        user_id: session.user_id(),
                        at: now,
                        kind: SessionEventKind::RefreshReplayed {
                            ip: client.ip,
                            user_agent: client.user_agent.clone(),
                        },
                        cause: self.cause(Actor::session(session.id()), Some(client), None),
                    };
                    self.ports.storage.events.append(&[replayed]).await?;
                    // The successor its rotation derived, with the key of that moment.
                    let rotated_at = token.used_at.unwrap_or(now);
                    let successor = secrets.successor_of(presented, rotated_at);
                    return Ok(self.token_pair(session, successor, now)?);
                }
                Err(RefreshRejection::SessionInactive(inactive)) => {
                    telemetry::refresh("rejected");
                    return Err(if inactive.status.is_revoked() {
                        RefreshError::SessionRevoked
                    } else {
                        RefreshError::SessionExpired
                    });
                }
                Err(RefreshRejection::Reuse) => {
                    telemetry::refresh("reuse");
                    self.revoke_for_reuse(session.id(), client).await?;
                    return Err(RefreshError::RefreshTokenReuse);
                }
                Err(RefreshRejection::WrongSession) => {
                    return Err(RefreshError::InvalidRefreshToken);
                }
            }
        }
        Err(RefreshError::Contended)
    }

    async fn revoke_for_reuse(
        &self,
        session_id: SessionId,
        client: &ClientContext,
    ) -> Result<(), RefreshError> {
        let (_, revoked) = self
            .mutate_session(
                session_id,
                Actor::session(session_id),
                Some(client),
                |session, now| {
                    Ok::<_, RefreshError>(match session.revoke_for_refresh_token_reuse(now) {
                        Ok(events) => Change::revocation(true, events.to_vec()),
                        Err(_already_revoked) => Change::none(false),
                    })
                },
            )
            .await?;
        if revoked {
            telemetry::revocations(RevocationReason::RefreshTokenReuse, 1);
        }
        tracing::warn!(%session_id, "refresh token reuse; session revoked");
        Ok(())
    }
}

#[cfg(test)]
mod tests;
