//! `sessions-infrastructure`: the outbound adapters of the hexagon — storage (Postgres),
//! and the small technical ports (clock, ids, token secrets).

mod clock;
mod corrupt_row;
mod ids;
pub mod postgres;
mod refresh_secrets;
mod session_columns;

pub use clock::SystemClock;
pub use corrupt_row::CorruptRow;
pub use ids::UuidV7Generator;
pub use refresh_secrets::HmacRefreshSecrets;
