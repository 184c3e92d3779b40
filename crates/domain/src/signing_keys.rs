//! The lifecycle of the deployment's key generations. A generation holds the key that signs
//! access tokens and the key that derives refresh-token successors. It is published as
//! soon as it is created; it signs from its activation — at least the publication lead after
//! its creation, so that every instance and every verifier's cached key set knows it before
//! the first token it signs — until the next generation activates; and it keeps verifying
//! for its afterlife, until the last token it signed has expired.

use chrono::{DateTime, TimeDelta, Utc};

use crate::{add_saturating, sub_saturating};

/// The number of a key generation: 1 for the first, one more for each rotation. Instances
/// that rotate at the same moment propose the same number, and the store keeps one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyGeneration(u32);

impl KeyGeneration {
    /// The first generation.
    pub const FIRST: Self = Self(1);

    /// A generation by its stored number.
    pub fn new(number: u32) -> Self {
        Self(number)
    }

    /// The stored number.
    pub fn get(self) -> u32 {
        self.0
    }

    /// The generation after this one.
    #[must_use]
    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

/// When a generation was created and when it starts signing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyLifetime {
    /// Its number.
    pub generation: KeyGeneration,
    /// When it was created, and published.
    pub created_at: DateTime<Utc>,
    /// When it starts signing (and the previous generation retires).
    pub activates_at: DateTime<Utc>,
}

/// The tunables of key rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySchedule {
    /// How long a generation signs before the next one activates. Default 30 days.
    pub rotation: TimeDelta,
    /// Between a generation's creation (publication) and its activation: at least the time
    /// verifiers may cache the published keys, plus the time instances take to reload them.
    pub publication_lead: TimeDelta,
    /// After its retirement, how long a generation still verifies: the longest a token it
    /// signed, or a refresh rotation it derived, stays valid.
    pub afterlife: TimeDelta,
}

impl Default for KeySchedule {
    /// Rotation every 30 days; a lead of 7 minutes (verifiers caching the published keys
    /// for 5, instances reloading them every minute); an afterlife of 16 minutes (the
    /// default access-token lifetime of 15, and a minute for clocks that differ).
    fn default() -> Self {
        Self {
            rotation: TimeDelta::days(30),
            publication_lead: TimeDelta::minutes(7),
            afterlife: TimeDelta::minutes(16),
        }
    }
}

impl KeySchedule {
    /// The generation that signs at `now`: the latest one activated by then. `generations`
    /// are in any order.
    pub fn signing(generations: &[KeyLifetime], now: DateTime<Utc>) -> Option<&KeyLifetime> {
        generations
            .iter()
            .filter(|lifetime| lifetime.activates_at <= now)
            .max_by_key(|lifetime| (lifetime.activates_at, lifetime.generation))
    }

    /// When `generation` retires: when the next generation activates, if one exists.
    pub fn retires_at(
        generations: &[KeyLifetime],
        generation: KeyGeneration,
    ) -> Option<DateTime<Utc>> {
        generations
            .iter()
            .find(|lifetime| lifetime.generation == generation.next())
            .map(|next| next.activates_at)
    }

    /// Whether `generation` is still published (and verifies) at `now`: until its
    /// afterlife past its retirement is over.
    pub fn is_published(
        &self,
        generations: &[KeyLifetime],
        generation: KeyGeneration,
        now: DateTime<Utc>,
    ) -> bool {
        Self::retires_at(generations, generation)
            .is_none_or(|retired| now < add_saturating(retired, self.afterlife))
    }

    /// The generation to create at `now`, if one is due: none while the latest awaits its
    /// activation; the first one activates at once (no token exists that a verifier could
    /// have cached keys for); a later one when the signing one has signed for its rotation
    /// period less the publication lead, activating a full rotation after it.
    pub fn due(&self, generations: &[KeyLifetime], now: DateTime<Utc>) -> Option<KeyLifetime> {
        let Some(latest) = Self::latest(generations) else {
            return Some(KeyLifetime {
                generation: KeyGeneration::FIRST,
                created_at: now,
                activates_at: now,
            });
        };
        let rotation_at = add_saturating(latest.activates_at, self.rotation);
        let create_by = sub_saturating(rotation_at, self.publication_lead);
        (latest.activates_at <= now && create_by <= now).then(|| KeyLifetime {
            generation: latest.generation.next(),
            created_at: now,
            activates_at: rotation_at.max(add_saturating(now, self.publication_lead)),
        })
    }

    /// The generation an operator's rotation at `now` creates, activating one publication
    /// lead later; or, while a generation awaits its activation, none: that one is the
    /// rotation.
    pub fn on_demand(
        &self,
        generations: &[KeyLifetime],
        now: DateTime<Utc>,
    ) -> Option<KeyLifetime> {
        let next = Self::latest(generations)
            .map_or(KeyGeneration::FIRST, |latest| latest.generation.next());
        let pending = Self::latest(generations).is_some_and(|latest| latest.activates_at > now);
        (!pending).then(|| KeyLifetime {
            generation: next,
            created_at: now,
            activates_at: if next == KeyGeneration::FIRST {
                now
            } else {
                add_saturating(now, self.publication_lead)
            },
        })
    }

    fn latest(generations: &[KeyLifetime]) -> Option<&KeyLifetime> {
        generations
            .iter()
            .max_by_key(|lifetime| lifetime.generation)
    }
}

#[cfg(test)]
mod tests;
