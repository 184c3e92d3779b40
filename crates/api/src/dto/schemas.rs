//! Request-field schemas the derive cannot state: an IP address of either family, and the
//! closed set of revocation reasons (listed from the domain, so the two never differ).

use serde_json::Value;
use sessions_domain::RevocationReason;
use utoipa::openapi::{
    RefOr, Schema,
    schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, SchemaType, Type},
};

fn string_of_format(format: KnownFormat) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(format)))
}

/// An IPv4 or IPv6 address, or `null`.
pub fn optional_ip_address() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(string_of_format(KnownFormat::Ipv4))
        .item(string_of_format(KnownFormat::Ipv6))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .description(Some("An IPv4 or IPv6 address"))
        .into()
}

/// A revocation reason's name, or `null`.
pub fn optional_revocation_reason() -> RefOr<Schema> {
    let names = RevocationReason::ALL
        .into_iter()
        .map(|reason| Value::from(reason.as_str()))
        .chain([Value::Null]);
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(names))
        .into()
}
