//! Storage conformance: each test body runs against every storage adapter through the
//! application's ports, so the adapters cannot drift apart.

mod event_search;
mod events;
mod incidents;
mod races;
mod refresh_tokens;
mod sessions;
mod signing_keys;
mod users;
mod webhooks;

/// Declares, for each named test body `async fn name(store: StoreUnderTest)`, one test per
/// adapter, with its request coalescing on and off (`<module>::postgres::name`,
/// `<module>::postgres_unbatched::name`, `<module>::sqlite::name`,
/// `<module>::sqlite_unbatched::name`), on a multi-threaded runtime so races really race.
macro_rules! conformance_tests {
    ($($test:ident),* $(,)?) => {
        crate::storage::conformance_tests!(@store postgres, postgres, On, $($test),*);
        crate::storage::conformance_tests!(@store postgres_unbatched, postgres, Off, $($test),*);
        crate::storage::conformance_tests!(@store sqlite, sqlite, On, $($test),*);
        crate::storage::conformance_tests!(@store sqlite_unbatched, sqlite, Off, $($test),*);
    };
    (@store $module:ident, $store:ident, $batching:ident, $($test:ident),*) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(
                        crate::support::store::$store(
                            sessions_infrastructure::Batching::$batching,
                        )
                        .await,
                    )
                    .await;
                }
            )*
        }
    };
}

pub(crate) use conformance_tests;
