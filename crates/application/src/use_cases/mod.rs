//! The use cases, one per file, each a method of [`crate::Application`] with its own
//! command and error types.

mod admin_list_sessions;
mod admin_revoke_session;
mod admin_revoke_user_sessions;
mod authenticate;
mod change_password;
mod cleanup;
mod delete_user;
mod deliver_webhooks;
mod get_session;
mod introspect;
mod keys;
mod list_events;
mod list_sessions;
mod login;
mod logout;
mod readiness;
mod refresh;
mod register;
mod revoke_incident;
mod revoke_other_sessions;
mod revoke_session;
mod set_session_limit;
mod trust;
mod webhooks;

#[cfg(test)]
mod test_support;

pub use admin_list_sessions::AdminListSessionsError;
pub use admin_revoke_session::AdminRevokeSessionError;
pub use admin_revoke_user_sessions::AdminRevokeUserSessionsError;
pub use authenticate::{AuthenticateError, Authenticated};
pub use change_password::{ChangePasswordError, PasswordChange};
pub use cleanup::{CleanupError, CleanupReport};
pub use delete_user::DeleteUserError;
pub use deliver_webhooks::DeliveryRound;
pub use get_session::GetSessionError;
pub use introspect::{IntrospectError, IntrospectRequest, Introspection};
pub use keys::{KeyGenerationView, KeyState, KeysError};
pub use list_events::{
    EventCursor, EventLimit, EventPage, EventPaging, InvalidEventLimit, ListEventsError,
};
pub use list_sessions::{ListSessionsError, SessionListing};
pub use login::{Credentials, LoggedIn, LoginError};
pub use logout::LogoutError;
pub use refresh::RefreshError;
pub use register::{RegisterError, Registration};
pub use revoke_incident::{IncidentOutcome, RevokeIncidentError, SAMPLE_SIZE};
pub use revoke_other_sessions::RevokeOtherSessionsError;
pub use revoke_session::RevokeSessionError;
pub use set_session_limit::SetSessionLimitError;
pub use trust::TrustError;
pub use webhooks::{EndpointSettings, WebhookError};
