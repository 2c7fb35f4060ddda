//! The HTTP side of `autoapply run` (axum): the gateway's webhook
//! `POST /api/agents/auto_apply`, and `/healthz`, `/readyz`, `/metrics`.
//!
//! Bad input gets a precise answer and changes nothing: 401 missing/wrong secret (or
//! signature), 415 wrong content type, 413 body over 64 KiB, 400 malformed JSON or
//! wrong types (the field named), 404 unknown application, 409 not claimable, 429
//! kill switch reached, 503 shutting down. Answers use the platform's agent response
//! shape `{status, duration_ms, records_processed, error}` and never echo a secret.

use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use hmac::{KeyInit as _, Mac as _};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use crate::{
    apply::{ApplyOptions, Engine},
    domain::{ApplicationId, UserId},
    metrics::Metrics,
    run::run_application,
    site::SiteSpec,
    store::{AgentLogStatus, Store},
};

/// The largest body accepted.
pub const MAX_BODY: usize = 64 * 1024;
/// Signed calls older (or newer) than this are refused.
pub const MAX_SKEW: Duration = Duration::from_secs(300);

/// What the handlers share.
pub struct WebhookState<S> {
    /// the store
    pub store: S,
    /// the engine
    pub engine: Arc<Engine>,
    /// the worker's figures
    pub metrics: Arc<Metrics>,
    /// wakes the worker's loop
    pub wake: Arc<Notify>,
    /// shutdown
    pub cancel: CancellationToken,
    /// `AGENT_SECRET`
    pub agent_secret: SecretString,
    /// `AUTOAPPLY_WEBHOOK_HMAC_SECRET`
    pub hmac_secret: Option<SecretString>,
    /// lease of an application run from here
    pub lease: Duration,
    /// `lease_owner` of those runs
    pub worker_id: String,
    /// a synchronous call is answered 202 after this
    pub deadline: Duration,
    /// the loop is considered stuck after this long without a tick
    pub max_tick_age: Duration,
    /// for `/readyz`
    pub selectors_dir: PathBuf,
    /// for `/readyz`
    pub browser_path: PathBuf,
    /// for `/readyz`: no display needed
    pub headless: bool,
    /// applications started from here; shutdown waits for them
    pub tasks: tokio_util::task::TaskTracker,
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
}

#[derive(Deserialize)]
struct WebhookRequest {
    agent: String,
    user_id: String,
    #[serde(default)]
    payload: Payload,
}

#[derive(Default, Deserialize)]
struct Payload {
    #[serde(default)]
    application_id: Option<String>,
    #[serde(default, rename = "async")]
    run_async: bool,
}

fn answer(
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
    };
    (code, Json(body)).into_response()
}

fn refuse(code: StatusCode, started: Instant, error: impl Into<String>) -> Response {
    let error = error.into();
    tracing::info!(status = code.as_u16(), error = %error, "webhook call refused");
    answer(code, "failed", started, 0, Some(error))
}

/// Equal, in time that does not depend on where the bytes differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks `X-Agent-Timestamp` and `X-Agent-Signature` = hex HMAC-SHA256 of
/// `"<timestamp>.<body>"`.
fn check_signature(
    secret: &SecretString,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), &'static str> {
    let timestamp = headers
        .get("x-agent-timestamp")
        .and_then(|v| v.to_str().ok())
        .ok_or("missing X-Agent-Timestamp")?;
    let signature = headers
        .get("x-agent-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or("missing X-Agent-Signature")?;
    let at: i64 = timestamp
        .parse()
        .map_err(|_| "X-Agent-Timestamp must be Unix seconds")?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if (now - at).unsigned_abs() > MAX_SKEW.as_secs() {
        return Err("X-Agent-Timestamp is more than 5 minutes off: refused as a replay");
    }
    let given = hex::decode(signature.trim()).map_err(|_| "X-Agent-Signature must be hex")?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| "bad key")?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&given)
        .map_err(|_| "wrong X-Agent-Signature")
}

/// A valid webhook call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// the job seeker
    pub user: UserId,
    /// the application to run now, if any
    pub application: Option<ApplicationId>,
    /// answer 202 at once
    pub run_async: bool,
}

