//! Identifier newtypes, so a user id can never be passed where a session id is expected.

use std::fmt;

use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID produced by the id generator or read back from storage.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    /// Identifies a user (the owner of sessions).
    UserId
);
uuid_id!(
    /// Identifies a session; UUID v7, so ids sort by creation time.
    SessionId
);
uuid_id!(
    /// Identifies one refresh token of a session's rotation chain.
    RefreshTokenId
);
uuid_id!(
    /// Identifies a device token: a browser or app that has signed in to an account before.
    DeviceTokenId
);
uuid_id!(
    /// Identifies one incident response: an administrator's revocation of every session
    /// matching a filter, named by each revocation event it recorded.
    IncidentId
);
