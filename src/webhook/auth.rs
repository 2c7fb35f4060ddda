//! Who may call: the shared secret (compared in constant time), the optional HMAC
//! signature with its timestamp, and the body parsed into a [`Call`].

use axum::http::HeaderMap;
use hmac::{KeyInit as _, Mac as _};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::MAX_SKEW;
use crate::{
    domain::{ApplicationId, UserId},
    store::answering::GivenAnswer,
};

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
    #[serde(default)]
    answers: Option<Vec<GivenAnswer>>,
    #[serde(default, rename = "async")]
    run_async: bool,
}

/// Equal, in time that does not depend on where the bytes differ.
pub(super) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks `X-Agent-Timestamp` and `X-Agent-Signature` = hex HMAC-SHA256 of
/// `"<timestamp>.<body>"`.
pub(super) fn check_signature(
    secret: &SecretString,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<u8>, &'static str> {
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
        .map_err(|_| "wrong X-Agent-Signature")?;
    Ok(given)
}

/// Signatures seen within the signing window: a signed call is accepted once. Kept in
/// this process (the gateway calls one worker's webhook); a replay to another worker
/// can at most wake its loop or ask for a row that is no longer claimable.
#[derive(Default)]
pub struct ReplayCache {
    seen: std::sync::Mutex<std::collections::HashMap<Vec<u8>, std::time::Instant>>,
}

/// Signatures remembered at most (a flood beyond it is refused, not forgotten).
const REPLAY_CACHE_MAX: usize = 100_000;

impl ReplayCache {
    /// Records `signature`; an error when it was seen within twice the allowed skew.
    pub(super) fn first_time(&self, signature: &[u8]) -> Result<(), &'static str> {
        let now = std::time::Instant::now();
        let window = MAX_SKEW * 2;
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= REPLAY_CACHE_MAX / 2 {
            seen.retain(|_, at| now.duration_since(*at) < window);
        }
        if seen
            .get(signature)
            .is_some_and(|at| now.duration_since(*at) < window)
        {
            return Err("this signed call was already received: a replay is refused");
        }
        if seen.len() >= REPLAY_CACHE_MAX {
            return Err("too many signed calls in the signing window: call again later");
        }
        seen.insert(signature.to_vec(), now);
        Ok(())
    }
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
    /// the user's answers to the questions their applications wait on
    /// (`store::answering`), when the call gives them
    pub answers: Option<Vec<GivenAnswer>>,
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
    let answers = request.payload.answers;
    if answers.as_ref().is_some_and(Vec::is_empty) {
        return Err("field `payload.answers` must not be empty".into());
    }
    if answers.is_some() && application.is_some() {
        return Err("give `payload.answers` or `payload.application_id`, not both".into());
    }
    Ok(Call {
        user,
        application,
        run_async: request.payload.run_async,
        answers,
    })
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
        let signature =
            check_signature(&secret, &headers(now, &sign(now)), body).expect("a good signature");
        let cache = ReplayCache::default();
        assert_eq!(cache.first_time(&signature), Ok(()));
        assert!(
            cache.first_time(&signature).unwrap_err().contains("replay"),
            "the same signed call twice"
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