/// Parses a webhook body; the error names the field (400).
pub fn parse_call(body: &[u8]) -> Result<Call, String> {
    let request: WebhookRequest =
        serde_json::from_slice(body).map_err(|e| format!("invalid body: {e}"))?;
    if request.agent != "auto_apply" {
        return Err("field `agent` must be \"auto_apply\"".into());
    }
    let user =
        UserId::parse(&request.user_id).map_err(|_| "field `user_id` must be a UUID".to_owned())?;
    let application = match request.payload.application_id {
        Some(raw) => Some(
            ApplicationId::parse(&raw)
                .map_err(|_| "field `payload.application_id` must be a UUID".to_owned())?,
        ),
        None => None,
    };
    Ok(Call {
        user,
        application,
        run_async: request.payload.run_async,
    })
}

/// The router.
pub fn router<S: Store + Clone + 'static>(state: Arc<WebhookState<S>>) -> Router {
    Router::new()
        .route("/api/agents/auto_apply", post(auto_apply::<S>))
        .route("/healthz", get(healthz::<S>))
        .route("/readyz", get(readyz::<S>))
        .route("/metrics", get(metrics::<S>))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(state)
}

async fn auto_apply<S: Store + Clone + 'static>(
    State(st): State<Arc<WebhookState<S>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    if st.cancel.is_cancelled() {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            started,
            "shutting down: call again later",
        );
    }
    let Some(given) = headers.get("x-agent-secret") else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            started,
            "missing X-Agent-Secret header",
        );
    };
    if !constant_time_eq(given.as_bytes(), st.agent_secret.expose_secret().as_bytes()) {
        return refuse(StatusCode::UNAUTHORIZED, started, "wrong X-Agent-Secret");
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            started,
            "Content-Type must be application/json",
        );
    }
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refuse(
                StatusCode::PAYLOAD_TOO_LARGE,
                started,
                "body larger than 64 KiB",
            );
        }
        Err(rejection) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                started,
                format!("unreadable body: {}", rejection.body_text()),
            );
        }
    };
    if let Some(secret) = &st.hmac_secret
        && let Err(why) = check_signature(secret, &headers, &body)
    {
        return refuse(StatusCode::UNAUTHORIZED, started, why);
    }
    let call = match parse_call(&body) {
        Ok(call) => call,
        Err(why) => return refuse(StatusCode::BAD_REQUEST, started, why),
    };
    let user = call.user;
    let Some(id) = call.application else {
        // no application: wake the loop, which claims the user's queued work
        st.wake.notify_one();
        tracing::info!(user.id = %user, "webhook: worker woken");
        return answer(StatusCode::ACCEPTED, "success", started, 0, None);
    };
    let application = match st.store.application(id).await {
        Ok(Some(a)) if a.user_id == user => a,
        Ok(_) => {
            return refuse(
                StatusCode::NOT_FOUND,
                started,
                format!("no application {id} for user {user}"),
            );
        }
        Err(e) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                started,
                format!("database unreachable: {e}"),
            );
        }
    };
    match st.store.linkedin_daily_status().await {
        Ok(day) if day.remaining <= 0 => {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                started,
                "the global LinkedIn limit for today is reached",
            );
        }
        Ok(_) => {}
        Err(e) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                started,
                format!("database unreachable: {e}"),
            );
        }
    }
    let claimed = match st.store.claim_by_id(id, &st.worker_id, st.lease).await {
        Ok(Some(a)) => a,
        Ok(None) => {
            return refuse(
                StatusCode::CONFLICT,
                started,
                format!(
                    "application {id} is not claimable (status {})",
                    application.status
                ),
            );
        }
        Err(e) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                started,
                format!("database unreachable: {e}"),
            );
        }
    };
    let span =
        tracing::info_span!("application", application.id = %id, user.id = %user, via = "webhook");
    let run = run_application(
        st.store.clone(),
        st.engine.clone(),
        st.lease,
        st.metrics.clone(),
        claimed,
        st.cancel.clone(),
        ApplyOptions::default(),
    )
    .instrument(span);
    let handle = st.tasks.spawn(run);
    if call.run_async {
        return answer(StatusCode::ACCEPTED, "success", started, 0, None);
    }
    match tokio::time::timeout(st.deadline, handle).await {
        Ok(Ok(outcome)) => {
            let (code, status) = match outcome.log_status {
                AgentLogStatus::Completed => (StatusCode::OK, "success"),
                AgentLogStatus::Skipped if outcome.kill_switch_closed => (StatusCode::TOO_MANY_REQUESTS, "failed"),
                AgentLogStatus::Skipped if st.cancel.is_cancelled() => (StatusCode::SERVICE_UNAVAILABLE, "failed"),
                AgentLogStatus::Skipped => (StatusCode::OK, "skipped"),
                AgentLogStatus::Failed | AgentLogStatus::Started => (StatusCode::OK, "failed"),
            };
            let records = u32::from(outcome.log_status != AgentLogStatus::Skipped || status == "skipped");
            answer(code, status, started, records, outcome.error)
        }
        Ok(Err(_)) => answer(StatusCode::OK, "failed", started, 1, Some("internal error while applying".into())),
        Err(_) => answer(
            StatusCode::ACCEPTED,
            "success",
            started,
            0,
            Some("still running after the deadline: its outcome will be in agent_logs and on the row".into()),
        ),
    }
}

