//! Refresh rotations batched: how a batch's answers follow from what the store wrote. Of
//! several rotations of one session in a batch, the first is written and the others lost
//! the race (as if they had come a moment later: their callers read again and replay the
//! successor).

use std::collections::HashSet;

use uuid::Uuid;

use crate::rotation::RotationRequest;

/// One batch of rotations, in the order they were queued.
pub(crate) struct RotationBatch {
    requests: Vec<RotationRequest>,
    first_of_session: Vec<bool>,
}

impl RotationBatch {
    pub(crate) fn new(requests: Vec<RotationRequest>) -> Self {
        let mut seen = HashSet::new();
        let first_of_session = requests
            .iter()
            .map(|request| seen.insert(request.session_id))
            .collect();
        Self {
            requests,
            first_of_session,
        }
    }

    /// The rotations to write: the first of each session, in session id order (so that two
    /// batches lock sessions in one order).
    pub(crate) fn to_write(&self) -> Vec<&RotationRequest> {
        let mut written: Vec<&RotationRequest> = self
            .requests
            .iter()
            .zip(&self.first_of_session)
            .filter_map(|(request, &first)| first.then_some(request))
            .collect();
        written.sort_by_key(|request| request.session_id);
        written
    }

    /// Whether each rotation happened, in the order queued, given the successors of the
    /// rotations the store wrote.
    pub(crate) fn answers(&self, rotated: impl IntoIterator<Item = Uuid>) -> Vec<bool> {
        let rotated: HashSet<Uuid> = rotated.into_iter().collect();
        self.requests
            .iter()
            .zip(&self.first_of_session)
            .map(|(request, &first)| first && rotated.contains(&request.successor_id()))
            .collect()
    }
}
