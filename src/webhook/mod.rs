//! The HTTP side of `autoapply run` (axum): the gateway's webhook
//! `POST /api/agents/auto_apply`, and `/healthz`, `/readyz`, `/metrics`.
//!
//! Bad input gets a precise answer and changes nothing: 401 missing/wrong secret (or
//! signature, or a replayed signed call), 415 wrong content type, 413 body over 64 KiB,
//! 408 body too slow, 400 malformed JSON or wrong types (the field named), 404 unknown
//! application, 409 not claimable, 429 kill switch reached or every slot busy or the
//! user's spacing (with `Retry-After`), 503 shutting down; a call that gives answers
//! (`payload.answers`) 422 when one is refused. The secret is checked
//! from the headers before the body is read; [`serve`] bounds headers, bodies and
//! connections. Answers use the platform's agent response
//! shape `{status, duration_ms, records_processed, error}` and never echo a secret.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

mod answers;
mod auth;
mod call;
pub mod serve;

pub use self::auth::{Call, ReplayCache, parse_call};
use self::call::auto_apply;
use crate::{
    run::Runner,
    store::{Store, StoreAdmin},
};

/// The largest body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// Signed calls older (or newer) than this are refused.
pub const MAX_SKEW: Duration = Duration::from_secs(300);

/// What the handlers share.
pub struct WebhookState<S> {
    /// starts the applications a call names (the loop's runner: one gate), and holds
    /// the store and the worker's figures the other endpoints read
    pub runner: Arc<Runner<S>>,
    /// wakes the worker's loop
    pub wake: Arc<Notify>,
    /// shutdown
    pub cancel: CancellationToken,
    /// `AGENT_SECRET`
    pub agent_secret: SecretString,
    /// `AUTOAPPLY_WEBHOOK_HMAC_SECRET`
    pub hmac_secret: Option<SecretString>,
    /// `lease_owner` of those runs
    pub worker_id: String,
    /// a synchronous call is answered 202 after this
    pub deadline: Duration,
    /// the loop is considered stuck after this long without a tick
    pub max_tick_age: Duration,
    /// for `/readyz`
    pub selectors: crate::site::SelectorSource,
    /// for `/readyz`
    pub browser_path: PathBuf,
    /// for `/readyz`: no display needed
    pub headless: bool,
    /// signed calls already received
    pub replays: ReplayCache,
}

/// The platform's agent response shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentResponse {
    /// `success` | `failed` | `skipped`
    pub status: String,
    /// time spent answering
    pub duration_ms: u64,
    /// applications handled
    pub records_processed: u32,
    /// what went wrong
    pub error: Option<String>,
    /// a call that gave answers: what they did (`store::answering`)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<crate::store::answering::AnswerResult>,
}

pub(crate) fn answer(
    code: StatusCode,
    status: &str,
    started: Instant,
    records: u32,
    error: Option<String>,
) -> Response {
    let body = AgentResponse {
        status: status.into(),
        duration_ms: started.elapsed().as_millis() as u64,
        records_processed: records,
        error,
        answers: None,
    };
    (code, Json(body)).into_response()
}

pub(crate) fn refuse(code: StatusCode, started: Instant, error: impl Into<String>) -> Response {
    let error = error.into();
    tracing::info!(status = code.as_u16(), error = %error, "webhook call refused");
    answer(code, "failed", started, 0, Some(error))
}

/// The router.
pub fn router<S: StoreAdmin + Clone + 'static>(state: Arc<WebhookState<S>>) -> Router {
    Router::new()
        .route("/api/agents/auto_apply", post(auto_apply::<S>))
        .route("/healthz", get(healthz::<S>))
        .route("/readyz", get(readyz::<S>))
        .route("/metrics", get(metrics::<S>))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_answers::<S>,
        ))
        .fallback(|| async {
            refuse(
                StatusCode::NOT_FOUND,
                Instant::now(),
                "no such endpoint: POST /api/agents/auto_apply, GET /healthz, /readyz, /metrics",
            )
        })
        .method_not_allowed_fallback(|| async {
            refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                Instant::now(),
                "method not allowed: POST /api/agents/auto_apply, GET /healthz, /readyz, /metrics",
            )
        })
        .with_state(state)
}

