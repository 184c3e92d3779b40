//! The data of each session event as JSON — one format, used by the audit-trail storage and
//! shown as-is by the API (`{"type": …, "at": …, "data": …}`).

use serde_json::{Map, Value, json};
use sessions_domain::{
    AccountEventKind, AuditEventKind, Email, ProviderSlug, RevocationReason, SessionEventKind,
    SessionId, SuspiciousKind, UserAgent,
};
use uuid::Uuid;

/// A stored event that this version cannot read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unreadable {event_type} event data: {detail}")]
pub struct InvalidEventData {
    /// The stored event type.
    pub event_type: String,
    /// What was wrong.
    pub detail: &'static str,
}

/// The fields of an event kind, e.g. `{"reason": "logout"}` for a revocation.
pub fn to_data(kind: &SessionEventKind) -> Value {
    match kind {
        SessionEventKind::Created {
            new_device: Some(new_device),
        } => json!({ "new_device": new_device }),
        SessionEventKind::Created { new_device: None }
        | SessionEventKind::Trusted
        | SessionEventKind::Untrusted
        | SessionEventKind::RefreshTokenReuse => Value::Object(Map::new()),
        SessionEventKind::Revoked { reason, evicted_by } => match evicted_by {
            Some(by) => json!({ "reason": reason.as_str(), "evicted_by": by.to_string() }),
            None => json!({ "reason": reason.as_str() }),
        },
        SessionEventKind::IpChanged {
            from,
            to,
            same_network,
        } => {
            json!({ "from": from.to_string(), "to": to.to_string(), "same_network": same_network })
        }
        SessionEventKind::SuspiciousActivity { kind, count } => {
            json!({ "kind": kind.as_str(), "count": count })
        }
        SessionEventKind::ProviderAccessed { provider } => {
            json!({ "provider": provider.as_str() })
        }
        SessionEventKind::RefreshReplayed { ip, user_agent } => {
            json!({ "ip": ip.to_string(), "user_agent": user_agent.as_ref().map(UserAgent::as_str) })
        }
    }
}

/// The fields of an account event kind, e.g. `{"account": "…"}` for a failed sign-in to an
/// address that names no account.
pub fn account_to_data(kind: &AccountEventKind) -> Value {
    match kind {
        AccountEventKind::LoginFailed {
            unknown_account: Some(email),
        } => json!({ "account": email.as_str() }),
        AccountEventKind::LoginLockedOut { scope } => json!({ "scope": scope }),
        AccountEventKind::LoginFailed {
            unknown_account: None,
        }
        | AccountEventKind::PasswordChanged
        | AccountEventKind::UserDeleted => Value::Object(Map::new()),
    }
}

/// The fields of any event kind of the trail.
pub fn audit_to_data(kind: &AuditEventKind) -> Value {
    match kind {
        AuditEventKind::Session(kind) => to_data(kind),
        AuditEventKind::Account(kind) => account_to_data(kind),
    }
}

/// Reads any event kind of the trail back from its type name and data.
///
/// # Errors
/// [`InvalidEventData`] for an unknown type or missing/malformed fields.
pub fn audit_from_data(event_type: &str, data: &Value) -> Result<AuditEventKind, InvalidEventData> {
    Ok(AuditEventKind::Account(match event_type {
        "login_failed" => AccountEventKind::LoginFailed {
            unknown_account: match data.get("account").and_then(Value::as_str) {
                Some(account) => Some(Email::parse(account).map_err(|_| InvalidEventData {
                    event_type: event_type.to_owned(),
                    detail: "account",
                })?),
                None => None,
            },
        },
        "login_locked_out" => AccountEventKind::LoginLockedOut {
            scope: match data.get("scope").and_then(Value::as_str) {
                Some("account") => "account",
                Some("device_token") => "device_token",
                Some("network_failures") => "network_failures",
                _ => {
                    return Err(InvalidEventData {
                        event_type: event_type.to_owned(),
                        detail: "scope",
                    });
                }
            },
        },
        "password_changed" => AccountEventKind::PasswordChanged,
        "user_deleted" => AccountEventKind::UserDeleted,
        _ => return from_data(event_type, data).map(AuditEventKind::Session),
    }))
}

