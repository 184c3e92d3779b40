//! The HTTP API end to end: the real server on a random port, a real client, Postgres (and
//! SQLite where the store is involved).

mod abuse;
mod admin;
mod audit;
mod auth;
mod enrichment;
mod headers;
mod introspect;
mod malformed;
mod operations;
mod pages;
mod sessions;
mod webhooks;

/// Declares, for each test body `async fn name(server: TestServer)`, one test on a server
/// over Postgres and one over SQLite.
macro_rules! on_both_stores {
    ($($test:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(crate::support::server::spawn_server(&crate::support::server::ServerOptions::default()).await)
                        .await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(
                        crate::support::server::spawn_sqlite_server(&crate::support::server::ServerOptions::default()).await,
                    )
                    .await;
                }
            )*
        }
    };
}
pub(crate) use on_both_stores;
