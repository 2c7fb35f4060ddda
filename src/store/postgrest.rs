//! A small typed PostgREST client on reqwest: every request has a timeout; connection
//! errors and 5xx answers are retried with jittered exponential backoff (4xx never);
//! errors carry PostgREST's code and message but never the key.
//!
//! Why not the `postgrest` crate: its last release pins reqwest 0.11 (a second HTTP
//! stack beside the 0.13 we already build) and sends requests with no timeout, and a
//! worker that can hang forever on one request is not one an operator can trust.

use std::time::Duration;

use rand::RngExt as _;
use reqwest::{Method, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, de::DeserializeOwned};
use url::Url;

use super::StoreError;

/// How often and how patiently a failing request is retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// requests in all, first one included
    pub max_attempts: u32,
    /// backoff before the second request; doubles each time
    pub base_delay: Duration,
    /// the longest backoff
    pub max_delay: Duration,
    /// how long a call safe to repeat (a lease call, fenced by its token) goes on
    /// being retried: long enough to ride out a PostgREST or PostgreSQL restart
    pub patience: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(3),
            patience: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before request `attempt + 1` (full jitter).
    fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_delay);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX).max(1);
        Duration::from_millis(rand::rng().random_range(millis / 2..=millis))
    }
}

/// The client: one base URL, one key, one connection pool.
#[derive(Clone)]
pub struct PostgrestClient {
    http: reqwest::Client,
    base: Url,
    key: SecretString,
    retry: RetryPolicy,
}

impl std::fmt::Debug for PostgrestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgrestClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// PostgREST's error body.
#[derive(serde::Deserialize)]
struct ApiErrorBody {
    code: Option<String>,
    message: Option<String>,
    hint: Option<String>,
}

fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

impl PostgrestClient {
    /// A client of the PostgREST at `base` (e.g. `https://x.supabase.co/rest/v1`),
    /// authenticating every request with `key` as `apikey` and bearer token.
    pub fn new(
        base: Url,
        key: SecretString,
        timeout: Duration,
        retry: RetryPolicy,
    ) -> Result<Self, StoreError> {
        install_tls_crypto();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .pool_idle_timeout(Duration::from_secs(60))
            // a redirect would carry the `apikey` header (the service-role key) to
            // wherever it points: reqwest strips only `Authorization`
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("autoapply/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| StoreError::Unreachable {
                operation: "build HTTP client".into(),
                attempts: 0,
                detail: e.to_string(),
            })?;
        let mut base = base;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Self {
            http,
            base,
            key,
            retry,
        })
    }

    /// Calls a SQL function: `POST /rpc/<name>` with `args` as JSON.
    pub async fn rpc<A: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        name: &str,
        args: &A,
    ) -> Result<T, StoreError> {
        self.call(name, args, None).await
    }

    /// [`rpc`](Self::rpc) for a call that is safe to repeat (idempotent under its
    /// fencing token): transient failures are retried for the policy's `patience`
    /// (the caller caps it further by the lease's deadline).
    pub async fn rpc_patient<A: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        name: &str,
        args: &A,
    ) -> Result<T, StoreError> {
        let until = std::time::Instant::now() + self.retry.patience;
        self.call(name, args, Some(until)).await
    }

    async fn call<A: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        name: &str,
        args: &A,
        patient_until: Option<std::time::Instant>,
    ) -> Result<T, StoreError> {
        let operation = format!("rpc {name}");
        let body = serde_json::to_vec(args).map_err(|e| StoreError::Decode {
            operation: operation.clone(),
            detail: e.to_string(),
        })?;
        let request = Request {
            method: Method::POST,
            path: &format!("rpc/{name}"),
            query: &[],
            body: Some(body),
            prefer: None,
        };
        let bytes = self.send_with(&operation, request, patient_until).await?;
        decode(&operation, &bytes)
    }

    /// `GET /<table>?<query>`: rows as `T`.
    pub async fn select<T: DeserializeOwned>(
        &self,
        table: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, StoreError> {
        let op = format!("select {table}");
        let bytes = self
            .send(&op, Method::GET, table, query, None, None)
            .await?;
        decode(&op, &bytes)
    }

    /// `POST /<table>` of one row, returning nothing.
    pub async fn insert<R: Serialize + ?Sized>(
        &self,
        table: &str,
        row: &R,
    ) -> Result<(), StoreError> {
        let op = format!("insert {table}");
        let body = serde_json::to_vec(row).map_err(|e| StoreError::Decode {
            operation: op.clone(),
            detail: e.to_string(),
        })?;
        self.send(
            &op,
            Method::POST,
            table,
            &[],
            Some(body),
            Some("return=minimal"),
        )
        .await
        .map(drop)
    }

    /// `POST /<table>?<query>` of one row with a `Prefer` header (upserts), returning
    /// the rows PostgREST sends back (`return=representation`) or none.
    pub async fn write<R: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        table: &str,
        query: &[(&str, String)],
        row: &R,
        prefer: &str,
    ) -> Result<Vec<T>, StoreError> {
        let op = format!("insert {table}");
        let body = serde_json::to_vec(row).map_err(|e| StoreError::Decode {
            operation: op.clone(),
            detail: e.to_string(),
        })?;
        let bytes = self
            .send(&op, Method::POST, table, query, Some(body), Some(prefer))
            .await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        decode(&op, &bytes)
    }

    async fn send(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        prefer: Option<&str>,
    ) -> Result<Vec<u8>, StoreError> {
        let request = Request {
            method,
            path,
            query,
            body,
            prefer,
        };
        self.send_with(operation, request, None).await
    }

    /// Sends `request`, retrying transient failures `max_attempts` times in all, or
    /// until `patient_until` when given.
    async fn send_with(
        &self,
        operation: &str,
        Request {
            method,
            path,
            query,
            body,
            prefer,
        }: Request<'_>,
        patient_until: Option<std::time::Instant>,
    ) -> Result<Vec<u8>, StoreError> {
        let url = self.base.join(path).map_err(|e| StoreError::Decode {
            operation: operation.to_owned(),
            detail: format!("bad path: {e}"),
        })?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .query(query)
                .header("apikey", self.key.expose_secret())
                .bearer_auth(self.key.expose_secret())
                .header(header::ACCEPT, "application/json");
            if let Some(body) = &body {
                request = request
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            if let Some(prefer) = prefer {
                request = request.header("Prefer", prefer);
            }
            let failure = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(bytes) if status.is_success() => return Ok(bytes.to_vec()),
                        Ok(bytes) => api_error(operation, status, &bytes),
                        Err(e) => unreachable_error(operation, attempt, &e),
                    }
                }
                Err(e) => unreachable_error(operation, attempt, &e),
            };
            let delay = self.retry.delay(attempt);
            let again = match patient_until {
                Some(until) => std::time::Instant::now() + delay < until,
                None => attempt < self.retry.max_attempts,
            };
            if !failure.is_transient() || !again {
                return Err(failure);
            }
            tracing::warn!(
                operation,
                attempt,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %failure,
                "store request failed, retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }
}