/// Reads an event kind back from its type name and data.
///
/// # Errors
/// [`InvalidEventData`] for an unknown type or missing/malformed fields.
pub fn from_data(event_type: &str, data: &Value) -> Result<SessionEventKind, InvalidEventData> {
    let invalid = |detail| InvalidEventData {
        event_type: event_type.to_owned(),
        detail,
    };
    let text = |field: &str| data.get(field).and_then(Value::as_str);
    Ok(match event_type {
        "session_created" => SessionEventKind::Created {
            new_device: data.get("new_device").and_then(Value::as_bool),
        },
        "session_trusted" => SessionEventKind::Trusted,
        "session_untrusted" => SessionEventKind::Untrusted,
        "refresh_token_reuse" => SessionEventKind::RefreshTokenReuse,
        "session_revoked" => SessionEventKind::Revoked {
            reason: text("reason")
                .and_then(|reason| reason.parse::<RevocationReason>().ok())
                .ok_or_else(|| invalid("reason"))?,
            evicted_by: match text("evicted_by") {
                Some(id) => Some(SessionId::from_uuid(
                    Uuid::parse_str(id).map_err(|_| invalid("evicted_by"))?,
                )),
                None => None,
            },
        },
        "ip_changed" => SessionEventKind::IpChanged {
            from: text("from")
                .and_then(|ip| ip.parse().ok())
                .ok_or_else(|| invalid("from"))?,
            to: text("to")
                .and_then(|ip| ip.parse().ok())
                .ok_or_else(|| invalid("to"))?,
            same_network: data
                .get("same_network")
                .and_then(Value::as_bool)
                .ok_or_else(|| invalid("same_network"))?,
        },
        "suspicious_activity" => SessionEventKind::SuspiciousActivity {
            kind: text("kind")
                .and_then(SuspiciousKind::from_name)
                .ok_or_else(|| invalid("kind"))?,
            count: data
                .get("count")
                .and_then(Value::as_u64)
                .and_then(|count| u32::try_from(count).ok())
                .ok_or_else(|| invalid("count"))?,
        },
        "provider_accessed" => SessionEventKind::ProviderAccessed {
            provider: text("provider")
                .and_then(|slug| ProviderSlug::parse(slug).ok())
                .ok_or_else(|| invalid("provider"))?,
        },
        "refresh_replayed" => SessionEventKind::RefreshReplayed {
            ip: text("ip")
                .and_then(|ip| ip.parse().ok())
                .ok_or_else(|| invalid("ip"))?,
            user_agent: text("user_agent").and_then(UserAgent::from_header),
        },
        _ => return Err(invalid("unknown event type")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<SessionEventKind> {
        vec![
            SessionEventKind::Created { new_device: None },
            SessionEventKind::Created {
                new_device: Some(true),
            },
            SessionEventKind::Trusted,
            SessionEventKind::Untrusted,
            SessionEventKind::RefreshTokenReuse,
            SessionEventKind::Revoked {
                reason: RevocationReason::Logout,
                evicted_by: None,
            },
            SessionEventKind::Revoked {
                reason: RevocationReason::SessionLimit,
                evicted_by: Some(SessionId::from_uuid(Uuid::from_u128(5))),
            },
            SessionEventKind::IpChanged {
                from: "203.0.113.7".parse().unwrap(),
                to: "2001:db8::1".parse().unwrap(),
                same_network: false,
            },
            SessionEventKind::SuspiciousActivity {
                kind: SuspiciousKind::CountryAndDeviceChanged,
                count: 2,
            },
            SessionEventKind::ProviderAccessed {
                provider: ProviderSlug::parse("plaid").unwrap(),
            },
            SessionEventKind::RefreshReplayed {
                ip: "2001:db8::7".parse().unwrap(),
                user_agent: UserAgent::from_header("Mozilla/5.0 Chrome/120"),
            },
            SessionEventKind::RefreshReplayed {
                ip: "203.0.113.7".parse().unwrap(),
                user_agent: None,
            },
        ]
    }

    #[test]
    fn every_event_kind_reads_back_from_its_data() {
        for kind in every_kind() {
            let data = to_data(&kind);
            assert_eq!(from_data(kind.type_name(), &data), Ok(kind));
        }
    }

    #[test]
    fn every_account_event_kind_reads_back_from_its_data() {
        for kind in [
            AccountEventKind::LoginFailed {
                unknown_account: None,
            },
            AccountEventKind::LoginFailed {
                unknown_account: Email::parse("nobody@example.com").ok(),
            },
            AccountEventKind::LoginLockedOut { scope: "account" },
            AccountEventKind::PasswordChanged,
            AccountEventKind::UserDeleted,
        ] {
            let kind = AuditEventKind::Account(kind);
            let data = audit_to_data(&kind);
            assert_eq!(audit_from_data(kind.type_name(), &data), Ok(kind));
        }
        for kind in every_kind() {
            let kind = AuditEventKind::Session(kind);
            assert_eq!(
                audit_from_data(kind.type_name(), &audit_to_data(&kind)),
                Ok(kind)
            );
        }
    }

    #[test]
    fn every_documented_type_name_is_one_an_event_has() {
        let mut names: Vec<&str> = every_kind()
            .iter()
            .map(SessionEventKind::type_name)
            .collect();
        names.extend([
            "login_failed",
            "login_locked_out",
            "password_changed",
            "user_deleted",
        ]);
        for name in AuditEventKind::TYPE_NAMES {
            assert!(names.contains(&name), "{name}");
        }
        for name in names {
            assert!(AuditEventKind::TYPE_NAMES.contains(&name), "{name}");
        }
    }

    #[test]
    fn a_revocation_stores_its_reason_by_name() {
        let data = to_data(&SessionEventKind::Revoked {
            reason: RevocationReason::Logout,
            evicted_by: None,
        });
        assert_eq!(data, json!({ "reason": "logout" }));
    }

    #[test]
    fn unknown_types_and_missing_fields_are_reported() {
        assert!(from_data("nonsense", &json!({})).is_err());
        assert!(from_data("session_revoked", &json!({})).is_err());
        assert!(from_data("suspicious_activity", &json!({ "kind": "country_changed" })).is_err());
    }
}
