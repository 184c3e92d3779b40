//! Use case: incident response — an administrator revokes every active session a filter
//! selects (a network, a country, a device family, users, a time window, a provider), or
//! first counts them with a dry run.

use sessions_domain::{IncidentId, RevocationReason, Session, SessionFilter, SessionId};

use crate::{Application, Caller, ports::StoreError, telemetry};

/// How many candidate sessions one read takes.
const BATCH: u32 = 500;

/// How many sessions one revoking transaction holds: a short one, so that the requests
/// waiting behind it (on a shared core, or the row locks) wait little.
const REVOCATIONS: usize = 100;

/// How many matching sessions a dry run shows.
pub const SAMPLE_SIZE: usize = 20;

/// What an incident response found and did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentOutcome {
    /// The incident every revocation event names; `None` for a dry run.
    pub incident: Option<IncidentId>,
    /// How many active sessions matched.
    pub matched: u64,
    /// How many this run revoked (0 for a dry run; fewer than matched when some ended
    /// meanwhile).
    pub revoked: u64,
    /// The first matching sessions, by id.
    pub sample: Vec<Session>,
}

/// Why an incident response did not run.
#[derive(Debug, thiserror::Error)]
pub enum RevokeIncidentError {
    /// The filter names no condition.
    #[error("at least one filter is required")]
    EmptyFilter,
    /// The store failed; batches already revoked stay revoked, and repeating the request
    /// revokes the rest.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Application {
    /// Revokes (reason `admin`) every session active now that `filter` selects, in batches,
    /// each revocation recording `caller` and a new incident id; with `dry_run`, only counts
    /// them. Repeating it revokes only what became active since.
    ///
    /// # Errors
    /// See [`RevokeIncidentError`].
    #[tracing::instrument(skip_all, fields(dry_run))]
    pub async fn revoke_incident(
        &self,
        filter: SessionFilter,
        dry_run: bool,
        caller: &Caller,
    ) -> Result<IncidentOutcome, RevokeIncidentError> {
        if filter.is_empty() {
            return Err(RevokeIncidentError::EmptyFilter);
        }
        let now = self.ports.clock.now();
        let incident = (!dry_run).then(|| IncidentId::from_uuid(self.ports.ids.next_id()));
        let cause = self.cause(caller.actor, caller.client.as_ref(), incident);
        let sessions = &self.ports.storage.sessions;
        let mut outcome = IncidentOutcome {
            incident,
            matched: 0,
            revoked: 0,
            sample: Vec::new(),
        };
        let mut after: Option<SessionId> = None;
        loop {
            let candidates = sessions
                .find_active_candidates(&filter, now, after, BATCH)
                .await?;
            let Some(last) = candidates.last() else { break };
            after = Some(last.id());
            let full = candidates.len() == BATCH as usize;
            let matching: Vec<Session> = candidates
                .into_iter()
                .filter(|session| self.selects(&filter, session, now))
                .collect();
            outcome.matched += matching.len() as u64;
            let room = SAMPLE_SIZE.saturating_sub(outcome.sample.len());
            outcome.sample.extend(matching.iter().take(room).cloned());
            if !dry_run {
                let ids: Vec<SessionId> = matching.iter().map(Session::id).collect();
                for chunk in ids.chunks(REVOCATIONS) {
                    let started = tokio::time::Instant::now();
                    outcome.revoked += sessions
                        .revoke_many(chunk, RevocationReason::Admin, now, &cause)
                        .await?;
                    // As long again for the live traffic: an incident response takes twice
                    // its time rather than the store from the requests it shares it with.
                    tokio::time::sleep(started.elapsed()).await;
                }
            }
            if !full {
                break;
            }
        }
        if let Some(incident) = incident {
            telemetry::revocations(RevocationReason::Admin, outcome.revoked);
            tracing::warn!(
                %incident,
                matched = outcome.matched,
                revoked = outcome.revoked,
                "incident response revoked sessions"
            );
        }
        Ok(outcome)
    }

    /// Whether `filter` selects `session`, active at `now`.
    fn selects(
        &self,
        filter: &SessionFilter,
        session: &Session,
        now: chrono::DateTime<chrono::Utc>,
    ) -> bool {
        let state = session.state();
        let device = if filter.needs_device() {
            state
                .user_agent
                .as_ref()
                .map(|agent| self.ports.devices.parse(agent).fingerprint)
        } else {
            None
        };
        session.is_active(now, &self.policy) && filter.matches(state, device.as_ref())
    }
}

#[cfg(test)]
mod tests;
