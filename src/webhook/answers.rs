//! A webhook call that gives the user's answers (`payload.answers`): the same contract
//! as `autoapply answer` and the SQL function (`store::answering`), answered with
//! what it did; the worker's loop is woken for what it queued again.

use std::time::Instant;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse as _, Response},
};

use super::{AgentResponse, WebhookState, refuse};
use crate::{
    domain::UserId,
    store::{StoreAdmin, StoreError, answering::GivenAnswer},
};

/// 200 with the result when every answer holds (the loop woken for the applications
/// queued again); 422 with the result, nothing changed, when one is refused; 400 for
/// a user without a profile; 503 when the store cannot be reached.
pub(super) async fn answer_questions<S: StoreAdmin>(
    st: &WebhookState<S>,
    user: UserId,
    given: &[GivenAnswer],
    started: Instant,
) -> Response {
    let result = match st.runner.store().answer_questions(user, given).await {
        Ok(result) => result,
        Err(e @ StoreError::Refused { .. }) => {
            return refuse(StatusCode::BAD_REQUEST, started, e.to_string());
        }
        Err(e @ StoreError::Api { status, .. }) if (400..500).contains(&status) => {
            return refuse(StatusCode::BAD_REQUEST, started, e.to_string());
        }
        Err(e) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                started,
                format!("the answers could not be saved, call again later: {e}"),
            );
        }
    };
    let (code, status, error) = if result.refused.is_empty() {
        if !result.requeued.is_empty() {
            st.wake.notify_one();
        }
        (StatusCode::OK, "success", None)
    } else {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "failed",
            Some(format!(
                "{} answer(s) refused: nothing was saved and no application was queued",
                result.refused.len()
            )),
        )
    };
    tracing::info!(
        user.id = %user,
        requeued = result.requeued.len(),
        refused = result.refused.len(),
        "webhook: answers given"
    );
    let body = AgentResponse {
        status: status.into(),
        duration_ms: started.elapsed().as_millis() as u64,
        records_processed: u32::try_from(result.requeued.len()).unwrap_or(u32::MAX),
        error,
        answers: Some(result),
    };
    (code, Json(body)).into_response()
}
