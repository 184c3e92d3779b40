//! The administrators' audit-trail search, and its export for a SIEM as NDJSON streamed a
//! page at a time (constant memory whatever the number of events).

use axum::{
    Json,
    body::{Body, Bytes},
    extract::{RawQuery, State},
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sessions_application::{
    ports::EventFilter,
    use_cases::{EventLimit, EventPaging},
};

use sessions_domain::{AuditEventKind, IpNetwork, SessionId, UserId};
use utoipa::IntoParams;
use uuid::Uuid;

use super::events::paging;
use crate::{
    dto::{EventBody, EventPageBody, schemas},
    extract::AdminCaller,
    problem::{ApiError, ProblemBody},
    state::AppState,
};

/// The conditions of a search; every one given must hold.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventSearchQuery {
    /// Events naming this account.
    pub user_id: Option<Uuid>,
    /// Events of this session.
    pub session_id: Option<Uuid>,
    /// Events of this type; repeat for several (`type=login_failed&type=session_created`).
    #[serde(rename = "type", default)]
    #[param(rename = "type", style = Form, explode, schema_with = schemas::event_types)]
    pub types: Vec<String>,
    /// Events whose request came from this address, or from inside this CIDR network
    /// (`198.51.100.0/24`, `2001:db8::/32`).
    #[param(schema_with = schemas::ip_address_or_network)]
    pub ip: Option<String>,
    /// Events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// Page size, 1–500 (default 100; for the export, how many events each read fetches,
    /// default 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page; for the export, the id of the last event already
    /// read, to resume after it.
    #[param(pattern = r"^[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

impl EventSearchQuery {
    /// Reads the query string. `type` may repeat, which the decoding of single values does
    /// not allow: its values are taken out first.
    fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let invalid = |error: &dyn std::fmt::Display| {
            ApiError::invalid(format!("Failed to deserialize query string: {error}"))
        };
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or_default()).map_err(|error| invalid(&error))?;
        let (types, rest): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(key, _)| key == "type");
        let rest = serde_urlencoded::to_string(&rest).map_err(|error| invalid(&error))?;
        let mut query: Self = serde_urlencoded::from_str(&rest).map_err(|error| invalid(&error))?;
        query.types = types.into_iter().map(|(_, value)| value).collect();
        Ok(query)
    }

    fn filter(&self) -> Result<EventFilter, ApiError> {
        let types = self
            .types
            .iter()
            .map(|name| {
                AuditEventKind::TYPE_NAMES
                    .into_iter()
                    .find(|known| known == name)
                    .ok_or_else(|| {
                        ApiError::invalid(format!(
                            "type: unknown event type; one of {}",
                            AuditEventKind::TYPE_NAMES.join(", ")
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let network = self
            .ip
            .as_deref()
            .map(|text| {
                text.parse::<IpNetwork>()
                    .ok()
                    .and_then(|network| IpNetwork::new(network.network(), network.prefix()).ok())
                    .ok_or_else(|| ApiError::invalid("ip: not an IP address or CIDR network"))
            })
            .transpose()?;
        Ok(EventFilter {
            user_id: self.user_id.map(UserId::from_uuid),
            session_id: self.session_id.map(SessionId::from_uuid),
            types,
            network,
            since: self.since,
            until: self.until,
        })
    }
}

/// Search the audit trail, newest first, across every account and session (also those
/// already cleaned up).
#[utoipa::path(get, path = "/v1/admin/events", operation_id = "admin_search_events", tag = "admin",
    params(EventSearchQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "One page, newest first", body = EventPageBody),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: an unknown type, a bad address, time, `limit` or `cursor`", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn search(
    State(state): State<AppState>,
    _admin: AdminCaller,
    RawQuery(raw): RawQuery,
) -> Result<Json<EventPageBody>, ApiError> {
    let query = EventSearchQuery::parse(raw.as_deref())?;
    let filter = query.filter()?;
    let page = state
        .service
        .search_events(filter, paging(query.limit, query.cursor)?)
        .await?;
    Ok(Json(page.into()))
}

/// Every event matching the search's conditions, oldest first (after `cursor`, to resume),
/// one JSON object per line
/// (`application/x-ndjson`), streamed as it is read. A failure mid-way ends the response
/// without its last chunk, so a reader never takes a cut export for a whole one.
#[utoipa::path(get, path = "/v1/admin/events/export", operation_id = "admin_export_events", tag = "admin",
    params(EventSearchQuery),
    security(("admin_token" = [])),
    responses(
        (status = 200, description = "The events, one JSON object (as in the search) per line", content_type = "application/x-ndjson", body = String),
        (status = 401, description = "`unauthorized`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "`forbidden`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_request`: an unknown type, a bad address or time", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn export(
    State(state): State<AppState>,
    _admin: AdminCaller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = EventSearchQuery::parse(raw.as_deref())?;
    let filter = query.filter()?;
    let limit = query.limit.or(Some(EventLimit::MAX));
    let first = paging(limit, query.cursor)?;
    let pages = futures_util::stream::unfold(Some(first), move |paging| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let paging = paging?;
            match state.service.export_events(filter, paging).await {
                Ok(page) => {
                    let mut lines = Vec::with_capacity(page.events.len() * 512);
                    for event in page.events {
                        if let Err(error) =
                            serde_json::to_writer(&mut lines, &EventBody::from(event))
                        {
                            return Some((Err(std::io::Error::other(error)), None));
                        }
                        lines.push(b'\n');
                    }
                    let next = page.next.map(|after| EventPaging {
                        after: Some(after),
                        ..paging
                    });
                    Some((Ok(Bytes::from(lines)), next))
                }
                Err(error) => {
                    tracing::error!(%error, "export ended by a store failure");
                    Some((Err(std::io::Error::other(error)), None))
                }
            }
        }
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(pages),
    )
        .into_response())
}
