//! The answers an operation can give whatever its handler does — from the HTTP layer, the
//! JSON extractor, the store and the request timeout — added to every operation of the
//! document, so that each lists every status the server may send.

use utoipa::openapi::{
    Content, OpenApi, Ref, RefOr,
    header::Header,
    path::Operation,
    request_body::RequestBody,
    response::Response,
    schema::{Object, Type},
};

use crate::problem::PROBLEM_CONTENT_TYPE;

/// Every operation: the HTTP layer's refusals, a bug, the timeout.
const EVERY_OPERATION: [(&str, &str); 4] = [
    (
        "400",
        "`invalid_request`: a malformed request line or header (e.g. `X-Forwarded-For`)",
    ),
    (
        "431",
        "`header_fields_too_large`: over 100 headers or 64 KiB of them",
    ),
    ("500", "`internal_error`"),
    (
        "503",
        "`request_timeout`: not answered within the server's request timeout",
    ),
];

/// Operations of the API (`/v1/…`), which use the store.
const STORE: (&str, &str) = (
    "503",
    "`store_unavailable`: the session store did not answer",
);

/// Operations with a JSON body: the body's own refusals.
const JSON_BODY: [(&str, &str); 3] = [
    ("400", "`invalid_request`: the body is not JSON"),
    ("413", "`payload_too_large`: the body is over 64 KiB"),
    (
        "415",
        "`unsupported_media_type`: the body is not `application/json`",
    ),
];

/// Adds the common answers to every operation of `document`.
pub fn add_to(document: &mut OpenApi) {
    for (path, item) in &mut document.paths.paths {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            if path.starts_with("/v1/") {
                add_problem(operation, STORE.0, STORE.1);
            }
            add_to_operation(operation);
        }
    }
}

fn add_to_operation(operation: &mut Operation) {
    if operation
        .request_body
        .as_ref()
        .is_some_and(has_json_content)
    {
        for (status, codes) in JSON_BODY {
            add_problem(operation, status, codes);
        }
    }
    for (status, codes) in EVERY_OPERATION {
        add_problem(operation, status, codes);
    }
    for (status, response) in &mut operation.responses.responses {
        if let RefOr::T(response) = response {
            document_headers(status, response);
        }
    }
}

fn has_json_content(body: &RequestBody) -> bool {
    body.content.contains_key("application/json")
}

/// Adds `codes` to the operation's `status` answer, creating it when the handler has none.
fn add_problem(operation: &mut Operation, status: &str, codes: &str) {
    let responses = &mut operation.responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            if !response.description.contains(codes) {
                response.description = format!("{}; {codes}", response.description);
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let mut response = Response::new(codes);
            response.content.insert(
                PROBLEM_CONTENT_TYPE.to_owned(),
                Content::new(Some(Ref::from_schema_name("ProblemBody"))),
            );
            responses.insert(status.to_owned(), RefOr::T(response));
        }
    }
}

/// The headers an answer of `status` carries: `WWW-Authenticate` on 401, `Retry-After`
/// on 429 and 503.
fn document_headers(status: &str, response: &mut Response) {
    let (name, description) = match status {
        "401" => ("WWW-Authenticate", "`Bearer`"),
        "429" | "503" => (
            "Retry-After",
            "Seconds after which a retry can succeed (`rate_limited`, `overloaded`)",
        ),
        _ => return,
    };
    let schema = match status {
        "401" => Object::with_type(Type::String),
        _ => Object::with_type(Type::Integer),
    };
    let mut header = Header::new(schema);
    header.description = Some(description.to_owned());
    response.headers.insert(name.to_owned(), header);
}
