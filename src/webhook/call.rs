//! `POST /api/agents/auto_apply`: admitted (secret, content type, body, signature),
//! then either the loop is woken, or one application is claimed by id and started
//! through the loop's [`crate::run::Runner`], answered when it ends (or 202 past the
//! deadline).

use std::{sync::Arc, time::Instant};

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use secrecy::ExposeSecret as _;

use super::{
    MAX_BODY, WebhookState, answer,
    auth::{Call, check_signature, constant_time_eq, parse_call},
    refuse,
};
use crate::{
    apply::ApplyOptions,
    domain::ApplicationId,
    run::{RunOutcome, TooSoon, Via},
    store::{AgentLogStatus, Application, ClaimBy, Store, StoreAdmin},
};

/// The handler.
pub(super) async fn auto_apply<S: StoreAdmin + Clone + 'static>(
    State(st): State<Arc<WebhookState<S>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let call = match admit(&st, &headers, body).await {
        Ok(call) => call,
        Err(refused) => return refused.answer(started),
    };
    let user = call.user;
    if let Some(given) = &call.answers {
        return super::answers::answer_questions(&st, user, given, started).await;
    }
    let Some(id) = call.application else {
        // no application: wake the loop, which claims the user's queued work
        st.wake.notify_one();
        tracing::info!(user.id = %user, "webhook: worker woken");
        return answer(StatusCode::ACCEPTED, "success", started, 0, None);
    };
    // one gate with the loop: a slot of the same concurrency, the same spacing
    let Some(slot) = st.runner.slot() else {
        return Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "the worker is running its {} applications at once: call again later",
                st.runner.concurrency()
            ),
        )
        .retry_after(st.runner.lease().as_secs().max(1))
        .answer(started);
    };
    let claimed = match claim(&st, &call, id).await {
        Ok(claimed) => claimed,
        Err(refused) => return refused.answer(started),
    };
    let handle = match st
        .runner
        .start(slot, claimed, ApplyOptions::default(), Via::Webhook)
    {
        Ok(handle) => handle,
        Err(TooSoon { application, wait }) => {
            return too_soon(&st, &application, wait).await.answer(started);
        }
    };
    if call.run_async {
        return answer(StatusCode::ACCEPTED, "success", started, 0, None);
    }
    match tokio::time::timeout(st.deadline, handle).await {
        Ok(Ok(outcome)) => finished(&st, &outcome, started),
        Ok(Err(_)) => answer(
            StatusCode::OK,
            "failed",
            started,
            1,
            Some("internal error while applying".into()),
        ),
        // accepted and still running: no error to report (its outcome will be in
        // agent_logs and on the row); 202 says so
        Err(_) => answer(StatusCode::ACCEPTED, "success", started, 0, None),
    }
}

/// Why a call is refused: its HTTP status and the error of the answer.
struct Refusal {
    code: StatusCode,
    error: String,
    retry_after: Option<u64>,
}

impl Refusal {
    fn new(code: StatusCode, error: impl Into<String>) -> Self {
        Self {
            code,
            error: error.into(),
            retry_after: None,
        }
    }

    /// With a `Retry-After` of `secs`.
    fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    fn answer(self, started: Instant) -> Response {
        let mut response = refuse(self.code, started, self.error);
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The user's previous application started less than the spacing ago: the claim is
/// given back (no attempt spent) and the caller told when to call again.
async fn too_soon<S: Store>(
    st: &WebhookState<S>,
    claimed: &Application,
    wait: std::time::Duration,
) -> Refusal {
    let why = crate::domain::GiveBack::new(
        "user_spacing",
        "the user's previous application started less than AUTOAPPLY_USER_SPACING_SECS ago: given back, no attempt spent",
        wait,
    );
    if let Some(lease) = claimed.lease()
        && let Err(e) = st.runner.store().release(lease, &why).await
    {
        tracing::warn!(error = %e, "webhook: could not give a claim back (its lease will expire)");
    }
    let secs = wait.as_secs().max(1);
    Refusal::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!(
            "user {}'s previous application started less than AUTOAPPLY_USER_SPACING_SECS ago: call again in {secs} s",
            claimed.user_id
        ),
    )
    .retry_after(secs)
}

/// Shutdown, the secret and the content type from the headers alone; then the body
/// (bounded in size and time), the signature, the fields.
async fn admit<S>(st: &WebhookState<S>, headers: &HeaderMap, body: Body) -> Result<Call, Refusal> {
    if st.cancel.is_cancelled() {
        return Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down: call again later",
        ));
    }
    let Some(given) = headers.get("x-agent-secret") else {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "missing X-Agent-Secret header",
        ));
    };
    if !constant_time_eq(given.as_bytes(), st.agent_secret.expose_secret().as_bytes()) {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "wrong X-Agent-Secret",
        ));
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
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    let body = read_body(headers, body).await?;
    if let Some(secret) = &st.hmac_secret {
        let signature = check_signature(secret, headers, &body)
            .map_err(|why| Refusal::new(StatusCode::UNAUTHORIZED, why))?;
        st.replays
            .first_time(&signature)
            .map_err(|why| Refusal::new(StatusCode::UNAUTHORIZED, why))?;
    }
    parse_call(&body).map_err(|why| Refusal::new(StatusCode::BAD_REQUEST, why))
}

