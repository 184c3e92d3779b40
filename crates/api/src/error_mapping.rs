//! The one mapping from every use-case error to its problem response.

use axum::http::StatusCode;
use sessions_application::{
    ports::{HashingError, StoreError},
    use_cases::{
        AdminListSessionsError, AdminRevokeSessionError, AdminRevokeUserSessionsError,
        AuthenticateError, ChangePasswordError, CleanupError, DeleteUserError, GetSessionError,
        IntrospectError, KeysError, ListEventsError, ListSessionsError, LoginError, LogoutError,
        RefreshError, RegisterError, RevokeIncidentError, RevokeOtherSessionsError,
        RevokeSessionError, SetSessionLimitError, TrustError, WebhookError,
    },
};

use sessions_domain::Throttled;

use crate::problem::ApiError;

fn invalid_credentials(status: StatusCode) -> ApiError {
    ApiError::new(
        status,
        "invalid_credentials",
        "Invalid credentials",
        "e-mail address or password is wrong",
    )
}

fn session_revoked() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "session_revoked",
        "Session revoked",
        "the session has been revoked",
    )
}

fn session_expired() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "session_expired",
        "Session expired",
        "the session has expired",
    )
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::store_unavailable(&error)
    }
}

impl From<HashingError> for ApiError {
    fn from(error: HashingError) -> Self {
        match error {
            HashingError::Overloaded { retry_after } => ApiError::overloaded(retry_after),
            HashingError::Failed(_) => ApiError::internal(&error),
        }
    }
}

impl From<Throttled> for ApiError {
    fn from(throttled: Throttled) -> Self {
        ApiError::rate_limited(throttled.retry_after.to_std().unwrap_or_default())
    }
}

impl From<RegisterError> for ApiError {
    fn from(error: RegisterError) -> Self {
        match error {
            RegisterError::InvalidEmail(error) => ApiError::invalid(format!("email: {error}")),
            RegisterError::InvalidPassword(error) => {
                ApiError::invalid(format!("password: {error}"))
            }
            RegisterError::EmailTaken => ApiError::new(
                StatusCode::CONFLICT,
                "email_taken",
                "E-mail address taken",
                "a user with this e-mail address exists",
            ),
            RegisterError::Throttled(throttled) => throttled.into(),
            RegisterError::Hashing(error) => error.into(),
            RegisterError::Store(error) => error.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => invalid_credentials(StatusCode::UNAUTHORIZED),
            LoginError::Throttled(throttled) => throttled.into(),
            LoginError::Hashing(error) => error.into(),
            LoginError::TokenCodec(error) => ApiError::internal(&error),
            LoginError::Store(error) => error.into(),
        }
    }
}

impl From<RefreshError> for ApiError {
    fn from(error: RefreshError) -> Self {
        match error {
            RefreshError::InvalidRefreshToken => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_refresh_token",
                "Invalid refresh token",
                "the refresh token is unknown",
            ),
            RefreshError::SessionRevoked => session_revoked(),
            RefreshError::SessionExpired => session_expired(),
            RefreshError::RefreshTokenReuse => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "refresh_token_reuse",
                "Refresh token reused",
                "a used refresh token was presented again; the session has been revoked",
            ),
            RefreshError::Contended => ApiError::contended(),
            RefreshError::TokenCodec(error) => ApiError::internal(&error),
            RefreshError::Store(error) => error.into(),
        }
    }
}

impl From<AuthenticateError> for ApiError {
    fn from(error: AuthenticateError) -> Self {
        match error {
            AuthenticateError::Unauthorized => {
                ApiError::unauthorized("missing, invalid or expired access token")
            }
            AuthenticateError::SessionRevoked => session_revoked(),
            AuthenticateError::SessionExpired => session_expired(),
            AuthenticateError::Contended => ApiError::contended(),
            AuthenticateError::Store(error) => error.into(),
        }
    }
}

impl From<LogoutError> for ApiError {
    fn from(error: LogoutError) -> Self {
        match error {
            LogoutError::Contended => ApiError::contended(),
            LogoutError::Store(error) => error.into(),
        }
    }
}

impl From<ChangePasswordError> for ApiError {
    fn from(error: ChangePasswordError) -> Self {
        match error {
            ChangePasswordError::InvalidCredentials => invalid_credentials(StatusCode::FORBIDDEN),
            ChangePasswordError::InvalidPassword(error) => {
                ApiError::invalid(format!("new_password: {error}"))
            }
            ChangePasswordError::UserNotFound => {
                ApiError::unauthorized("the user no longer exists")
            }
            ChangePasswordError::SessionRevoked => session_revoked(),
            ChangePasswordError::Contended => ApiError::contended(),
            ChangePasswordError::Hashing(error) => error.into(),
            ChangePasswordError::Store(error) => error.into(),
        }
    }
}

