//! Wiring: adapters into the application, the application into the HTTP adapter; and the
//! server's life: startup, background cleanup and metrics upkeep, geolocation reloads,
//! graceful shutdown.

use std::{
    net::SocketAddr,
    num::NonZeroUsize,
    sync::Arc,
    time::{Duration, Instant},
};

use sessions_api::{
    AppState, ConnectionTimeouts, CsrfKey, HttpSettings, PageSettings, Secret, ServeLimits,
    StoreProbe, install_metrics_recorder, metrics_router, refresh_store_gauges, router,
    serve as serve_http, store_status,
};
use sessions_application::{Application, Ports, ports::Geolocator};
use sessions_infrastructure::{
    Argon2Cost, Argon2Hasher, LegacyKeys, MasterKey, MaxMindGeolocator, NoGeolocation,
    SigningKeyRing, SystemClock, TokenIssuer, UapDeviceParser, UuidV7Generator,
    webhooks::{HttpWebhookSender, SealedWebhookSecrets, SystemLookup, TargetGuard},
};
use tokio::{net::TcpListener, sync::watch};

use crate::{
    StartupError,
    cli::KeysCommand,
    periodic::spawn_periodic,
    secrets::Secrets,
    settings::{HttpLimits, Settings},
    store::Store,
};

/// Issuer of access tokens.
const ISSUER: &str = "sessions";

/// The longest a password hash may wait (and run) before the request is refused with 503:
/// past it, clients are better served by a quick "retry later" than by a queue that grows.
const HASH_QUEUE_MAX_WAIT: Duration = Duration::from_secs(1);

/// How often each instance looks for due webhook deliveries: the longest a notification
/// waits for its first attempt.
const WEBHOOK_POLL: Duration = Duration::from_millis(100);

/// Connections the metrics listener serves at once: scrapers are few.
const METRICS_MAX_CONNECTIONS: usize = 64;

/// How often the metrics recorder folds its pending latency samples into their buckets. It
/// keeps every sample until a scrape or an upkeep drains it: without upkeep, a server that
/// nobody scrapes grows with every request; every second, the samples pending are at most
/// a second's worth.
const METRICS_UPKEEP_PERIOD: Duration = Duration::from_secs(1);

/// The key ring over the deployment's master key, accepting what the former keys made.
fn key_ring(
    settings: &Settings,
    master_key: Arc<MasterKey>,
    legacy: LegacyKeys,
) -> Arc<SigningKeyRing> {
    Arc::new(SigningKeyRing::new(
        master_key,
        TokenIssuer {
            issuer: ISSUER.to_owned(),
            audience: settings.token_audience.clone(),
        },
        legacy,
    ))
}

/// The application over `store`, signing with `keys` and sealing webhook secrets with
/// `master_key`.
fn application(
    store: &Store,
    settings: &Settings,
    (keys, master_key): (&Arc<SigningKeyRing>, &Arc<MasterKey>),
    geolocator: Arc<dyn Geolocator>,
) -> Result<Application, StartupError> {
    let guard = TargetGuard::new(
        settings.webhooks.allow_http,
        settings.webhooks.allow_private,
        Arc::new(SystemLookup),
    );
    // One argon2id hashing thread per core: a login storm queues instead of exhausting memory.
    let hashing_threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    Ok(Application::new(
        Ports {
            storage: store.ports(),
            passwords: Arc::new(Argon2Hasher::new(
                Argon2Cost::default(),
                hashing_threads,
                HASH_QUEUE_MAX_WAIT,
            )?),
            access_tokens: keys.clone(),
            token_secrets: keys.clone(),
            key_ring: keys.clone(),
            clock: Arc::new(SystemClock),
            ids: Arc::new(UuidV7Generator),
            devices: Arc::new(UapDeviceParser::default()),
            geolocator,
            webhook_sender: Arc::new(
                HttpWebhookSender::new(guard).map_err(StartupError::WebhookClient)?,
            ),
            webhook_secrets: Arc::new(SealedWebhookSecrets::new(master_key.clone())),
        },
        settings.policy,
    ))
}

/// The application of a command that runs once (`cleanup`, `keys …`), over `store`.
fn command_application(store: &Store, settings: &Settings) -> Result<Application, StartupError> {
    let secrets = load_secrets(settings)?;
    let master_key = Arc::new(secrets.master_key);
    let keys = key_ring(settings, master_key.clone(), secrets.legacy);
    application(
        store,
        settings,
        (&keys, &master_key),
        Arc::new(NoGeolocation),
    )
}

/// The secrets of `settings`, loaded or generated.
fn load_secrets(settings: &Settings) -> Result<Secrets, StartupError> {
    Ok(Secrets::load(
        &settings.data_dir,
        settings.admin_token.clone(),
        settings.service_token.clone(),
        settings.jwt_secret.clone(),
        settings.master_key.clone(),
    )?)
}

