//! A stored row that does not map back onto the domain.

use sessions_application::ports::StoreError;

/// A stored value that the domain rejects (e.g. an unknown revocation reason). Means the
/// database was changed outside this service; reported as a store failure.
#[derive(Debug, thiserror::Error)]
#[error("corrupt {table} row: {detail}")]
pub struct CorruptRow {
    /// Table the row came from.
    pub table: &'static str,
    /// What could not be read.
    pub detail: String,
}

impl From<CorruptRow> for StoreError {
    fn from(error: CorruptRow) -> Self {
        StoreError::new(error)
    }
}
