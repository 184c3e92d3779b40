//! A browser as the pages see it, without a browser: a cookie jar (kept from `Set-Cookie`
//! exactly as sent, to check its attributes too), forms sent as a browser sends them (with
//! `Origin` and `Sec-Fetch-Site`), and no redirect followed, so each answer can be checked.

use std::collections::BTreeMap;

use reqwest::{Client, Response, StatusCode, redirect::Policy};

use super::server::{CHROME_ON_MACOS, TestServer};

pub struct FormClient {
    client: Client,
    base: String,
    /// The origin its forms come from.
    pub origin: String,
    /// Cookie name → value.
    pub cookies: BTreeMap<String, String>,
    /// Every `Set-Cookie` received, as sent.
    pub set_cookies: Vec<String>,
    pub user_agent: &'static str,
    pub ip: &'static str,
}

impl FormClient {
    pub fn new(server: &TestServer) -> Self {
        Self {
            client: Client::builder().redirect(Policy::none()).build().unwrap(),
            base: server.base.clone(),
            origin: server.base.clone(),
            cookies: BTreeMap::new(),
            set_cookies: Vec::new(),
            user_agent: CHROME_ON_MACOS,
            ip: "203.0.113.7",
        }
    }

    /// The `Cookie` header it sends.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, response: &Response) {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap().to_owned();
            let (pair, attributes) = text.split_once(';').unwrap_or((&text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(text);
        }
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("user-agent", self.user_agent)
            .header("x-forwarded-for", self.ip)
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    /// A form post from a page of `origin`.
    pub async fn post_from(
        &mut self,
        origin: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let site = if origin == self.origin {
            "same-origin"
        } else {
            "cross-site"
        };
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("user-agent", self.user_agent)
            .header("x-forwarded-for", self.ip)
            .header("origin", origin)
            .header("sec-fetch-site", site)
            .form(fields)
            .send()
            .await
            .unwrap();
        self.remember(&response);
        response
    }

    /// A form post from one of the pages.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let origin = self.origin.clone();
        self.post_from(&origin, path, fields).await
    }

    /// Sends the sign-up or sign-in form (`route`) as `email`, expecting to land on the devices.
    pub async fn enter(&mut self, route: &str, email: &str, password: &str) {
        let response = self
            .post(route, &[("email", email), ("password", password)])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{route}");
        assert_eq!(response.headers()["location"], "/account/sessions");
    }

    /// The CSRF token the devices page puts in its forms.
    pub async fn csrf(&mut self) -> String {
        let page = self.get("/account/sessions").await;
        assert_eq!(page.status(), StatusCode::OK);
        csrf_of(&page.text().await.unwrap())
    }
}

/// The CSRF token in a page's forms.
pub fn csrf_of(html: &str) -> String {
    let start = html
        .find(r#"name="csrf" value=""#)
        .expect("a form with a CSRF token")
        + 19;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}
