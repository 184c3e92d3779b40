//! Serving the router over TCP, with the limits a public service needs: a cap on open
//! connections, a deadline for each request's head and for idle keep-alive connections, a
//! request timeout, and a shutdown that lets in-flight requests finish but no longer than
//! a deadline.
//!
//! A loop of our own over hyper's HTTP/1 connections rather than `axum::serve`, which sets
//! none of these; and with our own watchdog rather than hyper's header timeout, which also
//! starts when a keep-alive connection turns idle, so that the header and idle timeouts can
//! differ (a proxy in front keeps idle connections far longer than a client may take to
//! send a request's head).

mod activity;
mod parse_errors;

use std::{
    convert::Infallible, future::Future, io, net::SocketAddr, pin::Pin, sync::Arc, time::Duration,
};

use axum::{Router, body::Body, extract::ConnectInfo, response::IntoResponse};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::rt::TokioIo;
use tokio::{net::TcpListener, sync::Semaphore, sync::watch};
use tower::ServiceExt;

pub use activity::ConnectionTimeouts;
use activity::{Activity, Watched};

use crate::problem::ApiError;

/// The largest request head (request line and headers) read: a connection never buffers
/// more, and a larger head is answered 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The limits the server holds connections and requests to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeLimits {
    /// Per connection: request-head and keep-alive deadlines.
    pub timeouts: ConnectionTimeouts,
    /// The longest a request may take to be answered (its response head).
    pub request: Duration,
    /// Connections open at once; further ones wait in the listen backlog.
    pub max_connections: usize,
    /// After the shutdown signal, the longest in-flight requests may take to finish.
    pub shutdown: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves: then no new connection is
/// accepted, connections between requests close at once, and in-flight requests finish,
/// for at most `limits.shutdown`, after which what remains is dropped.
///
/// # Errors
/// The listener's I/O error, if it fails for good.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let (stopping, stop) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of descriptors or a connection reset before it was accepted: the
                // listener itself is fine. A pause keeps a persistent failure from spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY not set");
        }
        let connection = Connection {
            router: router.clone(),
            peer,
            activity: Activity::new(),
            limits,
        };
        let stop = stop.clone();
        tokio::spawn(async move {
            connection.run(stream, stop).await;
            drop(permit);
        });
    }
    tracing::info!("shutting down: finishing in-flight requests");
    let _ = stopping.send(true);
    drop(listener);
    let all_closed = connections.acquire_many(permits(limits.max_connections));
    if tokio::time::timeout(limits.shutdown, all_closed)
        .await
        .is_err()
    {
        tracing::warn!(
            remaining = limits.max_connections - connections.available_permits(),
            "shutdown deadline reached: dropping the remaining connections"
        );
    }
    Ok(())
}

/// `count` as semaphore permits (a connection cap never exceeds `u32::MAX`).
fn permits(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// One accepted connection.
struct Connection {
    router: Router,
    peer: SocketAddr,
    activity: Arc<Activity>,
    limits: ServeLimits,
}

impl Connection {
    /// Serves the connection until the client closes it, it misses a deadline, or the
    /// server stops (at once between requests, else after the requests in flight).
    async fn run(self, stream: tokio::net::TcpStream, mut stop: watch::Receiver<bool>) {
        let io = TokioIo::new(Watched::new(stream, Arc::clone(&self.activity)));
        let activity = Arc::clone(&self.activity);
        let timeouts = self.limits.timeouts;
        let service = hyper::service::service_fn(move |request| self.call(request));
        let connection = http1::Builder::new()
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(io, service);
        let mut connection = std::pin::pin!(connection);
        let mut stopping = false;
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(error) = served {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                    return;
                }
                () = activity.expired(timeouts) => {
                    tracing::debug!("connection closed: deadline missed");
                    return;
                }
                changed = stop.changed(), if !stopping => {
                    stopping = true;
                    if changed.is_err() || activity.is_between_requests() {
                        return;
                    }
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }

    /// Answers one request: the router's answer, or 503 `request_timeout` past the limit.
    fn call(
        &self,
        mut request: hyper::Request<Incoming>,
    ) -> Pin<Box<dyn Future<Output = Result<axum::response::Response, Infallible>> + Send>> {
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let request = request.map(Body::new);
        let router = self.router.clone();
        let activity = Arc::clone(&self.activity);
        let limit = self.limits.request;
        activity.request_started();
        Box::pin(async move {
            let answered = tokio::time::timeout(limit, router.oneshot(request)).await;
            activity.request_finished();
            Ok(match answered {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_elapsed) => ApiError::request_timeout().into_response(),
            })
        })
    }
}
