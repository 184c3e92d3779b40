//! Refused attempts at the routes that check passwords (429 `rate_limited`, 503
//! `overloaded`) are answered after a short pause. Refusing costs the server about what
//! answering a read does; without a pause, a flood of refused attempts, sent as fast as they
//! come back, takes as much of the server as its reads get. Paused, each refusal costs the
//! sender its connection's time instead. The pause does not wait for anything: nothing
//! queues behind it.

use std::time::Duration;

use axum::http::StatusCode;

use crate::problem::ApiError;

/// How long a refusal waits before it is sent.
pub const REFUSAL_PAUSE: Duration = Duration::from_millis(250);

/// `outcome`, after [`REFUSAL_PAUSE`] if it refuses the attempt.
pub async fn paced<T>(outcome: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(error) = &outcome
        && matches!(
            (error.status(), error.code()),
            (StatusCode::TOO_MANY_REQUESTS, _) | (StatusCode::SERVICE_UNAVAILABLE, "overloaded")
        )
    {
        tokio::time::sleep(REFUSAL_PAUSE).await;
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn refusals_wait_and_every_other_answer_does_not() {
        let started = tokio::time::Instant::now();
        let refused = paced::<()>(Err(ApiError::rate_limited(Duration::from_secs(60)))).await;
        assert!(refused.is_err());
        assert_eq!(started.elapsed(), REFUSAL_PAUSE);

        let started = tokio::time::Instant::now();
        let wrong = paced::<()>(Err(ApiError::unauthorized("wrong password"))).await;
        assert!(wrong.is_err());
        assert!(paced(Ok(())).await.is_ok());
        assert_eq!(started.elapsed(), Duration::ZERO);
    }
}
