//! A real Chromium, driven through chromedriver (`WebDriver`) by fantoccini: each `profile` is
//! a browser of its own (its own profile folder, cookies and user agent), as two devices are.
//! `scripts/test` installs the Debian `chromium` and `chromium-driver` packages when missing.

use std::{process::Stdio, time::Duration};

use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// A chromedriver of this test, stopped with it.
pub struct Chrome {
    driver: Child,
    url: String,
    profiles: Vec<tempfile::TempDir>,
}

/// A browser window with its own profile.
pub struct Profile {
    pub client: Client,
    base: String,
}

/// How a profile looks to the pages.
pub struct ProfileOptions<'a> {
    pub user_agent: &'a str,
    pub dark: bool,
}

impl Chrome {
    /// Starts chromedriver on a free loopback port.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver_path())
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start chromedriver ({error}): install the Debian packages chromium and chromium-driver, as scripts/test does")
            });
        let url = format!("http://127.0.0.1:{port}");
        let status = format!("{url}/status");
        for _ in 0..100 {
            if reqwest::get(&status).await.is_ok() {
                return Self {
                    driver,
                    url,
                    profiles: Vec::new(),
                };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("chromedriver did not answer on {url} within 5 s");
    }

    /// A new browser, with a profile of its own, on the server at `base`.
    pub async fn profile(&mut self, base: &str, options: &ProfileOptions<'_>) -> Profile {
        let folder = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--headless=new".to_owned(),
            // Root in a container has no user namespace to sandbox in.
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-gpu".to_owned(),
            "--window-size=1100,900".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--no-first-run".to_owned(),
            format!("--user-data-dir={}", folder.path().display()),
            format!("--user-agent={}", options.user_agent),
        ];
        if options.dark {
            args.push("--blink-settings=preferredColorScheme=0".to_owned());
        } else {
            args.push("--blink-settings=preferredColorScheme=1".to_owned());
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium_path(), "args": args },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap();
        self.profiles.push(folder);
        Profile {
            client,
            base: base.to_owned(),
        }
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.start_kill();
    }
}

fn driver_path() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned())
}

fn chromium_path() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

impl Profile {
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    /// The path of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits (at most 10 s) until the page shown is `expected` (path and query): a click or
    /// a key press returns before the navigation it starts has ended.
    pub async fn wait_for_path(&self, expected: &str) {
        for _ in 0..200 {
            if self.path().await == expected
                && self.eval("return document.readyState;").await == json!("complete")
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the browser is on {}, not {expected}: {}",
            self.path().await,
            self.main_text().await
        );
    }

    /// The text of the page's main landmark.
    pub async fn main_text(&self) -> String {
        self.client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    /// Evaluates `script` (a function body) in the page.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap()
    }

    /// Presses Tab until the focused element matches `css` (at most 60 times): what a person
    /// on a keyboard does to reach it.
    pub async fn tab_to(&self, css: &str) {
        for _ in 0..60 {
            let focused = self
                .client
                .execute(
                    "return document.activeElement !== null && document.activeElement.matches(arguments[0]);",
                    vec![json!(css)],
                )
                .await
                .unwrap();
            if focused == json!(true) {
                return;
            }
            self.press(Key::Tab).await;
        }
        panic!("Tab never reached {css} on {}", self.path().await);
    }

    /// Presses `key` on the focused element.
    pub async fn press(&self, key: Key) {
        self.type_text(&char::from(key).to_string()).await;
    }

    /// Types `text` into the focused element.
    pub async fn type_text(&self, text: &str) {
        self.client
            .active_element()
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }

    pub async fn close(self) {
        self.client.close().await.unwrap();
    }
}
