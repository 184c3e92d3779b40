//! The inbound port: everything a driving adapter (HTTP, CLI) can ask of the service, as one
//! trait, so adapters can be tested against a mock. [`Application`] implements it by
//! delegating to its use cases.

use async_trait::async_trait;
use sessions_domain::{
    DeliveryStatus, ParsedDevice, RevocationReason, Session, SessionFilter, SessionId,
    SessionLimit, User, UserAgent, UserId,
};
use uuid::Uuid;

use crate::{
    Application, Caller, ClientContext, SecretToken, SessionPage, SessionView, TokenPair,
    ports::{Delivery, EventFilter, PublicSigningKey, StoreError, WebhookEndpoint},
    use_cases::{
        AdminListSessionsError, AdminRevokeSessionError, AdminRevokeUserSessionsError,
        AuthenticateError, Authenticated, ChangePasswordError, CleanupError, CleanupReport,
        Credentials, DeleteUserError, DeliveryRound, EndpointSettings, EventPage, EventPaging,
        GetSessionError, IncidentOutcome, IntrospectError, IntrospectRequest, Introspection,
        KeyGenerationView, KeysError, ListEventsError, ListSessionsError, LoggedIn, LoginError,
        LogoutError, PasswordChange, RefreshError, RegisterError, Registration,
        RevokeIncidentError, RevokeOtherSessionsError, RevokeSessionError, SessionListing,
        SetSessionLimitError, TrustError, WebhookError,
    },
};

