//! The guard against a stub resolver: no test resolves a real name or opens a connection.

use std::collections::HashMap;

use super::*;

/// Names resolving as listed; anything else does not resolve.
struct Stub(HashMap<&'static str, Vec<&'static str>>);

#[async_trait]
impl HostLookup for Stub {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<SocketAddr>> {
        self.0
            .get(host)
            .map(|ips| {
                ips.iter()
                    .map(|ip| SocketAddr::new(ip.parse().unwrap(), 0))
                    .collect()
            })
            .ok_or_else(|| std::io::Error::other("no such host"))
    }
}

fn guard(allow_http: bool, allow_private: bool) -> TargetGuard {
    let names = HashMap::from([
        ("hooks.example.com", vec!["8.8.8.8"]),
        ("rebound.example.com", vec!["8.8.8.8", "10.0.0.5"]),
        ("metadata.example.com", vec!["169.254.169.254"]),
        ("local.example.com", vec!["127.0.0.1"]),
        ("v6.example.com", vec!["fd00:ec2::254"]),
    ]);
    TargetGuard::new(allow_http, allow_private, Arc::new(Stub(names)))
}

#[tokio::test]
async fn a_public_https_target_is_allowed() {
    assert!(
        guard(false, false)
            .check("https://hooks.example.com/in")
            .await
            .is_ok()
    );
    assert!(
        guard(false, false)
            .check("https://8.8.8.8:8443/in")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn internal_targets_are_refused_by_address_and_by_what_names_resolve_to() {
    for url in [
        "https://127.0.0.1/in",
        "https://10.1.2.3/in",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/in",
        "https://[fd00:ec2::254]/in",
        "https://local.example.com/in",
        "https://metadata.example.com/in",
        "https://v6.example.com/in",
        "https://rebound.example.com/in",
        "https://unknown.example.com/in",
    ] {
        assert!(guard(false, false).check(url).await.is_err(), "{url}");
    }
    assert!(
        guard(false, true)
            .check("https://local.example.com/in")
            .await
            .is_ok()
    );
    assert!(
        guard(false, true)
            .check("https://127.0.0.1/in")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn plain_http_other_schemes_and_credentials_are_refused() {
    assert!(
        guard(false, false)
            .check("http://hooks.example.com/in")
            .await
            .is_err()
    );
    assert!(
        guard(true, false)
            .check("http://hooks.example.com/in")
            .await
            .is_ok()
    );
    for url in [
        "ftp://hooks.example.com/in",
        "file:///etc/passwd",
        "https://u:p@hooks.example.com/",
        "/relative",
    ] {
        assert!(guard(true, true).check(url).await.is_err(), "{url}");
    }
}

#[tokio::test]
async fn the_senders_resolver_refuses_a_name_re_pointed_at_an_internal_address() {
    let resolved =
        Resolve::resolve(&guard(false, false), "rebound.example.com".parse().unwrap()).await;
    assert!(resolved.is_err());
    let resolved =
        Resolve::resolve(&guard(false, false), "hooks.example.com".parse().unwrap()).await;
    assert_eq!(resolved.unwrap().count(), 1);
}
