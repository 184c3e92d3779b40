//! Real races: tasks on the multi-threaded runtime, released together by one barrier.

use std::{future::Future, sync::Arc};

use tokio::sync::Barrier;

/// Runs `task` for every item at once: each future on a task of its own, all held at one
/// barrier until the last is spawned; returns their outputs in the items' order.
pub async fn released_together<I, F, T>(
    items: impl IntoIterator<Item = I>,
    task: F,
) -> Vec<T::Output>
where
    F: Fn(I) -> T,
    T: Future + Send + 'static,
    T::Output: Send + 'static,
{
    let futures: Vec<T> = items.into_iter().map(task).collect();
    let barrier = Arc::new(Barrier::new(futures.len()));
    let tasks: Vec<_> = futures
        .into_iter()
        .map(|future| {
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                future.await
            })
        })
        .collect();
    let mut outputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        outputs.push(task.await.expect("raced task panicked"));
    }
    outputs
}
