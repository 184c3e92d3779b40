//! Prints what parsing a user agent costs the device parser, whose cache is bypassed here
//! (it holds one entry, and every string differs from the last): the first parse of a
//! server's life (a desktop Chrome, compiling the rules it needs), then uap-core's 1,421
//! test user agents twice — the first pass also compiles the rules they need, the second
//! finds them compiled: `device-parse-time`.

use std::{num::NonZeroUsize, process::ExitCode, time::Instant};

use sessions_application::ports::DeviceParser;
use sessions_domain::UserAgent;
use sessions_infrastructure::UapDeviceParser;

/// uap-core's browser test cases, bundled with the rules.
const TEST_AGENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/infrastructure/data/uap-core/tests/test_ua.yaml"
);

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0.0.0 Safari/537.36";

#[derive(serde::Deserialize)]
struct TestFile {
    test_cases: Vec<TestCase>,
}

#[derive(serde::Deserialize)]
struct TestCase {
    user_agent_string: String,
}

/// Microseconds per parse of `agents`.
fn pass(parser: &UapDeviceParser, agents: &[UserAgent]) -> f64 {
    let started = Instant::now();
    for agent in agents {
        std::hint::black_box(parser.parse(agent));
    }
    let count = f64::from(u32::try_from(agents.len()).unwrap_or(u32::MAX).max(1));
    started.elapsed().as_secs_f64() * 1e6 / count
}

fn main() -> ExitCode {
    let file: TestFile = match std::fs::read(TEST_AGENTS)
        .map_err(|error| error.to_string())
        .and_then(|bytes| serde_yaml::from_slice(&bytes).map_err(|error| error.to_string()))
    {
        Ok(file) => file,
        Err(error) => {
            eprintln!("{TEST_AGENTS}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let agents: Vec<UserAgent> = file
        .test_cases
        .iter()
        .filter_map(|case| UserAgent::from_header(&case.user_agent_string))
        .collect();
    let Some(chrome) = UserAgent::from_header(CHROME) else {
        eprintln!("the Chrome user agent was refused");
        return ExitCode::FAILURE;
    };
    let parser = UapDeviceParser::new(NonZeroUsize::MIN);
    let started = Instant::now();
    std::hint::black_box(parser.parse(&chrome));
    let first_ms = started.elapsed().as_secs_f64() * 1e3;
    let cold_us = pass(&parser, &agents);
    let warm_us = pass(&parser, &agents);
    println!(
        "{{\"first_parse_ms\": {first_ms:.2}, \"agents\": {}, \"cold_us_per_parse\": {cold_us:.1}, \"warm_us_per_parse\": {warm_us:.1}}}",
        agents.len()
    );
    ExitCode::SUCCESS
}