impl From<ListSessionsError> for ApiError {
    fn from(error: ListSessionsError) -> Self {
        match error {
            ListSessionsError::Store(error) => error.into(),
        }
    }
}

impl From<GetSessionError> for ApiError {
    fn from(error: GetSessionError) -> Self {
        match error {
            GetSessionError::NotFound => ApiError::session_not_found(),
            GetSessionError::Store(error) => error.into(),
        }
    }
}

impl From<RevokeSessionError> for ApiError {
    fn from(error: RevokeSessionError) -> Self {
        match error {
            RevokeSessionError::NotFound => ApiError::session_not_found(),
            RevokeSessionError::Contended => ApiError::contended(),
            RevokeSessionError::Store(error) => error.into(),
        }
    }
}

impl From<RevokeOtherSessionsError> for ApiError {
    fn from(error: RevokeOtherSessionsError) -> Self {
        match error {
            RevokeOtherSessionsError::Store(error) => error.into(),
        }
    }
}

impl From<TrustError> for ApiError {
    fn from(error: TrustError) -> Self {
        match error {
            TrustError::NotFound => ApiError::session_not_found(),
            TrustError::SessionInactive(_) => ApiError::new(
                StatusCode::CONFLICT,
                "session_inactive",
                "Session inactive",
                "only an active session can be trusted or untrusted",
            ),
            TrustError::Contended => ApiError::contended(),
            TrustError::Store(error) => error.into(),
        }
    }
}

impl From<ListEventsError> for ApiError {
    fn from(error: ListEventsError) -> Self {
        match error {
            ListEventsError::NotFound => ApiError::session_not_found(),
            ListEventsError::Store(error) => error.into(),
        }
    }
}

impl From<IntrospectError> for ApiError {
    fn from(error: IntrospectError) -> Self {
        match error {
            IntrospectError::Contended => ApiError::contended(),
            IntrospectError::Store(error) => error.into(),
        }
    }
}

impl From<AdminListSessionsError> for ApiError {
    fn from(error: AdminListSessionsError) -> Self {
        match error {
            AdminListSessionsError::UserNotFound => ApiError::user_not_found(),
            AdminListSessionsError::Store(error) => error.into(),
        }
    }
}

impl From<AdminRevokeUserSessionsError> for ApiError {
    fn from(error: AdminRevokeUserSessionsError) -> Self {
        match error {
            AdminRevokeUserSessionsError::UserNotFound => ApiError::user_not_found(),
            AdminRevokeUserSessionsError::Store(error) => error.into(),
        }
    }
}

impl From<AdminRevokeSessionError> for ApiError {
    fn from(error: AdminRevokeSessionError) -> Self {
        match error {
            AdminRevokeSessionError::NotFound => ApiError::session_not_found(),
            AdminRevokeSessionError::Contended => ApiError::contended(),
            AdminRevokeSessionError::Store(error) => error.into(),
        }
    }
}

impl From<WebhookError> for ApiError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::NotFound => ApiError::webhook_not_found(),
            WebhookError::Invalid(detail) => ApiError::invalid(detail),
            WebhookError::TargetRefused(refused) => {
                ApiError::invalid(format!("url: {}", refused.0))
            }
            WebhookError::Store(error) => error.into(),
        }
    }
}

impl From<RevokeIncidentError> for ApiError {
    fn from(error: RevokeIncidentError) -> Self {
        match error {
            RevokeIncidentError::EmptyFilter => ApiError::invalid(
                "at least one of ip, country, device, user_ids, created_after, created_before, provider is required",
            ),
            RevokeIncidentError::Store(error) => error.into(),
        }
    }
}

impl From<SetSessionLimitError> for ApiError {
    fn from(error: SetSessionLimitError) -> Self {
        match error {
            SetSessionLimitError::UserNotFound => ApiError::user_not_found(),
            SetSessionLimitError::TooLarge(error) => {
                ApiError::invalid(format!("max_sessions: {error}"))
            }
            SetSessionLimitError::Store(error) => error.into(),
        }
    }
}

impl From<DeleteUserError> for ApiError {
    fn from(error: DeleteUserError) -> Self {
        match error {
            DeleteUserError::UserNotFound => ApiError::user_not_found(),
            DeleteUserError::Store(error) => error.into(),
        }
    }
}

impl From<CleanupError> for ApiError {
    fn from(error: CleanupError) -> Self {
        match error {
            CleanupError::Store(error) => error.into(),
        }
    }
}

impl From<KeysError> for ApiError {
    fn from(error: KeysError) -> Self {
        match error {
            KeysError::Store(error) => error.into(),
            KeysError::Ring(error) => ApiError::internal(&error),
        }
    }
}
