//! Where webhooks may go: HTTPS (plain HTTP only when allowed), and only to addresses of
//! the public internet unless private targets are allowed — judged on what the host
//! resolves to when the endpoint is created, and again by the sender's resolver on every
//! connection, so that a name re-pointed at an internal address later (DNS rebinding) is
//! refused before a connection is opened.

use std::{net::SocketAddr, sync::Arc};

use async_trait::async_trait;
use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
};
use sessions_application::ports::TargetRefused;
use sessions_domain::is_public_address;

/// Name resolution, replaceable in tests (which must not resolve real names).
#[async_trait]
pub trait HostLookup: Send + Sync {
    /// The addresses of `host`.
    ///
    /// # Errors
    /// The resolver's.
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<SocketAddr>>;
}

/// The system's resolver.
pub struct SystemLookup;

#[async_trait]
impl HostLookup for SystemLookup {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, 0)).await?.collect())
    }
}

/// The rules, and the resolver they are applied through.
#[derive(Clone)]
pub struct TargetGuard {
    allow_http: bool,
    allow_private: bool,
    lookup: Arc<dyn HostLookup>,
}

impl TargetGuard {
    /// HTTPS only unless `allow_http`; public addresses only unless `allow_private`.
    pub fn new(allow_http: bool, allow_private: bool, lookup: Arc<dyn HostLookup>) -> Self {
        Self {
            allow_http,
            allow_private,
            lookup,
        }
    }

    /// The URL, if its form, scheme and (for an address) host are allowed; a host name is
    /// judged where it resolves, by [`Self::check`] and on every connection.
    ///
    /// # Errors
    /// [`TargetRefused`] saying why.
    pub fn check_url(&self, text: &str) -> Result<Url, TargetRefused> {
        let url = Url::parse(text).map_err(|_| refused("not an absolute URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_http => {}
            "http" => {
                return Err(refused(
                    "plain HTTP is not allowed (SESSIONS_WEBHOOK_ALLOW_HTTP)",
                ));
            }
            _ => return Err(refused("the scheme must be https")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refused("credentials in the URL are not allowed"));
        }
        match url.host() {
            Some(url::Host::Ipv4(ip)) => self.check_address(ip.into())?,
            Some(url::Host::Ipv6(ip)) => self.check_address(ip.into())?,
            Some(url::Host::Domain(_)) => {}
            None => return Err(refused("the URL has no host")),
        }
        Ok(url)
    }

    /// [`Self::check_url`], and where a host name resolves.
    ///
    /// # Errors
    /// [`TargetRefused`] saying why.
    pub async fn check(&self, text: &str) -> Result<Url, TargetRefused> {
        let url = self.check_url(text)?;
        if let Some(url::Host::Domain(host)) = url.host() {
            self.resolve(host).await?;
        }
        Ok(url)
    }

    /// The addresses of `host`, all of them allowed.
    async fn resolve(&self, host: &str) -> Result<Vec<SocketAddr>, TargetRefused> {
        let addresses = self
            .lookup
            .lookup(host)
            .await
            .map_err(|_| refused("the host does not resolve"))?;
        if addresses.is_empty() {
            return Err(refused("the host does not resolve"));
        }
        for address in &addresses {
            self.check_address(address.ip())?;
        }
        Ok(addresses)
    }

    fn check_address(&self, ip: std::net::IpAddr) -> Result<(), TargetRefused> {
        if self.allow_private || is_public_address(ip) {
            Ok(())
        } else {
            Err(refused(
                "the target is a loopback, private, link-local or otherwise internal address \
                 (SESSIONS_WEBHOOK_ALLOW_PRIVATE)",
            ))
        }
    }
}

fn refused(why: &str) -> TargetRefused {
    TargetRefused(why.to_owned())
}

/// The sender's resolver: every connection goes only to addresses the guard allows.
impl Resolve for TargetGuard {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.clone();
        Box::pin(async move {
            let addresses = guard.resolve(name.as_str()).await?;
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests;
