//! A webhook attempt's outcome as both stores record it.

use sessions_application::ports::AttemptOutcome;

/// The columns of `outcome`: whether it was delivered, the status code, the error (at most
/// 500 characters, as the column allows).
pub(crate) fn outcome_columns(outcome: &AttemptOutcome) -> (bool, Option<i32>, Option<String>) {
    match outcome {
        AttemptOutcome::Delivered { status } => (true, Some(i32::from(*status)), None),
        AttemptOutcome::Failed { status, error } => (
            false,
            status.map(i32::from),
            Some(error.chars().take(500).collect()),
        ),
    }
}