/// Tells the operator where the credentials generated at this start are kept, never the
/// credentials themselves: logs end up in places secrets must not.
fn announce_generated(generated: &[&str], folder: &std::path::Path) {
    for name in ["admin_token", "service_token"] {
        if generated.contains(&name) {
            let command = name.replace('_', "-");
            tracing::info!(
                file = %folder.join(name).display(),
                "generated the {name}; `sessions {command}` prints it"
            );
        }
    }
    if generated.contains(&"master_key") {
        tracing::info!(
            file = %folder.join("master_key").display(),
            "generated the master key that seals the signing keys; every instance sharing \
             this database needs it (SESSIONS_MASTER_KEY)"
        );
    }
}

/// Resolves on Ctrl-C or SIGTERM, then tells the background tasks to stop.
async fn shutdown_signal(stop: watch::Sender<bool>) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "SIGTERM handler unavailable");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    let _ = stop.send(true);
}

/// Runs cleanup every `interval` until told to stop.
fn spawn_cleanup(app: Arc<Application>, interval: chrono::TimeDelta, stop: watch::Receiver<bool>) {
    let period = interval.to_std().unwrap_or(Duration::from_secs(3600));
    spawn_periodic(period, stop, move || {
        let app = app.clone();
        async move {
            if let Err(error) = app.cleanup().await {
                tracing::error!(%error, "background cleanup failed");
            }
        }
    });
}

/// Creates due key generations and reloads the published ones every `period` until told
/// to stop.
fn spawn_key_upkeep(app: Arc<Application>, period: Duration, stop: watch::Receiver<bool>) {
    spawn_periodic(period, stop, move || {
        let app = app.clone();
        async move {
            if let Err(error) = app.maintain_keys().await {
                tracing::error!(%error, "keeping the signing keys current failed");
            }
        }
    });
}

/// Sends the due webhook deliveries every [`WEBHOOK_POLL`] until told to stop; a round
/// that took a full batch is followed by another at once.
fn spawn_webhook_sender(app: Arc<Application>, stop: watch::Receiver<bool>) {
    spawn_periodic(WEBHOOK_POLL, stop, move || {
        let app = app.clone();
        async move {
            loop {
                match app.deliver_webhooks().await {
                    Ok(round) if round.full => {}
                    Ok(_) => return,
                    Err(error) => {
                        tracing::error!(%error, "taking webhook deliveries failed");
                        return;
                    }
                }
            }
        }
    });
}

/// `sessions keys list` and `sessions keys rotate`: the generations, one per line.
pub async fn keys(settings: Settings, action: KeysCommand) -> Result<(), StartupError> {
    let store = Store::open(&settings.database).await?;
    store.migrate().await?;
    let app = command_application(&store, &settings)?;
    app.maintain_keys().await?;
    if let KeysCommand::Rotate = action {
        let next = app.rotate_keys().await?;
        tracing::info!(
            generation = next.lifetime.generation.get(),
            kid = %next.kid,
            activates_at = %next.lifetime.activates_at,
            "the next key generation signs from its activation"
        );
    }
    println!("generation\tkid\tstate\tcreated_at\tactivates_at\tretires_at");
    for key in app.list_keys().await? {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            key.lifetime.generation.get(),
            key.kid,
            key.state.as_str(),
            key.lifetime.created_at.to_rfc3339(),
            key.lifetime.activates_at.to_rfc3339(),
            key.retires_at
                .map_or_else(|| "-".to_owned(), |at| at.to_rfc3339()),
        );
    }
    store.close().await;
    Ok(())
}

/// Keeps the store's status current until told to stop.
fn spawn_store_probe(probe: StoreProbe, app: Arc<Application>, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        tokio::select! {
            () = probe.run(app) => {}
            _ = stop.wait_for(|stop| *stop) => {}
        }
    });
}

/// Refreshes the gauges the store counts for `/metrics` every `period` until told to stop.
fn spawn_store_gauges(app: Arc<Application>, period: Duration, stop: watch::Receiver<bool>) {
    spawn_periodic(period, stop, move || {
        let app = app.clone();
        async move { refresh_store_gauges(app.as_ref()).await }
    });
}

/// A listener on `address`, and the address it got (the port, when `address` asks for any).
async fn bind(address: SocketAddr) -> Result<(TcpListener, SocketAddr), StartupError> {
    let failed = |source| StartupError::Bind { address, source };
    let listener = TcpListener::bind(address).await.map_err(failed)?;
    let bound = listener.local_addr().map_err(failed)?;
    Ok((listener, bound))
}

/// Reloads the geolocation database on SIGHUP.
fn spawn_geolocation_reload(geolocator: Arc<MaxMindGeolocator>) {
    tokio::spawn(async move {
        let Ok(mut hangups) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hangups.recv().await.is_some() {
            match geolocator.reload() {
                Ok(()) => tracing::info!("geolocation database reloaded"),
                Err(error) => tracing::error!(%error, "geolocation database not reloaded"),
            }
        }
    });
}

/// Descriptors kept for everything but client connections: the database's connections, the
/// SQLite files, the geolocation database, the listener, standard streams.
const RESERVED_DESCRIPTORS: u64 = 256;

/// The most connections served at once unless configured, however high the descriptor limit.
const DEFAULT_MAX_CONNECTIONS: u64 = 10_000;

