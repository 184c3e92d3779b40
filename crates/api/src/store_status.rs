//! Whether the store answers, as a probe in the background finds it, and the layer that
//! answers 503 `store_unavailable` at once while it does not.
//!
//! Without it, a store that stops answering (a partition, a paused or overloaded database
//! host) holds every request for as long as its connection attempt or query hangs — the
//! pool's acquire timeout or longer — and ties up a connection slot each. The probe asks
//! the store every [`PROBE_INTERVAL`] and gives it [`PROBE_TIMEOUT`] to answer; a store that
//! fails a probe, or leaves two in a row unanswered, is unavailable: requests arriving then
//! are answered at once, and requests in flight are answered then. One slow answer is not
//! enough (a checkpoint or a busy moment of a loaded host must not cut every request in
//! flight). A request therefore waits at most about one interval and two timeouts, and the
//! service serves again at most one interval after the store answers again.

use std::{sync::Arc, time::Duration};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sessions_application::{SessionService, ports::StoreError};
use tokio::{sync::watch, time::MissedTickBehavior};

use crate::{problem::ApiError, state::AppState};

/// How often the store is asked.
pub const PROBE_INTERVAL: Duration = Duration::from_millis(200);

/// How long the store has to answer a probe. A store that answers a trivial query on a
/// connection of its own no faster than this serves no request in time either.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(350);

/// The store's availability as last probed, for the request path.
#[derive(Clone, Debug)]
pub struct StoreStatus(watch::Receiver<bool>);

/// The probe that keeps a [`StoreStatus`] current.
#[derive(Debug)]
pub struct StoreProbe(watch::Sender<bool>);

/// A status that starts as available, and the probe that updates it once run.
pub fn store_status() -> (StoreStatus, StoreProbe) {
    let (sender, receiver) = watch::channel(true);
    (StoreStatus(receiver), StoreProbe(sender))
}

impl StoreStatus {
    /// Whether the last probe found the store answering.
    pub fn is_available(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves when the store is found not answering (at once if it is not now).
    async fn unavailable(mut self) {
        // An error means the probe is gone: nothing will ever say the store is down.
        if self.0.wait_for(|available| !available).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl StoreProbe {
    /// Asks the store every [`PROBE_INTERVAL`], forever; logs each change and exports the
    /// status as the `sessions_store_available` gauge.
    pub async fn run(self, service: Arc<dyn SessionService>) {
        self.run_with(|| {
            let service = Arc::clone(&service);
            async move { service.check_ready().await }
        })
        .await;
    }

    /// [`Self::run`] with `check` as the question.
    async fn run_with<Check, Answer>(self, mut check: Check)
    where
        Check: FnMut() -> Answer,
        Answer: Future<Output = Result<(), StoreError>>,
    {
        metrics::gauge!("sessions_store_available").set(1.0);
        let mut ticker = tokio::time::interval(PROBE_INTERVAL);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut unanswered_in_a_row = 0_u32;
        loop {
            ticker.tick().await;
            let answered = tokio::time::timeout(PROBE_TIMEOUT, check()).await;
            unanswered_in_a_row = if answered.is_err() {
                unanswered_in_a_row.saturating_add(1)
            } else {
                0
            };
            let available = match &answered {
                Ok(answer) => answer.is_ok(),
                Err(_) => unanswered_in_a_row < 2,
            };
            self.0.send_if_modified(|was_available| {
                if *was_available == available {
                    return false;
                }
                match &answered {
                    Ok(Ok(())) => tracing::info!("the store answers again"),
                    Ok(Err(error)) => tracing::error!(%error, "the store is unavailable"),
                    Err(_) => tracing::error!(
                        timeout = ?PROBE_TIMEOUT,
                        "the store is unavailable: no answer in time, twice"
                    ),
                }
                metrics::gauge!("sessions_store_available").set(f64::from(u8::from(available)));
                *was_available = available;
                true
            });
        }
    }
}

/// Middleware: 503 `store_unavailable` at once while the store is found unavailable, and
/// for a request in flight when it is found so.
pub async fn answer_at_once_while_unavailable(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    // What needs no store (the published keys) is served from memory all the same.
    if !request.uri().path().starts_with("/v1/") {
        return next.run(request).await;
    }
    let status = state.store.clone();
    if !status.is_available() {
        return ApiError::store_unreachable().into_response();
    }
    tokio::select! {
        response = next.run(request) => response,
        () = status.unavailable() => ApiError::store_unreachable().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use sessions_application::{MockSessionService, ports::StoreError};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_status_follows_the_probe_within_one_interval_and_its_timeout() {
        let answering = Arc::new(AtomicBool::new(true));
        let mut service = MockSessionService::new();
        let switch = Arc::clone(&answering);
        service.expect_check_ready().returning(move || {
            if switch.load(Ordering::SeqCst) {
                Ok(())
            } else {
                Err(StoreError::new(std::io::Error::other("refused")))
            }
        });
        let (status, probe) = store_status();
        tokio::spawn(probe.run(Arc::new(service)));
        tokio::time::sleep(PROBE_INTERVAL * 2).await;
        assert!(status.is_available());

        answering.store(false, Ordering::SeqCst);
        let went_down = tokio::time::Instant::now();
        status.clone().unavailable().await;
        assert!(went_down.elapsed() <= PROBE_INTERVAL + PROBE_TIMEOUT);

        answering.store(true, Ordering::SeqCst);
        tokio::time::sleep(PROBE_INTERVAL + Duration::from_millis(1)).await;
        assert!(status.is_available());
    }

    /// A store that answers each probe after `delays[n]` (the last one thereafter).
    fn answering_after(
        delays: Vec<Duration>,
    ) -> impl FnMut() -> std::pin::Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send>>
    {
        let mut probes = 0_usize;
        move || {
            let delay = delays[probes.min(delays.len() - 1)];
            probes += 1;
            Box::pin(async move {
                tokio::time::sleep(delay).await;
                Ok(())
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn one_slow_answer_is_tolerated_two_in_a_row_are_not() {
        let slow = PROBE_TIMEOUT * 2;
        let fast = Duration::from_millis(1);
        let (status, probe) = store_status();
        tokio::spawn(probe.run_with(answering_after(vec![
            slow, fast, slow, slow, slow, slow, fast,
        ])));
        let mut seen_unavailable_at = Vec::new();
        for step in 0..100 {
            tokio::time::sleep(Duration::from_millis(25)).await;
            if !status.is_available() {
                seen_unavailable_at.push(step);
            }
        }
        let first = *seen_unavailable_at.first().expect("two timeouts in a row");
        let waited = Duration::from_millis(25) * (first + 1);
        // Probes 1 (slow), 2 (fast), then 3 and 4 (slow): down after the fourth's timeout.
        assert!(
            waited > PROBE_TIMEOUT * 3,
            "down after {waited:?}: too early"
        );
        assert!(waited <= PROBE_INTERVAL * 2 + PROBE_TIMEOUT * 3 + Duration::from_millis(50));
        assert!(status.is_available(), "up again after a fast answer");
    }
}
