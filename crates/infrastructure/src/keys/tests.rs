use chrono::TimeDelta;
use sessions_domain::{SessionId, UserId};
use uuid::Uuid;

use super::*;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn issuer(audience: Option<&str>) -> TokenIssuer {
    TokenIssuer {
        issuer: "sessions".into(),
        audience: audience.map(str::to_owned),
    }
}

fn claims_at(issued_at: DateTime<Utc>) -> AccessClaims {
    AccessClaims {
        user_id: UserId::from_uuid(Uuid::from_u128(1)),
        session_id: SessionId::from_uuid(Uuid::from_u128(2)),
        issued_at,
        expires_at: issued_at + TimeDelta::minutes(15),
    }
}

fn lifetime(generation: u32, activates_at: DateTime<Utc>) -> KeyLifetime {
    KeyLifetime {
        generation: KeyGeneration::new(generation),
        created_at: activates_at - TimeDelta::minutes(7),
        activates_at,
    }
}

/// A ring with a master key of its own (returned, to open the same keys elsewhere).
fn ring(audience: Option<&str>) -> (SigningKeyRing, String) {
    let (master, text) = MasterKey::generate().unwrap();
    (
        SigningKeyRing::new(Arc::new(master), issuer(audience), LegacyKeys::none()),
        text,
    )
}

fn payload(token: &str) -> serde_json::Value {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[test]
fn a_token_carries_its_generations_kid_and_verifies_to_its_claims() {
    let (ring, _) = ring(Some("api.example.com"));
    let first = ring.create(lifetime(1, t0())).unwrap();
    ring.hold(std::slice::from_ref(&first)).unwrap();

    let token = ring.issue(&claims_at(t0())).unwrap();

    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::ES256);
    assert_eq!(header.kid.as_deref(), Some(first.public_key.kid.as_str()));
    assert_eq!(payload(&token)["aud"], "api.example.com");
    assert_eq!(ring.verify(&token), Ok(claims_at(t0())));
    assert_eq!(ring.public_keys(), [first.public_key]);
}

#[test]
fn another_deployments_keys_and_tampered_tokens_do_not_verify() {
    let (ours, _) = ring(None);
    let (theirs, _) = ring(None);
    ours.hold(&[ours.create(lifetime(1, t0())).unwrap()])
        .unwrap();
    theirs
        .hold(&[theirs.create(lifetime(1, t0())).unwrap()])
        .unwrap();
    let token = theirs.issue(&claims_at(t0())).unwrap();
    assert_eq!(ours.verify(&token), Err(InvalidAccessToken));

    // Our signature over other claims.
    let mine = ours.issue(&claims_at(t0())).unwrap();
    let later = ours.issue(&claims_at(t0() + TimeDelta::hours(1))).unwrap();
    let mut parts: Vec<&str> = mine.split('.').collect();
    parts[1] = later.split('.').nth(1).unwrap();
    assert_eq!(ours.verify(&parts.join(".")), Err(InvalidAccessToken));
    for garbage in ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        assert_eq!(ours.verify(garbage), Err(InvalidAccessToken), "{garbage}");
    }
}

#[test]
fn after_a_rotation_new_tokens_use_the_new_generation_and_old_ones_still_verify() {
    let (ring, _) = ring(None);
    let first = ring.create(lifetime(1, t0())).unwrap();
    let second = ring
        .create(lifetime(2, t0() + TimeDelta::days(30)))
        .unwrap();
    ring.hold(&[first.clone(), second.clone()]).unwrap();

    let before = ring.issue(&claims_at(t0() + TimeDelta::days(29))).unwrap();
    let after = ring.issue(&claims_at(t0() + TimeDelta::days(30))).unwrap();

    let kid = |token: &str| jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    assert_eq!(kid(&before), first.public_key.kid);
    assert_eq!(kid(&after), second.public_key.kid);
    assert!(ring.verify(&before).is_ok());
    assert!(ring.verify(&after).is_ok());

    // Once the first generation is no longer held, its tokens no longer verify.
    ring.hold(&[second]).unwrap();
    assert_eq!(ring.verify(&before), Err(InvalidAccessToken));
}

#[test]
fn every_instance_with_the_master_key_opens_the_keys_and_derives_the_same_successors() {
    let (one, master) = ring(None);
    let generations = [
        one.create(lifetime(1, t0())).unwrap(),
        one.create(lifetime(2, t0() + TimeDelta::days(30))).unwrap(),
    ];
    one.hold(&generations).unwrap();
    let two = SigningKeyRing::new(
        Arc::new(MasterKey::parse(&master).unwrap()),
        issuer(None),
        LegacyKeys::none(),
    );
    two.hold(&generations).unwrap();

    let presented = SecretToken::new("presented".into());
    let in_first = t0() + TimeDelta::days(1);
    let in_second = t0() + TimeDelta::days(31);
    assert_eq!(
        one.successor_of(&presented, in_first),
        two.successor_of(&presented, in_first)
    );
    assert_ne!(
        one.successor_of(&presented, in_first),
        one.successor_of(&presented, in_second)
    );
    assert!(
        two.verify(&one.issue(&claims_at(in_second)).unwrap())
            .is_ok()
    );
}

#[test]
fn keys_sealed_under_another_master_key_are_refused_not_replaced() {
    let (one, _) = ring(None);
    let sealed = one.create(lifetime(1, t0())).unwrap();
    let (other, _) = ring(None);
    assert!(matches!(
        other.hold(std::slice::from_ref(&sealed)),
        Err(KeyRingError::WrongMasterKey)
    ));
    assert!(other.public_keys().is_empty());
}

#[test]
fn a_legacy_hs256_token_verifies_and_nothing_new_is_signed_with_its_secret() {
    let (master, _) = MasterKey::generate().unwrap();
    let ring = SigningKeyRing::new(
        Arc::new(master),
        issuer(Some("api.example.com")),
        LegacyKeys::new(Some(b"former secret"), None),
    );
    ring.hold(&[ring.create(lifetime(1, t0())).unwrap()])
        .unwrap();
    // As the former release signed: HS256, no kid, no audience.
    let legacy = |secret: &[u8]| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &issuer(None).claims(&claims_at(t0())),
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    };
    assert_eq!(ring.verify(&legacy(b"former secret")), Ok(claims_at(t0())));
    assert_eq!(
        ring.verify(&legacy(b"another secret")),
        Err(InvalidAccessToken)
    );
    let issued = ring.issue(&claims_at(t0())).unwrap();
    assert_eq!(
        jsonwebtoken::decode_header(&issued).unwrap().alg,
        Algorithm::ES256
    );

    let (master, _) = MasterKey::generate().unwrap();
    let without_legacy = SigningKeyRing::new(Arc::new(master), issuer(None), LegacyKeys::none());
    assert_eq!(
        without_legacy.verify(&legacy(b"former secret")),
        Err(InvalidAccessToken)
    );
}