/// The server's limits, with the connection cap settled against the descriptor limit, which
/// is raised to its hard limit first: a connection cap above what the process can open
/// would fail with "too many open files" instead of queueing connections.
fn serve_limits(http: &HttpLimits) -> Result<ServeLimits, StartupError> {
    let descriptors = rlimit::increase_nofile_limit(u64::MAX).map_err(StartupError::Descriptors)?;
    let available = descriptors.saturating_sub(RESERVED_DESCRIPTORS);
    let max_connections = match http.max_connections {
        Some(configured) if u64::from(configured) > available => {
            return Err(StartupError::TooManyConnections {
                configured,
                descriptors,
                reserved: RESERVED_DESCRIPTORS,
            });
        }
        Some(configured) => u64::from(configured),
        None => available.clamp(1, DEFAULT_MAX_CONNECTIONS),
    };
    tracing::debug!(descriptors, max_connections, "connection cap");
    Ok(ServeLimits {
        timeouts: ConnectionTimeouts {
            header: http.header_timeout,
            idle: http.idle_timeout,
        },
        request: http.request_timeout,
        max_connections: usize::try_from(max_connections).unwrap_or(usize::MAX),
        shutdown: http.shutdown_timeout,
    })
}

/// `sessions serve`.
pub async fn serve(settings: Settings) -> Result<(), StartupError> {
    let started = Instant::now();
    let store = Store::open(&settings.database).await?;
    store.migrate().await?;
    let secrets = load_secrets(&settings)?;
    let geolocator: Arc<dyn Geolocator> = match &settings.geoip_db {
        Some(path) => {
            let maxmind = Arc::new(MaxMindGeolocator::open(path)?);
            spawn_geolocation_reload(maxmind.clone());
            maxmind
        }
        None => Arc::new(NoGeolocation),
    };
    let master_key = Arc::new(secrets.master_key);
    let keys = key_ring(&settings, master_key.clone(), secrets.legacy);
    let app = Arc::new(application(
        &store,
        &settings,
        (&keys, &master_key),
        geolocator,
    )?);
    // The first generation is made, or the stored ones opened, before anything is signed.
    app.maintain_keys().await?;
    let limits = serve_limits(&settings.http)?;
    let http = HttpSettings {
        admin_token: secrets.admin_token,
        service_token: secrets.service_token,
        jwks_max_age: settings.keys.jwks_max_age,
        trusted_proxies: settings.trusted_proxies.clone(),
        country_header: settings.country_header.clone(),
        metrics_token: settings.metrics.token.clone().map(Secret::new),
        metrics_listener: settings.metrics.bind.is_some(),
        pages: PageSettings {
            public_origin: settings.pages.public_origin.clone(),
            sign_up: settings.pages.sign_up,
            csrf_key: CsrfKey::new(master_key.derive("csrf")),
        },
    };
    let metrics = install_metrics_recorder();
    let (store_status, store_probe) = store_status();
    let state = AppState::new(app.clone(), http, metrics.clone(), store_status);
    let (listener, address) = bind(settings.bind).await?;
    let (stop, stopped) = watch::channel(false);
    spawn_store_probe(store_probe, app.clone(), stopped.clone());
    spawn_periodic(METRICS_UPKEEP_PERIOD, stopped.clone(), move || {
        metrics.run_upkeep();
        std::future::ready(())
    });
    spawn_store_gauges(app.clone(), settings.metrics.refresh, stopped.clone());
    if let Some(metrics_address) = settings.metrics.bind {
        let (listener, metrics_address) = bind(metrics_address).await?;
        let limits = ServeLimits {
            max_connections: METRICS_MAX_CONNECTIONS,
            ..limits
        };
        let mut stopped = stopped.clone();
        let stopping = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        tokio::spawn(serve_http(
            listener,
            metrics_router(state.clone()),
            limits,
            stopping,
        ));
        tracing::info!(address = %metrics_address, "metrics listening");
    }
    if let Some(interval) = settings.cleanup_interval {
        spawn_cleanup(app.clone(), interval, stopped.clone());
    }
    spawn_key_upkeep(app.clone(), settings.keys.reload, stopped.clone());
    spawn_webhook_sender(app.clone(), stopped.clone());
    announce_generated(&secrets.generated, &secrets.folder);
    tracing::info!(
        %address,
        store = settings.database.name(),
        version = env!("CARGO_PKG_VERSION"),
        startup_ms = started.elapsed().as_millis(),
        "sessions listening"
    );
    serve_http(listener, router(state), limits, shutdown_signal(stop))
        .await
        .map_err(StartupError::Serve)?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `sessions cleanup`.
pub async fn cleanup_once(settings: Settings) -> Result<(), StartupError> {
    let store = Store::open(&settings.database).await?;
    store.migrate().await?;
    let app = command_application(&store, &settings)?;
    let report = app.cleanup().await?;
    println!(
        "deleted {} sessions in {} batches",
        report.deleted, report.batches
    );
    store.close().await;
    Ok(())
}
