//! The README's walkthrough, run verbatim against the real binary.

use tokio::process::Command;

use crate::support::binary::start;

/// The shell commands between the walkthrough markers of README.md.
fn walkthrough() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let start = readme
        .find("<!-- walkthrough:start -->")
        .expect("walkthrough start marker");
    let end = readme
        .find("<!-- walkthrough:end -->")
        .expect("walkthrough end marker");
    readme[start..end]
        .lines()
        .filter(|line| !line.starts_with("```") && !line.starts_with("<!--"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_readme_walkthrough_works_verbatim() {
    let data = tempfile::tempdir().unwrap();
    let server = start(data.path()).await;
    let output = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &walkthrough()])
        .env("BASE", &server.base)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "walkthrough failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("Chrome on macOS"), "{stdout}");
    assert!(stdout.contains("Safari on iOS"), "{stdout}");
    assert!(stdout.contains("204"), "{stdout}");
    assert!(stdout.contains("session_revoked"), "{stdout}");
    server.terminate().await;
    assert!(server.wait().await);
}