/// The body, read only now that the headers passed: at most [`MAX_BODY`] bytes (a
/// larger `Content-Length` is refused before reading), within [`super::serve::BODY_TIMEOUT`].
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, Refusal> {
    let too_large = || Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, "body larger than 64 KiB");
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(
        super::serve::BODY_TIMEOUT,
        axum::body::to_bytes(body, MAX_BODY),
    )
    .await
    {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if is_length_limit(&e) => Err(too_large()),
        Ok(Err(e)) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("unreadable body: {e}"),
        )),
        Err(_) => Err(Refusal::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the body did not arrive within {} s",
                super::serve::BODY_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// The body was cut at the size limit.
fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// The user's application `id`, if the kill switch has room, the drift breaker is
/// closed and it can be claimed.
async fn claim<S: Store>(
    st: &WebhookState<S>,
    call: &Call,
    id: ApplicationId,
) -> Result<Application, Refusal> {
    // the database's own words stay in the worker's log, not in the answer
    let unreachable = |e: crate::store::StoreError| {
        tracing::warn!(error = %e, "webhook: database unreachable");
        Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable: call again later (the worker's log has the detail)",
        )
    };
    let application = match st
        .runner
        .store()
        .application(id)
        .await
        .map_err(unreachable)?
    {
        Some(a) if a.user_id == call.user => a,
        _ => {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                format!("no application {id} for user {}", call.user),
            ));
        }
    };
    let day = st
        .runner
        .store()
        .linkedin_daily_status()
        .await
        .map_err(unreachable)?;
    if day.remaining <= 0 {
        return Err(Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            "the global LinkedIn limit for today is reached",
        ));
    }
    let drift = st
        .runner
        .store()
        .drift_status()
        .await
        .map_err(unreachable)?;
    if drift.is_open(time::OffsetDateTime::now_utc()) {
        return Err(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the drift breaker is open: LinkedIn's markup no longer matches the site file; no application is started until it closes (see /readyz)",
        ));
    }
    st.runner
        .store()
        .claim_by_id(id, &st.worker_id, st.runner.lease(), ClaimBy::Caller)
        .await
        .map_err(unreachable)?
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::CONFLICT,
                format!(
                    "application {id} is not claimable now (status {}): only a queued row with \
                     attempts left or one awaiting verification, of a user whose session is \
                     valid and not paused and who has no other application in a browser",
                    application.status
                ),
            )
        })
}

/// The answer for a run that ended before the deadline.
fn finished<S>(st: &WebhookState<S>, outcome: &RunOutcome, started: Instant) -> Response {
    let (code, status) = match outcome.log_status {
        AgentLogStatus::Completed => (StatusCode::OK, "success"),
        AgentLogStatus::Skipped if outcome.kill_switch_closed => {
            (StatusCode::TOO_MANY_REQUESTS, "failed")
        }
        AgentLogStatus::Skipped if st.cancel.is_cancelled() => {
            (StatusCode::SERVICE_UNAVAILABLE, "failed")
        }
        AgentLogStatus::Skipped => (StatusCode::OK, "skipped"),
        AgentLogStatus::Failed | AgentLogStatus::Started => (StatusCode::OK, "failed"),
    };
    let records = u32::from(outcome.log_status != AgentLogStatus::Skipped || status == "skipped");
    answer(code, status, started, records, outcome.error.clone())
}