/// One request's parts.
struct Request<'a> {
    method: Method,
    path: &'a str,
    query: &'a [(&'a str, String)],
    body: Option<Vec<u8>>,
    prefer: Option<&'a str>,
}

fn unreachable_error(operation: &str, attempts: u32, err: &reqwest::Error) -> StoreError {
    // reqwest's Display names the URL; the URL has no secret, but say only the kind
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_body() || err.is_decode() {
        "the answer was cut off"
    } else {
        "request failed"
    };
    let mut detail = kind.to_owned();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    StoreError::Unreachable {
        operation: operation.to_owned(),
        attempts,
        detail: clip(&detail, 300),
    }
}

fn api_error(operation: &str, status: StatusCode, bytes: &[u8]) -> StoreError {
    let (code, message) = match serde_json::from_slice::<ApiErrorBody>(bytes) {
        Ok(body) => {
            let mut message = body.message.unwrap_or_default();
            if let Some(hint) = body.hint.filter(|h| !h.is_empty()) {
                message = format!("{message} (hint: {hint})");
            }
            (body.code, message)
        }
        Err(_) => (None, String::from_utf8_lossy(bytes).into_owned()),
    };
    StoreError::Api {
        operation: operation.to_owned(),
        status: status.as_u16(),
        code,
        message: clip(&message, 300),
    }
}

fn decode<T: DeserializeOwned>(operation: &str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Decode {
        operation: operation.to_owned(),
        detail: format!(
            "{} at line {} column {}",
            category(&e),
            e.line(),
            e.column()
        ),
    })
}

fn category(err: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match err.classify() {
        Category::Io => "unreadable",
        Category::Syntax => "invalid JSON",
        Category::Eof => "truncated JSON",
        Category::Data => "JSON of another shape (are the migrations applied?)",
    }
}

/// Makes rustls use *ring* (see Cargo.toml: reqwest is built without a crypto
/// provider) for every HTTP client of this process; a second call does nothing.
/// Call it before building a `reqwest::Client` outside [`PostgrestClient::new`].
pub fn install_tls_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let policy = RetryPolicy::default();
        for _ in 0..50 {
            let first = policy.delay(1);
            assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
            let late = policy.delay(30);
            assert!(late >= Duration::from_millis(1500) && late <= Duration::from_secs(3));
        }
    }

    #[test]
    fn api_errors_keep_code_and_message() {
        let err = api_error(
            "rpc claim_application",
            StatusCode::UNAUTHORIZED,
            br#"{"code":"42501","details":null,"hint":null,"message":"permission denied for function claim_application"}"#,
        );
        assert_eq!(
            err.to_string(),
            "rpc claim_application: PostgREST answered 401 (42501): permission denied for function claim_application"
        );
        assert!(!err.is_transient());
        let err = api_error("x", StatusCode::SERVICE_UNAVAILABLE, b"upstream down");
        assert!(err.is_transient());
    }
}
