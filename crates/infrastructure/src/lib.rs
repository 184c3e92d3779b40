//! `sessions-infrastructure`: the outbound adapters of the hexagon — storage (Postgres and
//! the embedded SQLite default), password hashing (argon2id), the key ring (access tokens
//! as ES256 JWTs, refresh-token secrets, keys sealed with the master key), and the small
//! technical ports (clock, ids).

mod argon2_hasher;
mod attempt_keys;
mod clock;
mod coalescing;
mod corrupt_row;
mod delivery_outcome;
mod device_parser;
mod event_record;
mod geolocation;
mod ids;
mod keys;
pub mod postgres;
mod rotation;
mod session_record;
pub mod sqlite;
mod token_secrets;
mod tokens_with_sessions;
pub mod webhooks;

pub use argon2_hasher::{Argon2Cost, Argon2Hasher};
pub use clock::SystemClock;
pub use coalescing::Batching;
pub use corrupt_row::CorruptRow;
pub use device_parser::UapDeviceParser;
pub use geolocation::{GeoDatabaseError, MaxMindGeolocator, NoGeolocation};
pub use ids::UuidV7Generator;
pub use keys::{InvalidMasterKey, LegacyKeys, MasterKey, SigningKeyRing, TokenIssuer};
