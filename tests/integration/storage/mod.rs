//! Storage conformance: each test body runs against every storage adapter through the
//! application's ports, so the adapters cannot drift apart.

mod events;
mod races;
mod refresh_tokens;
mod sessions;
mod users;

/// Declares, for each named test body `async fn name(store: StoreUnderTest)`, one test per
/// adapter (`<module>::postgres::name`, `<module>::sqlite::name`), on a multi-threaded
/// runtime so races really race.
macro_rules! conformance_tests {
    ($($test:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(crate::support::store::postgres().await).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    super::$test(crate::support::store::sqlite().await).await;
                }
            )*
        }
    };
}

pub(crate) use conformance_tests;
