use std::collections::BTreeSet;

use serde_json::{Value, json};
use sessions_application::{PageSize, SessionCursor};
use sessions_domain::{Email, Password, ProviderSlug, RevocationReason, SessionLimit};

use crate::router::openapi;

fn document() -> Value {
    serde_json::to_value(openapi()).unwrap()
}

/// Every operation as (`METHOD path`, operation).
fn operations(document: &Value) -> Vec<(String, Value)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations.push((
                format!("{} {path}", method.to_uppercase()),
                operation.clone(),
            ));
        }
    }
    operations
}

fn schema<'a>(document: &'a Value, name: &str) -> &'a Value {
    &document["components"]["schemas"][name]
}

#[test]
fn every_operation_has_an_operation_id_of_its_own() {
    let document = document();
    let mut seen = BTreeSet::new();
    for (operation, body) in operations(&document) {
        let id = body["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{operation} has no operationId"));
        assert!(seen.insert(id.to_owned()), "{operation}: {id} is taken");
    }
    assert_eq!(seen.len(), 35);
}

#[test]
fn every_operation_lists_the_answers_of_the_layers_below_its_handler() {
    let document = document();
    for (operation, body) in operations(&document) {
        let responses = body["responses"].as_object().unwrap();
        let mut expected = vec!["400", "431", "500", "503"];
        if body.get("requestBody").is_some() {
            expected.extend(["413", "415"]);
        }
        if body.get("security").is_some() {
            expected.push("401");
        }
        for status in expected {
            let response = responses
                .get(status)
                .unwrap_or_else(|| panic!("{operation} does not list {status}"));
            assert_eq!(
                response["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/ProblemBody",
                "{operation} {status}"
            );
        }
        assert_eq!(
            responses["503"]["description"]
                .as_str()
                .unwrap()
                .contains("`store_unavailable`"),
            operation.contains(" /v1/"),
            "{operation}"
        );
        if let Some(unauthorized) = responses.get("401") {
            assert!(unauthorized["headers"].get("WWW-Authenticate").is_some());
        }
    }
}

#[test]
fn the_documented_limits_are_the_ones_the_server_enforces() {
    let document = document();
    let credentials = &schema(&document, "CredentialsBody")["properties"];
    assert_eq!(credentials["email"]["format"], "email");
    assert_eq!(credentials["email"]["maxLength"], json!(Email::MAX_LEN));
    for password in [
        &credentials["password"],
        &schema(&document, "PasswordChangeBody")["properties"]["new_password"],
    ] {
        assert_eq!(password["minLength"], json!(Password::MIN_CHARS));
        assert_eq!(password["maxLength"], json!(Password::MAX_CHARS));
    }

    let list = &document["paths"]["/v1/sessions"]["get"]["parameters"];
    let parameter = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|parameter| parameter["name"] == name)
            .unwrap()["schema"]
            .clone()
    };
    assert_eq!(parameter("limit")["minimum"], 1);
    assert_eq!(parameter("limit")["maximum"], json!(PageSize::MAX));
    assert_eq!(parameter("cursor")["pattern"], SessionCursor::PATTERN);

    let limit = &schema(&document, "SessionLimitBody")["properties"]["max_sessions"];
    assert_eq!(limit["minimum"], 0);
    assert_eq!(limit["maximum"], json!(SessionLimit::MAX_COUNT));
    assert_eq!(
        schema(&document, "SessionLimitBody")["required"],
        json!(["max_sessions"])
    );

    let provider = &schema(&document, "IntrospectBody")["properties"]["provider"]["pattern"];
    assert_eq!(
        provider,
        &json!(format!(
            "^[a-z0-9][a-z0-9_-]{{0,{}}}$",
            ProviderSlug::MAX_LEN - 1
        ))
    );

    let reasons = &schema(&document, "AdminRevokeBody")["properties"]["reason"]["enum"];
    let mut expected: Vec<Value> = RevocationReason::ALL
        .iter()
        .map(|reason| json!(reason.as_str()))
        .collect();
    expected.push(Value::Null);
    assert_eq!(reasons, &json!(expected));
}

#[test]
fn request_bodies_refuse_fields_they_do_not_name() {
    let document = document();
    for name in [
        "CredentialsBody",
        "PasswordChangeBody",
        "LoginRequestBody",
        "RefreshBody",
        "IntrospectBody",
        "AdminRevokeBody",
        "SessionLimitBody",
    ] {
        assert_eq!(
            schema(&document, name)["additionalProperties"],
            false,
            "{name}"
        );
    }
}
