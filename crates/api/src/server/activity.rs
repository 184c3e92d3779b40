//! What one connection is doing, as its deadline needs it: waiting for a request's head
//! (since the connection opened, or since the first byte after the previous response),
//! idle between requests, or serving requests (no deadline of ours: the request timeout
//! covers those). The reads and writes of the connection and the service's calls keep it
//! up to date; the connection's watchdog reads it.

use std::{
    io,
    pin::Pin,
    sync::{Arc, Mutex, PoisonError},
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    sync::Notify,
    time::Instant,
};

use super::parse_errors;

/// The connection's phase and since when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// A request's head is being received (or awaited on a new connection).
    ReadingHead(Instant),
    /// Between requests, with nothing received since the last response.
    Idle(Instant),
    /// This many requests are being served.
    Serving(usize),
}

/// The timeouts a connection is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionTimeouts {
    /// From the connection's opening, or from the first byte of a later request, until the
    /// request's head is complete.
    pub header: Duration,
    /// Between two requests (keep-alive), until the next one's first byte.
    pub idle: Duration,
}

/// One connection's activity.
#[derive(Debug)]
pub(super) struct Activity {
    phase: Mutex<Phase>,
    /// Wakes the watchdog when a deadline may have moved earlier or been lifted.
    changed: Notify,
}

impl Activity {
    /// A connection just accepted: its first request's head is awaited.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            phase: Mutex::new(Phase::ReadingHead(Instant::now())),
            changed: Notify::new(),
        })
    }

    fn update(&self, change: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.phase.lock().unwrap_or_else(PoisonError::into_inner);
        let before = *phase;
        *phase = change(before);
        if std::mem::discriminant(&before) != std::mem::discriminant(&*phase) {
            self.changed.notify_one();
        }
    }

    /// Bytes arrived: between requests, a new request's head starts.
    fn received(&self) {
        self.update(|phase| match phase {
            Phase::Idle(_) => Phase::ReadingHead(Instant::now()),
            other => other,
        });
    }

    /// Bytes left: a response body still streaming keeps the connection from being idle.
    fn sent(&self) {
        self.update(|phase| match phase {
            Phase::Idle(_) => Phase::Idle(Instant::now()),
            other => other,
        });
    }

    /// The service was called with a complete request.
    pub fn request_started(&self) {
        self.update(|phase| match phase {
            Phase::Serving(requests) => Phase::Serving(requests + 1),
            Phase::ReadingHead(_) | Phase::Idle(_) => Phase::Serving(1),
        });
    }

    /// The service answered a request (its head; the body may still stream).
    pub fn request_finished(&self) {
        self.update(|phase| match phase {
            Phase::Serving(requests) if requests > 1 => Phase::Serving(requests - 1),
            _ => Phase::Idle(Instant::now()),
        });
    }

    /// Whether no request is being served: nothing would be lost by closing now.
    pub fn is_between_requests(&self) -> bool {
        !matches!(
            *self.phase.lock().unwrap_or_else(PoisonError::into_inner),
            Phase::Serving(_)
        )
    }

    /// When the connection must close unless something happens first; `None` while
    /// requests are served.
    fn deadline(&self, timeouts: ConnectionTimeouts) -> Option<Instant> {
        match *self.phase.lock().unwrap_or_else(PoisonError::into_inner) {
            Phase::ReadingHead(since) => Some(since + timeouts.header),
            Phase::Idle(since) => Some(since + timeouts.idle),
            Phase::Serving(_) => None,
        }
    }

    /// Resolves when the connection has missed its deadline.
    pub async fn expired(&self, timeouts: ConnectionTimeouts) {
        loop {
            let changed = self.changed.notified();
            match self.deadline(timeouts) {
                Some(deadline) if deadline <= Instant::now() => return,
                Some(deadline) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => {}
                        () = changed => {}
                    }
                }
                None => changed.await,
            }
        }
    }
}

/// A connection's stream, telling its [`Activity`] about the bytes that pass, and putting
/// a problem+json answer in place of hyper's bare one to a request it cannot parse
/// ([`parse_errors`]).
pub(super) struct Watched<S> {
    stream: S,
    activity: Arc<Activity>,
    replacement: Option<Replacement>,
}

