//! Castellan's web layer: the REST API (with its generated OpenAPI 3.1 document) and the
//! server-rendered UI. Only this crate knows HTTP, JSON transport and HTML.

pub mod api;
pub mod attachments;
pub mod extract;
pub mod json;
pub mod metrics;
pub mod middleware;
pub mod problem;
pub mod report;
pub mod state;
pub mod ui;
pub mod uploads;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use castellan_app::App;
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

/// The router and the OpenAPI document, built from the same route list.
pub fn build(app: App) -> (Router, utoipa::openapi::OpenApi) {
    let (api_router, openapi) = api::router().split_for_parts();
    let openapi_json = openapi.to_pretty_json().unwrap_or_default();
    let body_limit = app.settings().body_limit_bytes;
    let state = AppState {
        app,
        metrics: Arc::new(metrics::Metrics::default()),
        openapi_json: Arc::new(openapi_json),
        assets: Arc::new(ui::assets::Assets::default()),
    };
    let api_router = api_router.layer(axum::middleware::from_fn(middleware::api_problems));
    let ui_router = ui::router().layer(axum::middleware::from_fn_with_state(
        state.clone(),
        ui::page_errors,
    ));
    let router = Router::new()
        .merge(api_router)
        .merge(ui_router)
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::observe,
        ))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .with_state(state);
    (router, openapi)
}

/// Unknown paths: a problem document under `/api/`, an error page elsewhere.
async fn fallback(
    axum::extract::State(state): axum::extract::State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        return middleware::api_not_found().await;
    }
    let lang = ui::session::resolve_lang(&headers, None);
    let t = ui::i18n::messages(lang);
    ui::render::bare_error(
        lang,
        &state.assets,
        axum::http::StatusCode::NOT_FOUND,
        t.error_not_found,
    )
    .into_response()
}

/// The router alone (for in-process tests).
pub fn router(app: App) -> Router {
    build(app).0
}

/// A server bound to its address, ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    app: App,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The address could not be bound.
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The server failed while running.
    Serve(std::io::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Bind { addr, source } if source.kind() == std::io::ErrorKind::AddrInUse => {
                write!(
                    f,
                    "cannot listen on {addr}: the port is already in use (is another castellan running? set CASTELLAN_LISTEN to another address)"
                )
            }
            ServeError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServeError::Serve(e) => write!(f, "the server stopped: {e}"),
        }
    }
}

impl std::error::Error for ServeError {}

impl Application {
    /// Binds the configured address (port 0 picks a free port).
    pub async fn build(app: App) -> Result<Application, ServeError> {
        sweep_uploads(&app);
        let addr = app.settings().listen.clone();
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        Ok(Application {
            listener,
            router: router(app.clone()),
            app,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes running requests.
    pub async fn run_until_stopped(self) -> Result<(), ServeError> {
        let housekeeping = tokio::spawn(housekeeping(self.app.clone()));
        let result = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(ServeError::Serve);
        housekeeping.abort();
        self.app.db().close().await;
        result
    }
}

/// Periodic clean-up; idempotent, so every instance may run it.
/// Removes the upload files a stopped server left behind.
fn sweep_uploads(app: &App) {
    let dir = uploads::dir(app.settings());
    match uploads::sweep_stale(&dir) {
        Ok(n) if n > 0 => {
            tracing::info!(removed = n, dir = %dir.display(), "removed abandoned uploads")
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, dir = %dir.display(), "upload clean-up failed"),
    }
}

async fn housekeeping(app: App) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        sweep_uploads(&app);
        match castellan_app::org::auth::purge_expired(&app).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "removed expired sessions"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "session clean-up failed"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