async fn healthz<S: Store>(State(st): State<Arc<WebhookState<S>>>) -> Response {
    match st.metrics.since_last_tick() {
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

async fn readyz<S: Store>(State(st): State<Arc<WebhookState<S>>>) -> Response {
    let database = st
        .store
        .linkedin_daily_status()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
    let selectors = SiteSpec::load_all(&st.selectors_dir)
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
    let checks = [
        ("database", database),
        ("selectors", selectors),
        ("browser", browser),
        ("display", display),
    ];
    let ready = checks.iter().all(|(_, r)| r.is_ok());
    let detail: serde_json::Map<String, serde_json::Value> = checks
        .into_iter()
        .map(|(name, r)| {
            (
                name.to_owned(),
                r.err()
                    .map_or(serde_json::Value::from("ok"), serde_json::Value::from),
            )
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

async fn metrics<S: Store>(State(st): State<Arc<WebhookState<S>>>) -> Response {
    let counts = st.store.application_counts().await.ok();
    let daily = st.store.linkedin_daily_status().await.ok();
    let text = st.metrics.render(counts.as_deref(), daily.as_ref());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn any_body_is_parsed_or_refused_never_a_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_call(&body);
        }

        #[test]
        fn json_shaped_bodies_too(agent in ".{0,12}", user in ".{0,40}", app in proptest::option::of(".{0,40}"), run_async in proptest::bool::ANY) {
            let body = serde_json::json!({"agent": agent, "user_id": user, "payload": {"application_id": app, "async": run_async}});
            let parsed = parse_call(body.to_string().as_bytes());
            if agent != "auto_apply" {
                proptest::prop_assert!(parsed.is_err());
            }
        }
    }

    #[test]
    fn a_valid_call_parses() {
        let body = br#"{"agent": "auto_apply", "user_id": "123e4567-e89b-12d3-a456-426614174000", "payload": {"application_id": "223e4567-e89b-12d3-a456-426614174000", "async": true}}"#;
        let call = parse_call(body).unwrap();
        assert!(call.run_async && call.application.is_some());
        assert_eq!(
            parse_call(
                br#"{"agent": "auto_apply", "user_id": "123e4567-e89b-12d3-a456-426614174000"}"#
            )
            .unwrap()
            .application,
            None
        );
    }

    #[test]
    fn secrets_compare_in_constant_time_and_exactly() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn signatures_are_checked_with_their_timestamp() {
        let secret = SecretString::from("hmac-secret-0123456789");
        let body = br#"{"agent":"auto_apply"}"#;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let sign = |at: i64| {
            let mut mac =
                hmac::Hmac::<sha2::Sha256>::new_from_slice(b"hmac-secret-0123456789").unwrap();
            mac.update(format!("{at}.").as_bytes());
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        };
        let headers = |at: i64, sig: &str| {
            let mut h = HeaderMap::new();
            h.insert("x-agent-timestamp", at.to_string().parse().unwrap());
            h.insert("x-agent-signature", sig.parse().unwrap());
            h
        };
        assert_eq!(
            check_signature(&secret, &headers(now, &sign(now)), body),
            Ok(())
        );
        assert_eq!(
            check_signature(&secret, &headers(now, &sign(now + 1)), body),
            Err("wrong X-Agent-Signature")
        );
        assert!(
            check_signature(&secret, &headers(now - 301, &sign(now - 301)), body)
                .unwrap_err()
                .contains("replay")
        );
        assert_eq!(
            check_signature(&secret, &HeaderMap::new(), body),
            Err("missing X-Agent-Timestamp")
        );
    }
}