async fn healthz<S: Store>(State(st): State<Arc<WebhookState<S>>>) -> Response {
    match st.runner.metrics().since_last_tick() {
        Some(age) if age <= st.max_tick_age => {
            (StatusCode::OK, Json(serde_json::json!({"status": "ok", "last_tick_age_ms": age.as_millis() as u64}))).into_response()
        }
        age => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "stuck", "last_tick_age_ms": age.map(|a| a.as_millis() as u64)})),
        )
            .into_response(),
    }
}

/// Readiness. Without the agent secret it says only which checks fail; with it
/// (`X-Agent-Secret`), why: a database's or a file's words are not for anyone who
/// can reach the port.
async fn readyz<S: Store>(
    State(st): State<Arc<WebhookState<S>>>,
    headers: axum::http::HeaderMap,
) -> Response {
    use secrecy::ExposeSecret as _;
    let detailed = headers.get("x-agent-secret").is_some_and(|given| {
        auth::constant_time_eq(given.as_bytes(), st.agent_secret.expose_secret().as_bytes())
    });
    let database = st
        .runner
        .store()
        .linkedin_daily_status()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
    let selectors = st
        .selectors
        .load_all()
        .map(|_| ())
        .map_err(|e| e.to_string());
    let browser = if st.browser_path.is_file() {
        Ok(())
    } else {
        Err(format!("{} not found", st.browser_path.display()))
    };
    let display = if st.headless {
        Ok(())
    } else {
        crate::browser::check_display().map_err(|e| e.to_string())
    };
    // an open drift breaker: no worker claims, so the service is not ready
    let drift = match st.runner.store().drift_status().await {
        Ok(d) if d.is_open(time::OffsetDateTime::now_utc()) => Err(format!(
            "open until {} after structural failures ({}): LinkedIn's markup changed; check selectors/linkedin.toml",
            d.open_until
                .and_then(|t| t
                    .format(&time::format_description::well_known::Rfc3339)
                    .ok())
                .unwrap_or_default(),
            d.last_reason.as_deref().unwrap_or("-")
        )),
        _ => Ok(()),
    };
    let checks = [
        ("database", database),
        ("drift_breaker", drift),
        ("selectors", selectors),
        ("browser", browser),
        ("display", display),
    ];
    let ready = checks.iter().all(|(_, r)| r.is_ok());
    let detail: serde_json::Map<String, serde_json::Value> = checks
        .into_iter()
        .map(|(name, r)| {
            let said = match r {
                Ok(()) => "ok".to_owned(),
                Err(why) if detailed => why,
                Err(_) => "failing".to_owned(),
            };
            (name.to_owned(), serde_json::Value::from(said))
        })
        .collect();
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(serde_json::json!({"ready": ready, "checks": detail})),
    )
        .into_response()
}

/// Counts the answers to the gateway's calls by status code (`/metrics`).
async fn count_answers<S: Store>(
    State(st): State<Arc<WebhookState<S>>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let a_call = request.uri().path() == "/api/agents/auto_apply";
    let response = next.run(request).await;
    if a_call {
        st.runner
            .metrics()
            .webhook_answered(response.status().as_u16());
    }
    response
}

async fn metrics<S: Store>(State(st): State<Arc<WebhookState<S>>>) -> Response {
    let figures = crate::metrics::DatabaseFigures {
        counts: st.runner.store().application_counts().await.ok(),
        daily: st.runner.store().linkedin_daily_status().await.ok(),
        drift: st.runner.store().drift_status().await.ok(),
        oldest_claimable_seconds: st.runner.store().oldest_claimable_seconds().await.ok(),
    };
    let text = st.runner.metrics().render(&figures);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
