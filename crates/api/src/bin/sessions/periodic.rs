//! The server's background work on a timer (cleanup, the metrics recorder's upkeep): a task
//! run once per period until the server stops.

use std::{future::Future, time::Duration};

use tokio::{sync::watch, task::JoinHandle, time::MissedTickBehavior};

/// Runs `task` every `period`, the first time one period after the start, until `stop`
/// changes (or its sender is gone). A run that overruns delays the next one instead of
/// making up for missed ones.
pub fn spawn_periodic<Task, Run>(
    period: Duration,
    mut stop: watch::Receiver<bool>,
    mut task: Task,
) -> JoinHandle<()>
where
    Task: FnMut() -> Run + Send + 'static,
    Run: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(period);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            tokio::select! {
                _ = ticker.tick() => task().await,
                _ = stop.changed() => return,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_periodic_task_runs_once_per_period_until_told_to_stop() {
        let runs = Arc::new(AtomicUsize::new(0));
        let (stop, stopped) = watch::channel(false);
        let counter = runs.clone();
        let task = spawn_periodic(Duration::from_secs(5), stopped, move || {
            counter.fetch_add(1, Ordering::SeqCst);
            std::future::ready(())
        });

        tokio::time::sleep(Duration::from_secs(4)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 0, "not at the start");
        tokio::time::sleep(Duration::from_secs(12)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "at 5, 10 and 15 s");

        stop.send(true).unwrap();
        task.await.unwrap();
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(runs.load(Ordering::SeqCst), 3, "never after the stop");
    }
}
