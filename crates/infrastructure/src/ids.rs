//! Adapter: UUID v7 identifiers (time-ordered, so primary keys stay index-friendly).

use sessions_application::ports::IdGenerator;
use uuid::Uuid;

/// Generates UUID v7 values.
#[derive(Clone, Copy, Debug, Default)]
pub struct UuidV7Generator;

impl IdGenerator for UuidV7Generator {
    fn next_id(&self) -> Uuid {
        Uuid::now_v7()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_increase() {
        let ids = UuidV7Generator;
        let first = ids.next_id();
        let second = ids.next_id();
        assert_eq!(first.get_version_num(), 7);
        assert!(second > first);
    }
}
