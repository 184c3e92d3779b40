//! The HTTP server's limits against clients that hold connections: trickled request heads,
//! idle keep-alive connections, a full connection cap, and a shutdown with all of these
//! open. Every client here is on loopback and every loop is bounded.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::binary::{RunningBinary, start_with};

async fn connect(server: &RunningBinary) -> TcpStream {
    TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Waits (at most `within`) for the server to close `stream`; returns how long it took.
async fn closed_by_server(stream: &mut TcpStream, within: Duration) -> Duration {
    let started = Instant::now();
    let mut buffer = [0_u8; 1024];
    loop {
        let read = tokio::time::timeout(within, stream.read(&mut buffer))
            .await
            .unwrap_or_else(|_| panic!("the server kept the connection open for {within:?}"));
        if matches!(read, Ok(0) | Err(_)) {
            return started.elapsed();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_trickling_a_request_head_are_closed_after_the_header_timeout() {
    let data = tempfile::tempdir().unwrap();
    let server = start_with(data.path(), &[("SESSIONS_HTTP_HEADER_TIMEOUT", "1s")]).await;
    let mut tricklers = Vec::new();
    for _ in 0..50 {
        let mut stream = connect(&server).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        tricklers.push(stream);
    }
    // One more header line every 200 ms, never the blank line that ends the head: at most
    // ten rounds, well past the timeout.
    let mut open = tricklers.len();
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        open = 0;
        for stream in &mut tricklers {
            if stream.write_all(b"x-slow: 1\r\n").await.is_ok() {
                open += 1;
            }
        }
    }
    for stream in &mut tricklers {
        closed_by_server(stream, Duration::from_secs(5)).await;
    }
    assert!(
        open < tricklers.len(),
        "writes still succeeded on every connection"
    );
    // The server itself is fine.
    let mut fresh = connect(&server).await;
    fresh
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    fresh.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let data = tempfile::tempdir().unwrap();
    let server = start_with(
        data.path(),
        &[
            ("SESSIONS_HTTP_HEADER_TIMEOUT", "1s"),
            ("SESSIONS_HTTP_IDLE_TIMEOUT", "2s"),
        ],
    )
    .await;
    let mut stream = connect(&server).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0_u8; 1024];
    let read = stream.read(&mut buffer).await.unwrap();
    assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));

    // Idle past the header timeout but within the idle timeout: still open, and usable.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let read = stream.read(&mut buffer).await.unwrap();
    assert!(buffer[..read].starts_with(b"HTTP/1.1 200"));
    // Then idle for good: closed after the idle timeout.
    let closed_after = closed_by_server(&mut stream, Duration::from_secs(10)).await;
    assert!(
        closed_after >= Duration::from_millis(1500),
        "{closed_after:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_new_connections_wait_until_one_closes() {
    let data = tempfile::tempdir().unwrap();
    let server = start_with(data.path(), &[("SESSIONS_MAX_CONNECTIONS", "8")]).await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(connect(&server).await);
    }
    let request = b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    let mut waiting = connect(&server).await;
    waiting.write_all(request).await.unwrap();
    let mut response = Vec::new();
    let unanswered = tokio::time::timeout(
        Duration::from_millis(500),
        waiting.read_to_end(&mut response),
    )
    .await;
    assert!(unanswered.is_err(), "a ninth connection was served");

    drop(held.pop());
    tokio::time::timeout(Duration::from_secs(5), waiting.read_to_end(&mut response))
        .await
        .expect("served once a connection closed")
        .unwrap();
    assert!(response.starts_with(b"HTTP/1.1 200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_within_the_shutdown_deadline_whatever_connections_stay_open() {
    let data = tempfile::tempdir().unwrap();
    let mut server = start_with(
        data.path(),
        &[
            ("SESSIONS_HTTP_HEADER_TIMEOUT", "60s"),
            ("SESSIONS_HTTP_IDLE_TIMEOUT", "60s"),
            ("SESSIONS_HTTP_REQUEST_TIMEOUT", "60s"),
            ("SESSIONS_SHUTDOWN_TIMEOUT", "2s"),
        ],
    )
    .await;
    let mut open = Vec::new();
    for _ in 0..20 {
        let mut partial = connect(&server).await;
        partial
            .write_all(b"GET /healthz HTTP/1.1\r\n")
            .await
            .unwrap();
        open.push(partial);
        open.push(connect(&server).await);
    }
    // A request in flight that never completes its body.
    let mut stalled = connect(&server).await;
    stalled
        .write_all(
            b"POST /v1/users HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    server.terminate().await;
    let exited = tokio::time::timeout(Duration::from_secs(10), server.child.wait())
        .await
        .expect("the server exits within the deadline")
        .unwrap();
    let took = signalled.elapsed();
    assert!(exited.success(), "{exited:?}");
    assert!(
        took >= Duration::from_millis(1500),
        "{took:?}: the request in flight had 2 s"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}
