//! Request-field schemas the derive cannot state: an IP address of either family (or a
//! network of one), and the closed sets of revocation reasons and event types (listed from
//! the domain, so the two never differ).

use serde_json::Value;
use sessions_domain::{AuditEventKind, DeliveryStatus, RevocationReason, WebhookEventType};
use utoipa::openapi::{
    ArrayBuilder, RefOr, Schema,
    schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, SchemaType, Type},
};

/// An IPv4 network in CIDR form (each part in range).
const IPV4_NETWORK: &str = concat!(
    r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}",
    r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$"
);

/// An IPv6 network in CIDR form, in any of the address's shortened spellings.
const IPV6_NETWORK: &str = concat!(
    r"^(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|",
    r"([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|",
    r"([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|",
    r"([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|",
    r":((:[0-9a-fA-F]{1,4}){1,7}|:))/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$"
);

/// An address of either family, or a network of either family in CIDR form.
pub fn ip_address_or_network() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(string_of_format(KnownFormat::Ipv4))
        .item(string_of_format(KnownFormat::Ipv6))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(IPV4_NETWORK)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(IPV6_NETWORK)),
        )
        .description(Some("An IPv4 or IPv6 address, or a network in CIDR form"))
        .into()
}

/// [`ip_address_or_network`], or `null`.
pub fn optional_ip_address_or_network() -> RefOr<Schema> {
    OneOfBuilder::new()
        .item(ip_address_or_network())
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

/// Event type names, each one of the trail's types.
pub fn event_types() -> RefOr<Schema> {
    let names = AuditEventKind::TYPE_NAMES.into_iter().map(Value::from);
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names)),
        )
        .into()
}

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

/// Webhook notification names, at least one.
pub fn webhook_event_types() -> RefOr<Schema> {
    let names = WebhookEventType::ALL
        .into_iter()
        .map(|kind| Value::from(kind.name()));
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names)),
        )
        .min_items(Some(1))
        .into()
}

/// A delivery's state.
pub fn delivery_status() -> RefOr<Schema> {
    let names = DeliveryStatus::ALL
        .into_iter()
        .map(|status| Value::from(status.as_str()));
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names))
        .into()
}