/// A problem response being written in place of hyper's answer.
struct Replacement {
    bytes: Vec<u8>,
    sent: usize,
    /// How many of hyper's bytes it stands for.
    replaces: usize,
}

impl<S> Watched<S> {
    pub fn new(stream: S, activity: Arc<Activity>) -> Self {
        Self {
            stream,
            activity,
            replacement: None,
        }
    }
}

impl<S: AsyncWrite + Unpin> Watched<S> {
    /// Writes the replacement under way, if any: `Ready` with the count of hyper's bytes it
    /// stands for once all of it is sent.
    fn poll_replacement(&mut self, context: &mut Context<'_>) -> Option<Poll<io::Result<usize>>> {
        let replacement = self.replacement.as_mut()?;
        while replacement.sent < replacement.bytes.len() {
            match Pin::new(&mut self.stream)
                .poll_write(context, &replacement.bytes[replacement.sent..])
            {
                Poll::Ready(Ok(0)) => {
                    return Some(Poll::Ready(Err(io::ErrorKind::WriteZero.into())));
                }
                Poll::Ready(Ok(written)) => replacement.sent += written,
                Poll::Ready(Err(error)) => return Some(Poll::Ready(Err(error))),
                Poll::Pending => return Some(Poll::Pending),
            }
        }
        let replaces = replacement.replaces;
        self.replacement = None;
        Some(Poll::Ready(Ok(replaces)))
    }

    /// Starts replacing `bytes` when they are hyper's own answer to an unparsable request.
    fn replace_hyper_answer(&mut self, bytes: &[u8]) -> bool {
        let Some((status, head_length)) = parse_errors::hyper_error_head(bytes) else {
            return false;
        };
        tracing::debug!(%status, "unparsable request answered with a problem");
        self.replacement = Some(Replacement {
            bytes: parse_errors::problem_response(status),
            sent: 0,
            replaces: head_length,
        });
        true
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buffer.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(context, buffer);
        if matches!(polled, Poll::Ready(Ok(()))) && buffer.filled().len() > before {
            self.activity.received();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        if (self.replacement.is_some() || self.replace_hyper_answer(bytes))
            && let Some(polled) = self.poll_replacement(context)
        {
            return polled;
        }
        let polled = Pin::new(&mut self.stream).poll_write(context, bytes);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.sent();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffers: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper's answer is a head alone, in the first buffer.
        let first = buffers.iter().find(|buffer| !buffer.is_empty());
        if (self.replacement.is_some()
            || first.is_some_and(|first| self.replace_hyper_answer(first)))
            && let Some(polled) = self.poll_replacement(context)
        {
            return polled;
        }
        let polled = Pin::new(&mut self.stream).poll_write_vectored(context, buffers);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.sent();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUTS: ConnectionTimeouts = ConnectionTimeouts {
        header: Duration::from_secs(10),
        idle: Duration::from_secs(60),
    };

    #[tokio::test(start_paused = true)]
    async fn a_new_connection_has_the_header_timeout_to_send_its_first_request() {
        let activity = Activity::new();
        let opened = Instant::now();
        activity.expired(TIMEOUTS).await;
        assert_eq!(opened.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn between_requests_the_idle_timeout_applies_then_the_header_timeout_from_the_first_byte()
    {
        let activity = Activity::new();
        activity.request_started();
        tokio::time::sleep(Duration::from_secs(100)).await;
        activity.request_finished();
        let answered = Instant::now();
        tokio::time::sleep(Duration::from_secs(55)).await;
        activity.received();
        activity.expired(TIMEOUTS).await;
        assert_eq!(answered.elapsed(), Duration::from_secs(65));
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_serving_a_request_has_no_deadline_of_ours() {
        let activity = Activity::new();
        activity.request_started();
        let expired = tokio::time::timeout(Duration::from_secs(3600), activity.expired(TIMEOUTS));
        assert!(expired.await.is_err());
        assert!(!activity.is_between_requests());
    }
}
