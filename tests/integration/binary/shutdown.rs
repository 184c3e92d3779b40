//! SIGTERM lets a request in flight finish.

use std::time::Duration;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::support::binary::start;

#[tokio::test]
async fn sigterm_during_a_slow_request_lets_it_finish() {
    let data = tempfile::tempdir().unwrap();
    let mut server = start(data.path()).await;
    let body = r#"{"email": "slow@example.com", "password": "correct horse battery staple"}"#;
    let (head, tail) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    // A client that sends half its body, then stalls: the request is in flight.
    stream
        .write_all(
            format!(
                "POST /v1/users HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\n\r\n{head}",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    server.terminate().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );
    stream.write_all(tail.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();

    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    assert!(server.wait().await, "clean exit after the request finished");
}
