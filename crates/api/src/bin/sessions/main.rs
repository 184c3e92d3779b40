//! The `sessions` binary: the one composition root, where the adapters of
//! `sessions-infrastructure` are wired into the application and the HTTP adapter.

mod cli;
mod composition;
mod periodic;
mod secrets;
mod setting_duration;
mod settings;
mod store;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

use crate::{
    cli::{Cli, Command, Options},
    settings::Settings,
};

/// mimalloc: measurably less CPU per request than the system allocator on the hot path, and
/// large freed blocks go back to the OS instead of lingering in per-thread arenas. Its
/// `override` feature makes it the C allocator too: SQLite allocates every column value sqlx
/// copies out of a row, and frees it on another thread (bench/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Why the binary stopped with an error.
#[derive(Debug, thiserror::Error)]
enum StartupError {
    #[error("cannot read configuration file {path}: {source}")]
    ConfigFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid configuration file {path}: {source}")]
    ConfigSyntax {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    #[error(transparent)]
    Settings(#[from] settings::InvalidSettings),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Secrets(#[from] secrets::SecretFileError),
    #[error(transparent)]
    Geolocation(#[from] sessions_infrastructure::GeoDatabaseError),
    #[error("password hasher: {0}")]
    Hasher(#[from] sessions_application::ports::HashingError),
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server failed: {0}")]
    Serve(#[source] std::io::Error),
    #[error("the webhook client cannot be built: {0}")]
    WebhookClient(#[source] reqwest::Error),
    #[error("cannot read or raise the open-file limit: {0}")]
    Descriptors(#[source] std::io::Error),
    #[error(
        "max-connections {configured} is more than the open-file limit ({descriptors}) allows \
         once {reserved} descriptors are kept for the database and files"
    )]
    TooManyConnections {
        configured: u32,
        descriptors: u64,
        reserved: u64,
    },
    #[error("cleanup failed: {0}")]
    Cleanup(#[from] sessions_application::use_cases::CleanupError),
    #[error("signing keys: {0}")]
    Keys(#[from] sessions_application::use_cases::KeysError),
    #[error("cannot render the OpenAPI document: {0}")]
    OpenApi(#[from] serde_json::Error),
}

/// Flags and environment, over the optional TOML file.
fn options(cli_options: Options) -> Result<Options, StartupError> {
    let Some(path) = cli_options.config.clone() else {
        return Ok(cli_options);
    };
    let text = std::fs::read_to_string(&path).map_err(|source| StartupError::ConfigFile {
        path: path.display().to_string(),
        source,
    })?;
    let file: Options = toml::from_str(&text).map_err(|source| StartupError::ConfigSyntax {
        path: path.display().to_string(),
        source,
    })?;
    Ok(cli_options.or(file))
}

async fn run(cli: Cli) -> Result<(), StartupError> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        println!(
            "{}",
            serde_json::to_string_pretty(&sessions_api::openapi())?
        );
        return Ok(());
    }
    let settings = Settings::resolve(options(cli.options)?)?;
    if let Command::AdminToken | Command::ServiceToken = command {
        // Only the credential on standard output, for scripts: no logs.
        let secrets = secrets::Secrets::load(
            &settings.data_dir,
            settings.admin_token,
            settings.service_token,
            settings.jwt_secret,
            settings.master_key,
        )?;
        let credential = match command {
            Command::AdminToken => secrets.admin_token,
            _ => secrets.service_token,
        };
        println!("{}", credential.expose());
        return Ok(());
    }
    telemetry::init(settings.log_format);
    match command {
        Command::Serve => composition::serve(settings).await,
        Command::Migrate => {
            let store = store::Store::open(&settings.database).await?;
            store.migrate().await?;
            tracing::info!(store = settings.database.name(), "migrations applied");
            store.close().await;
            Ok(())
        }
        Command::Cleanup => composition::cleanup_once(settings).await,
        Command::Keys { action } => composition::keys(settings, action).await,
        Command::Openapi | Command::AdminToken | Command::ServiceToken => Ok(()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Each error's message already names its cause.
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
