use super::*;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn minutes(n: i64) -> TimeDelta {
    TimeDelta::minutes(n)
}

fn schedule() -> KeySchedule {
    KeySchedule {
        rotation: TimeDelta::days(30),
        publication_lead: minutes(10),
        afterlife: minutes(20),
    }
}

fn lifetime(
    generation: u32,
    created_at: DateTime<Utc>,
    activates_at: DateTime<Utc>,
) -> KeyLifetime {
    KeyLifetime {
        generation: KeyGeneration::new(generation),
        created_at,
        activates_at,
    }
}

#[test]
fn the_first_generation_is_due_at_once_and_signs_at_once() {
    let first = schedule().due(&[], t0()).unwrap();
    assert_eq!(first, lifetime(1, t0(), t0()));
    assert_eq!(KeySchedule::signing(&[first], t0()), Some(&first));
}

#[test]
fn the_next_generation_is_created_one_lead_before_the_rotation_and_activates_at_it() {
    let first = lifetime(1, t0(), t0());
    let rotation_at = t0() + TimeDelta::days(30);
    assert_eq!(schedule().due(&[first], rotation_at - minutes(11)), None);
    let next = schedule().due(&[first], rotation_at - minutes(10)).unwrap();
    assert_eq!(next, lifetime(2, rotation_at - minutes(10), rotation_at));
    // Published from its creation, signing only from its activation.
    let both = [first, next];
    assert_eq!(
        KeySchedule::signing(&both, rotation_at - minutes(1)),
        Some(&first)
    );
    assert_eq!(KeySchedule::signing(&both, rotation_at), Some(&next));
    assert!(schedule().is_published(&both, next.generation, rotation_at - minutes(10)));
}

#[test]
fn an_instance_that_was_down_at_rotation_time_still_publishes_a_full_lead_ahead() {
    let first = lifetime(1, t0(), t0());
    let late = t0() + TimeDelta::days(45);
    let next = schedule().due(&[first], late).unwrap();
    assert_eq!(next.activates_at, late + minutes(10));
}

#[test]
fn nothing_is_due_while_a_generation_awaits_its_activation() {
    let first = lifetime(1, t0(), t0());
    let pending = lifetime(2, t0() + minutes(1), t0() + minutes(11));
    let later = t0() + TimeDelta::days(60);
    assert_eq!(schedule().due(&[first, pending], t0() + minutes(5)), None);
    assert_eq!(
        schedule().on_demand(&[first, pending], t0() + minutes(5)),
        None
    );
    // Once it signs, the rotation clock runs from its activation.
    assert_eq!(
        schedule().due(&[first, pending], later).unwrap().generation,
        KeyGeneration::new(3)
    );
}

#[test]
fn an_operators_rotation_activates_one_lead_later() {
    let first = lifetime(1, t0(), t0());
    let now = t0() + TimeDelta::days(2);
    assert_eq!(
        schedule().on_demand(&[first], now),
        Some(lifetime(2, now, now + minutes(10)))
    );
    assert_eq!(schedule().on_demand(&[], now), Some(lifetime(1, now, now)));
}

#[test]
fn a_retired_generation_verifies_for_its_afterlife_then_leaves_the_published_set() {
    let first = lifetime(1, t0(), t0());
    let second = lifetime(2, t0() + minutes(50), t0() + minutes(60));
    let both = [first, second];
    assert_eq!(
        KeySchedule::retires_at(&both, first.generation),
        Some(t0() + minutes(60))
    );
    assert!(schedule().is_published(&both, first.generation, t0() + minutes(79)));
    assert!(!schedule().is_published(&both, first.generation, t0() + minutes(80)));
    assert!(schedule().is_published(&both, second.generation, t0() + TimeDelta::days(400)));
}
