//! The OpenAPI 3.1 document: paths come from the handlers' annotations, this adds the
//! header, the security schemes, the shared schemas and the answers every operation shares.

mod common_responses;

use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::problem::ProblemBody;

pub use common_responses::add_to as add_common_responses;

/// States the incident body's "at least one condition", which the derive cannot: the body
/// is its derived object and any one of the objects requiring one condition, present and
/// not `null` (`user_ids` not empty).
pub fn require_an_incident_condition(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{
        RefOr, Schema,
        schema::{AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder, Type},
    };

    use crate::handlers::admin_incidents::IncidentBody;

    let Some(schemas) = document.components.as_mut().map(|parts| &mut parts.schemas) else {
        return;
    };
    let Some(body) = schemas.remove("IncidentBody") else {
        return;
    };
    let condition = |field: &str| -> RefOr<Schema> {
        let given: RefOr<Schema> = if field == "user_ids" {
            ArrayBuilder::new().min_items(Some(1)).into()
        } else {
            ObjectBuilder::new().schema_type(Type::String).into()
        };
        ObjectBuilder::new()
            .property(field, given)
            .required(field)
            .into()
    };
    let any_condition = IncidentBody::CONDITIONS
        .into_iter()
        .fold(AnyOfBuilder::new(), |any, field| any.item(condition(field)));
    let with_a_condition = AllOfBuilder::new()
        .item(body)
        .item(any_condition)
        .description(Some("At least one condition is required"));
    schemas.insert("IncidentBody".to_owned(), with_a_condition.into());
}

/// Document-level parts of the OpenAPI description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "sessions",
        description = "Multi-device session management: sign-ins as sessions with device, network \
            and security metadata; list, trust and revoke them, immediately. Errors are RFC 9457 \
            `application/problem+json` with a stable `code`."
    ),
    components(schemas(ProblemBody)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "users", description = "Registration and password"),
        (name = "auth", description = "Login, refresh, logout"),
        (name = "sessions", description = "The caller's own sessions"),
        (name = "introspection", description = "For resource services (service token)"),
        (name = "admin", description = "Administration (admin token)"),
        (name = "keys", description = "The public keys that verify access tokens"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            let mut scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build();
            scheme.description = Some(description.to_owned());
            SecurityScheme::Http(scheme)
        };
        components.add_security_scheme("bearer", bearer("A user's access token (JWT)"));
        components.add_security_scheme("admin_token", bearer("The configured admin token"));
        components.add_security_scheme(
            "service_token",
            bearer("The configured service token (the admin token works too)"),
        );
    }
}

#[cfg(test)]
mod tests;
