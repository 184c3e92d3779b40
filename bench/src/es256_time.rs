//! Prints what one access token costs the key ring: signing it (ES256), verifying it the
//! first time (the signature is checked), and verifying it again (the ring's cache of
//! verified tokens answers): `es256-time`. Each of the 2,000 tokens has a session of its
//! own, as a server's requests do.

use std::{process::ExitCode, time::Instant};

use chrono::{TimeDelta, Utc};
use sessions_application::{
    AccessClaims,
    ports::{AccessTokenCodec, KeyRing},
};
use sessions_domain::{KeyGeneration, KeyLifetime, SessionId, UserId};
use sessions_infrastructure::{LegacyKeys, MasterKey, SigningKeyRing, TokenIssuer};

const TOKENS: u32 = 2_000;

/// Microseconds per call of `each` over `items`.
fn per_call<T>(items: &[T], mut each: impl FnMut(&T) -> bool) -> Option<f64> {
    let started = Instant::now();
    for item in items {
        if !each(item) {
            return None;
        }
    }
    Some(started.elapsed().as_secs_f64() * 1e6 / f64::from(TOKENS))
}

fn main() -> ExitCode {
    let Ok((master, _)) = MasterKey::generate() else {
        eprintln!("no master key could be generated");
        return ExitCode::FAILURE;
    };
    let ring = SigningKeyRing::new(
        std::sync::Arc::new(master),
        TokenIssuer {
            issuer: "sessions".into(),
            audience: None,
        },
        LegacyKeys::none(),
    );
    let now = Utc::now();
    let lifetime = KeyLifetime {
        generation: KeyGeneration::FIRST,
        created_at: now,
        activates_at: now,
    };
    if let Err(error) = ring
        .create(lifetime)
        .and_then(|sealed| ring.hold(&[sealed]))
    {
        eprintln!("{error}");
        return ExitCode::FAILURE;
    }
    let claims: Vec<AccessClaims> = (0..TOKENS)
        .map(|_| AccessClaims {
            user_id: UserId::from_uuid(uuid::Uuid::now_v7()),
            session_id: SessionId::from_uuid(uuid::Uuid::now_v7()),
            issued_at: now,
            expires_at: now + TimeDelta::minutes(15),
        })
        .collect();
    let mut tokens = Vec::with_capacity(claims.len());
    let sign_us = per_call(&claims, |claims| {
        ring.issue(claims).map(|token| tokens.push(token)).is_ok()
    });
    let verify_us = per_call(&tokens, |token| ring.verify(token).is_ok());
    let cached_us = per_call(&tokens, |token| ring.verify(token).is_ok());
    let (Some(sign_us), Some(verify_us), Some(cached_us)) = (sign_us, verify_us, cached_us) else {
        eprintln!("a token was not signed or did not verify");
        return ExitCode::FAILURE;
    };
    println!(
        "{{\"tokens\": {TOKENS}, \"sign_us\": {sign_us:.1}, \"verify_us\": {verify_us:.1}, \"cached_verify_us\": {cached_us:.2}}}"
    );
    ExitCode::SUCCESS
}
