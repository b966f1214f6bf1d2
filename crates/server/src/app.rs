//! The HTTP application: router and the server's life cycle. The state every handler shares
//! is [`AppState`], in its own module.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::response::Response;
use smartdmv_platform::Platform;
use smartdmv_platform::billing::{self, Clock, SYSTEM_BILLING, SystemClock};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::api;
use crate::config::Config;
use crate::state::AppState;

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router with every route and layer.
pub fn router(state: AppState) -> Router {
    let x_request_id = X_REQUEST_ID;
    Router::new()
        .merge(api::health::routes())
        .merge(api::companies::routes())
        .merge(api::plans::routes())
        .merge(api::billing::routes())
        .merge(api::usage::routes())
        .merge(api::signup::routes())
        .merge(api::tenant_routes().into_router().route_layer(
            axum::middleware::from_fn_with_state(state.clone(), crate::limits::meter_tenant_calls),
        ))
        .merge(api::owner_auth::routes())
        .merge(api::owner_password::routes())
        .merge(crate::web::routes(state.clone()))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(axum::middleware::map_response(security_headers))
        .layer(CatchPanicLayer::custom(api::panic_response))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!(
                    "request",
                    method = %req.method(),
                    path = %req.uri().path(),
                    request_id = %id,
                    company_id = tracing::field::Empty,
                    user_id = tracing::field::Empty,
                )
            }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

/// The default content security policy: nothing from elsewhere, no inline script or style.
pub const CSP: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key("cache-control") {
        h.insert("cache-control", HeaderValue::from_static("no-store"));
    }
    if !h.contains_key("content-security-policy") {
        h.insert("content-security-policy", HeaderValue::from_static(CSP));
    }
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    resp
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the platform, migrates the owner database, binds the listener and starts the
    /// registry's maintenance. Binding `127.0.0.1:0` picks a free port (tests).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// [`Application::build`] with billing on the given clock (tests drive months with a
    /// settable one).
    pub async fn build_with_clock(
        mut config: Config,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let platform = Platform::open(&config.platform_config()?)
            .await?
            .with_clock(clock);
        platform.owner.migrate().await?;
        let listener = TcpListener::bind(&config.listen).await?;
        // The address actually bound (port 0 picks one), for the links the server writes.
        if let Ok(addr) = listener.local_addr() {
            config.listen = addr.to_string();
        }
        Ok(Self {
            listener,
            state: AppState::new(platform, config),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and closes every
    /// pool.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let reaper = (self.state.config.reaper_interval_secs > 0).then(|| {
            self.state
                .platform
                .registry
                .start_maintenance(Duration::from_secs(self.state.config.reaper_interval_secs))
        });
        let usage = start_usage_tasks(&self.state);
        let billing = (self.state.config.billing_interval_secs > 0).then(|| {
            start_billing(
                self.state.platform.clone(),
                Duration::from_secs(self.state.config.billing_interval_secs),
            )
        });
        let platform = self.state.platform.clone();
        let app = router(self.state);
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await?;
        if let Some(r) = reaper {
            r.abort();
        }
        for t in usage {
            t.abort();
        }
        if let Some(b) = billing {
            b.abort();
        }
        platform.shutdown().await;
        Ok(())
    }
}

/// Writes counted API calls to the owner database every flush interval, and recounts the
/// gauges of busy companies every recount interval, off every request's path.
fn start_usage_tasks(state: &AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let every = |secs: u64| {
        let mut i = tokio::time::interval(Duration::from_secs(secs));
        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        i
    };
    let mut tasks = Vec::new();
    let cfg = &state.config;
    if cfg.usage_flush_interval_secs > 0 {
        let p = state.platform.clone();
        let mut tick = every(cfg.usage_flush_interval_secs);
        tasks.push(tokio::spawn(async move {
            loop {
                tick.tick().await;
                p.usage.flush(&p.owner).await;
            }
        }));
    }
    if cfg.usage_recount_interval_secs > 0 {
        let p = state.platform.clone();
        let mut tick = every(cfg.usage_recount_interval_secs);
        tasks.push(tokio::spawn(async move {
            tick.tick().await;
            loop {
                tick.tick().await;
                smartdmv_platform::usage::recompute_busy(&p).await;
            }
        }));
    }
    tasks
}

/// Runs the billing tick every `every` (renewals, invoices, past due, suspensions).
fn start_billing(platform: Platform, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut t = tokio::time::interval(every);
        t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let actor = smartdmv_platform::company::Actor::new(SYSTEM_BILLING);
        loop {
            t.tick().await;
            match billing::tick::run(&platform, &actor).await {
                Ok(r) if r.steps > 0 || !r.errors.is_empty() => {
                    tracing::info!(
                        steps = r.steps,
                        invoices = r.invoices_issued,
                        errors = r.errors.len(),
                        "billing tick"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "billing tick failed"),
            }
        }
    })
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