/// The session service's use cases. See the methods of [`Application`] of the same names.
#[allow(missing_docs, clippy::missing_errors_doc)]
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SessionService: Send + Sync {
    async fn register(
        &self,
        registration: Registration,
        client: &ClientContext,
    ) -> Result<User, RegisterError>;
    async fn login(
        &self,
        credentials: Credentials,
        client: ClientContext,
    ) -> Result<LoggedIn, LoginError>;
    async fn refresh(
        &self,
        presented: &SecretToken,
        client: &ClientContext,
    ) -> Result<TokenPair, RefreshError>;
    async fn authenticate(
        &self,
        access_token: &str,
        client: &ClientContext,
    ) -> Result<Authenticated, AuthenticateError>;
    fn recognizes_access_token(&self, token: &str) -> bool;
    fn describe_device(&self, user_agent: &UserAgent) -> ParsedDevice;
    async fn logout(&self, session_id: SessionId, caller: &Caller) -> Result<(), LogoutError>;
    async fn change_password(
        &self,
        user_id: UserId,
        current_session: SessionId,
        change: PasswordChange,
        caller: &Caller,
    ) -> Result<u64, ChangePasswordError>;
    async fn list_sessions(
        &self,
        current: &Session,
        listing: SessionListing,
    ) -> Result<SessionPage, ListSessionsError>;
    async fn get_session(
        &self,
        user_id: UserId,
        current: Option<SessionId>,
        session_id: SessionId,
    ) -> Result<SessionView, GetSessionError>;
    async fn revoke_session(
        &self,
        user_id: UserId,
        session_id: SessionId,
        caller: &Caller,
    ) -> Result<(), RevokeSessionError>;
    async fn revoke_other_sessions(
        &self,
        user_id: UserId,
        current: SessionId,
        caller: &Caller,
    ) -> Result<u64, RevokeOtherSessionsError>;
    async fn set_trusted(
        &self,
        user_id: UserId,
        current: Option<SessionId>,
        session_id: SessionId,
        trusted: bool,
        caller: &Caller,
    ) -> Result<SessionView, TrustError>;
    async fn list_events(
        &self,
        user_id: UserId,
        session_id: SessionId,
        paging: EventPaging,
    ) -> Result<EventPage, ListEventsError>;
    async fn search_events(
        &self,
        filter: EventFilter,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError>;
    async fn export_events(
        &self,
        filter: EventFilter,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError>;
    async fn list_user_events(
        &self,
        user_id: UserId,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError>;
    async fn revoke_incident(
        &self,
        filter: SessionFilter,
        dry_run: bool,
        caller: &Caller,
    ) -> Result<IncidentOutcome, RevokeIncidentError>;
    async fn introspect(
        &self,
        request: IntrospectRequest,
    ) -> Result<Introspection, IntrospectError>;
    async fn admin_list_sessions(
        &self,
        user_id: UserId,
        listing: SessionListing,
    ) -> Result<SessionPage, AdminListSessionsError>;
    async fn admin_revoke_user_sessions(
        &self,
        user_id: UserId,
        reason: Option<RevocationReason>,
        caller: &Caller,
    ) -> Result<u64, AdminRevokeUserSessionsError>;
    async fn admin_revoke_session(
        &self,
        session_id: SessionId,
        caller: &Caller,
    ) -> Result<(), AdminRevokeSessionError>;
    async fn set_session_limit(
        &self,
        user_id: UserId,
        max_sessions: Option<u32>,
    ) -> Result<Option<SessionLimit>, SetSessionLimitError>;
    async fn delete_user(&self, user_id: UserId, caller: &Caller) -> Result<(), DeleteUserError>;
    async fn create_webhook(
        &self,
        settings: EndpointSettings,
    ) -> Result<(WebhookEndpoint, SecretToken), WebhookError>;
    async fn list_webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError>;
    async fn get_webhook(&self, id: Uuid) -> Result<WebhookEndpoint, WebhookError>;
    async fn update_webhook(
        &self,
        id: Uuid,
        settings: EndpointSettings,
    ) -> Result<WebhookEndpoint, WebhookError>;
    async fn delete_webhook(&self, id: Uuid) -> Result<(), WebhookError>;
    async fn rotate_webhook_secret(
        &self,
        id: Uuid,
    ) -> Result<(WebhookEndpoint, SecretToken), WebhookError>;
    async fn list_deliveries(
        &self,
        id: Uuid,
        status: Option<DeliveryStatus>,
        limit: u32,
    ) -> Result<Vec<Delivery>, WebhookError>;
    async fn retry_delivery(&self, id: Uuid, delivery_id: Uuid) -> Result<(), WebhookError>;
    async fn deliver_webhooks(&self) -> Result<DeliveryRound, StoreError>;
    async fn cleanup(&self) -> Result<CleanupReport, CleanupError>;
    async fn check_ready(&self) -> Result<(), StoreError>;
    async fn count_active_sessions(&self) -> Result<u64, StoreError>;
    async fn measure_webhook_queue(&self) -> Result<(), StoreError>;
    async fn rotate_keys(&self) -> Result<KeyGenerationView, KeysError>;
    async fn list_keys(&self) -> Result<Vec<KeyGenerationView>, KeysError>;
    fn public_keys(&self) -> Vec<PublicSigningKey>;
}

#[async_trait]
impl SessionService for Application {
    async fn register(
        &self,
        registration: Registration,
        client: &ClientContext,
    ) -> Result<User, RegisterError> {
        Application::register(self, registration, client).await
    }
    async fn login(
        &self,
        credentials: Credentials,
        client: ClientContext,
    ) -> Result<LoggedIn, LoginError> {
        Application::login(self, credentials, client).await
    }
    async fn refresh(
        &self,
        presented: &SecretToken,
        client: &ClientContext,
    ) -> Result<TokenPair, RefreshError> {
        Application::refresh(self, presented, client).await
    }
    async fn authenticate(
        &self,
        access_token: &str,
        client: &ClientContext,
    ) -> Result<Authenticated, AuthenticateError> {
        Application::authenticate(self, access_token, client).await
    }
    fn recognizes_access_token(&self, token: &str) -> bool {
        Application::recognizes_access_token(self, token)
    }
    fn describe_device(&self, user_agent: &UserAgent) -> ParsedDevice {
        self.ports.devices.parse(user_agent)
    }
    async fn logout(&self, session_id: SessionId, caller: &Caller) -> Result<(), LogoutError> {
        Application::logout(self, session_id, caller).await
    }
    async fn change_password(
        &self,
        user_id: UserId,
        current_session: SessionId,
        change: PasswordChange,
        caller: &Caller,
    ) -> Result<u64, ChangePasswordError> {
        Application::change_password(self, user_id, current_session, change, caller).await
    }
    async fn list_sessions(
        &self,
        current: &Session,
        listing: SessionListing,
    ) -> Result<SessionPage, ListSessionsError> {
        Application::list_sessions(self, current, listing).await
    }
    async fn get_session(
        &self,
        user_id: UserId,
        current: Option<SessionId>,
        session_id: SessionId,
    ) -> Result<SessionView, GetSessionError> {
        Application::get_session(self, user_id, current, session_id).await
    }
    async fn revoke_session(
        &self,
        user_id: UserId,
        session_id: SessionId,
        caller: &Caller,
    ) -> Result<(), RevokeSessionError> {
        Application::revoke_session(self, user_id, session_id, caller).await
    }
    async fn revoke_other_sessions(
        &self,
        user_id: UserId,
        current: SessionId,
        caller: &Caller,
    ) -> Result<u64, RevokeOtherSessionsError> {
        Application::revoke_other_sessions(self, user_id, current, caller).await
    }
    async fn set_trusted(
        &self,
        user_id: UserId,
        current: Option<SessionId>,
        session_id: SessionId,
        trusted: bool,
        caller: &Caller,
    ) -> Result<SessionView, TrustError> {
        Application::set_trusted(self, user_id, current, session_id, trusted, caller).await
    }
    async fn list_events(
        &self,
        user_id: UserId,
        session_id: SessionId,
        paging: EventPaging,
    ) -> Result<EventPage, ListEventsError> {
        Application::list_events(self, user_id, session_id, paging).await
    }
    async fn search_events(
        &self,
        filter: EventFilter,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError> {
        Application::search_events(self, filter, paging).await
    }
    async fn export_events(
        &self,
        filter: EventFilter,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError> {
        Application::export_events(self, filter, paging).await
    }
    async fn list_user_events(
        &self,
        user_id: UserId,
        paging: EventPaging,
    ) -> Result<EventPage, StoreError> {
        Application::list_user_events(self, user_id, paging).await
    }
    async fn revoke_incident(
        &self,
        filter: SessionFilter,
        dry_run: bool,
        caller: &Caller,
    ) -> Result<IncidentOutcome, RevokeIncidentError> {
        Application::revoke_incident(self, filter, dry_run, caller).await
    }
    async fn introspect(
        &self,
        request: IntrospectRequest,
    ) -> Result<Introspection, IntrospectError> {
        Application::introspect(self, request).await
    }
    async fn admin_list_sessions(
        &self,
        user_id: UserId,
        listing: SessionListing,
    ) -> Result<SessionPage, AdminListSessionsError> {
        Application::admin_list_sessions(self, user_id, listing).await
    }
    async fn admin_revoke_user_sessions(
        &self,
        user_id: UserId,
        reason: Option<RevocationReason>,
        caller: &Caller,
    ) -> Result<u64, AdminRevokeUserSessionsError> {
        Application::admin_revoke_user_sessions(self, user_id, reason, caller).await
    }
    async fn admin_revoke_session(
        &self,
        session_id: SessionId,
        caller: &Caller,
    ) -> Result<(), AdminRevokeSessionError> {
        Application::admin_revoke_session(self, session_id, caller).await
    }
    async fn set_session_limit(
        &self,
        user_id: UserId,
        max_sessions: Option<u32>,
    ) -> Result<Option<SessionLimit>, SetSessionLimitError> {
        Application::set_session_limit(self, user_id, max_sessions).await
    }
    async fn delete_user(&self, user_id: UserId, caller: &Caller) -> Result<(), DeleteUserError> {
        Application::delete_user(self, user_id, caller).await
    }
    async fn create_webhook(
        &self,
        settings: EndpointSettings,
    ) -> Result<(WebhookEndpoint, SecretToken), WebhookError> {
        Application::create_webhook(self, settings).await
    }
    async fn list_webhooks(&self) -> Result<Vec<WebhookEndpoint>, StoreError> {
        Application::list_webhooks(self).await
    }
    async fn get_webhook(&self, id: Uuid) -> Result<WebhookEndpoint, WebhookError> {
        Application::get_webhook(self, id).await
    }
    async fn update_webhook(
        &self,
        id: Uuid,
        settings: EndpointSettings,
    ) -> Result<WebhookEndpoint, WebhookError> {
        Application::update_webhook(self, id, settings).await
    }
    async fn delete_webhook(&self, id: Uuid) -> Result<(), WebhookError> {
        Application::delete_webhook(self, id).await
    }
    async fn rotate_webhook_secret(
        &self,
        id: Uuid,
    ) -> Result<(WebhookEndpoint, SecretToken), WebhookError> {
        Application::rotate_webhook_secret(self, id).await
    }
    async fn list_deliveries(
        &self,
        id: Uuid,
        status: Option<DeliveryStatus>,
        limit: u32,
    ) -> Result<Vec<Delivery>, WebhookError> {
        Application::list_deliveries(self, id, status, limit).await
    }
    async fn retry_delivery(&self, id: Uuid, delivery_id: Uuid) -> Result<(), WebhookError> {
        Application::retry_delivery(self, id, delivery_id).await
    }
    async fn deliver_webhooks(&self) -> Result<DeliveryRound, StoreError> {
        Application::deliver_webhooks(self).await
    }
    async fn cleanup(&self) -> Result<CleanupReport, CleanupError> {
        Application::cleanup(self).await
    }
    async fn check_ready(&self) -> Result<(), StoreError> {
        Application::check_ready(self).await
    }
    async fn count_active_sessions(&self) -> Result<u64, StoreError> {
        Application::count_active_sessions(self).await
    }
    async fn measure_webhook_queue(&self) -> Result<(), StoreError> {
        Application::measure_webhook_queue(self).await
    }
    async fn rotate_keys(&self) -> Result<KeyGenerationView, KeysError> {
        Application::rotate_keys(self).await
    }
    async fn list_keys(&self) -> Result<Vec<KeyGenerationView>, KeysError> {
        Application::list_keys(self).await
    }
    fn public_keys(&self) -> Vec<PublicSigningKey> {
        Application::public_keys(self)
    }
}
