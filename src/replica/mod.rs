//! A local replica of LinkedIn's job pages and Easy Apply flow, served on
//! 127.0.0.1 with LinkedIn's real markup. Tests and the demo point the worker at it
//! (`AUTOAPPLY_SITE_ORIGIN`), so the shipped `selectors/linkedin.toml` is what they
//! exercise. It records every request and every submission (fields and values), so
//! tests can assert exactly what was sent and how often.
//!
//! Sessions: a request without an `li_at` cookie (or with a value starting with
//! `revoked`) is logged out; a value starting with `checkpoint` is sent to a
//! security checkpoint. A job submitted once shows "Applied" afterwards — after a
//! per-job lag when a test sets one (`set_applied_lag`); a job can also accept a
//! submission and never answer it (`set_confirmation_never_renders`).
//!
//! Languages: the session's `lang` cookie picks the display language of every page
//! (`i18n`): English, French, German, Spanish or Portuguese; another language is served
//! in English under its own `<html lang>`.

pub mod i18n;
pub mod jobs;
pub mod model;
mod reports;
pub mod sdui;
pub mod sensor;

use std::{
    collections::HashSet,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    extract::{Path, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

/// One request the replica received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// HTTP method
    pub method: String,
    /// path and query
    pub path: String,
    /// whether an `li_at` cookie came with it (never its value)
    pub had_session: bool,
    /// the User-Agent header
    pub user_agent: String,
    /// when it arrived
    #[serde(skip)]
    pub at: std::time::Instant,
}

/// One thing a page's user did (a click, typing, a choice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAction {
    /// when the replica heard of it
    pub at: std::time::Instant,
    /// `click`, `input` or `change`
    pub kind: String,
    /// the field's label (`data-replica-label`), when it was in a field
    pub label: String,
    /// the page load it happened on: a random id per load, so one browser's page is
    /// told from another's
    pub page: String,
}

/// One submitted application, as the form sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// the job
    #[serde(default)]
    pub job_id: u64,
    /// every answer, by the question's label
    pub fields: std::collections::BTreeMap<String, String>,
    /// the uploaded résumé, if any
    pub resume: Option<UploadedFile>,
    /// the follow-company box at submit time
    pub follow_company: Option<bool>,
}

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    /// file name
    pub name: String,
    /// size in bytes
    pub size: u64,
}

/// A dialog LinkedIn may show between Submit and the confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterSubmit {
    /// a Premium upsell over the form: "Try Premium for free", "Not now", a close ×
    Premium,
    /// the form's own dialog turned into "Get alerts for similar jobs": "Turn on
    /// alerts", "No thanks" (no close ×)
    Alerts,
}

impl AfterSubmit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Premium => "premium",
            Self::Alerts => "alerts",
        }
    }
}

#[derive(Default)]
struct Recorded {
    requests: Vec<RequestRecord>,
    submissions: Vec<Submission>,
    discarded: Vec<u64>,
    /// (session cookie, job) pairs applied to, and when: the job then shows "Applied"
    /// to that user (after the job's applied lag)
    submitted_jobs: std::collections::HashMap<(String, u64), std::time::Instant>,
    confirm_delay: Duration,
    /// jobs whose "Applied" state shows only this long after the submission
    applied_lag: std::collections::HashMap<u64, Duration>,
    /// jobs that accept a submission and never answer it (no confirmation renders)
    never_confirm: HashSet<u64>,
    /// jobs that show a dialog between Submit and the confirmation (`AfterSubmit`)
    after_submit: std::collections::HashMap<u64, AfterSubmit>,
    /// the sensor's latest report of each page load
    sensor: Vec<sensor::SensorReport>,
}

#[derive(Clone)]
struct AppState {
    recorded: Arc<Mutex<Recorded>>,
    jobs: Arc<Vec<jobs::Job>>,
    /// pages served as they are for a job id (a test's own markup)
    pages: Arc<Mutex<std::collections::HashMap<u64, String>>>,
}

/// A running replica.
pub struct Replica {
    addr: SocketAddr,
    state: AppState,
    stop: CancellationToken,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl Replica {
    /// Serves the replica on `bind` (use port 0 for a free port).
    pub async fn start(bind: SocketAddr) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let state = AppState {
            recorded: Arc::default(),
            jobs: Arc::new(jobs::catalog()),
            pages: Arc::default(),
        };
        let app = router(state.clone());
        let stop = CancellationToken::new();
        let shutdown = stop.clone();
        // tasks are named by their tracing span (tokio's task names need tokio_unstable)
        tokio::spawn(
            async move {
                let serve =
                    axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned());
                if let Err(e) = serve.await {
                    tracing::error!(error = %e, "replica server stopped");
                }
            }
            .instrument(tracing::info_span!("replica", addr = %addr)),
        );
        Ok(Self { addr, state, stop })
    }

    /// `http://127.0.0.1:<port>`
    pub fn origin(&self) -> url::Url {
        format!("http://{}", self.addr)
            .parse()
            .expect("a socket address is a valid origin")
    }

    /// Job `id`'s page on this replica.
    pub fn job_url(&self, id: u64) -> url::Url {
        self.origin()
            .join(&format!("/jobs/view/{id}/"))
            .expect("a job path joins an origin")
    }

    /// The session cookie a logged-in visitor of the replica carries: (name, domain).
    pub const SESSION_COOKIE: (&'static str, &'static str) = ("li_at", ".www.linkedin.com");

    /// The job page URL as LinkedIn writes it, on the real origin (the worker
    /// rewrites it to the configured origin).
    pub fn linkedin_job_url(id: u64) -> String {
        format!("https://www.linkedin.com/jobs/view/{id}/")
    }

    /// The automation sensor's report of every page load so far (`sensor.js`), what
    /// their requests' headers contradicted placed (`reports.rs`).
    pub fn sensor_reports(&self) -> Vec<sensor::SensorReport> {
        let recorded = self.state.recorded.lock().expect("replica state");
        recorded
            .sensor
            .iter()
            .cloned()
            .map(reports::placed)
            .collect()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state
            .recorded
            .lock()
            .expect("replica state")
            .requests
            .clone()
    }

    /// What the pages' user did (clicks, typing, choices), in order.
    pub fn page_actions(&self) -> Vec<PageAction> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.starts_with("/replica/api/event/"))
            .map(|r| {
                let param = |name: &str| {
                    url::form_urlencoded::parse(
                        r.path.split_once('?').unwrap_or_default().1.as_bytes(),
                    )
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
                };
                PageAction {
                    at: r.at,
                    kind: param("kind"),
                    label: param("label"),
                    page: param("page"),
                }
            })
            .collect()
    }

    /// Every submission so far.
    pub fn submissions(&self) -> Vec<Submission> {
        self.state
            .recorded
            .lock()
            .expect("replica state")
            .submissions
            .clone()
    }

    /// Jobs whose application was discarded.
    pub fn discarded(&self) -> Vec<u64> {
        self.state
            .recorded
            .lock()
            .expect("replica state")
            .discarded
            .clone()
    }

    /// Serves `html` as job `id`'s page (to a logged-in visitor, until the job is
    /// submitted): a page written in a style the replica does not generate.
    pub fn serve_page(&self, id: u64, html: String) {
        self.state
            .pages
            .lock()
            .expect("replica pages")
            .insert(id, html);
    }

    /// Shows job `id` as "Applied" only `lag` after a submission (LinkedIn records some
    /// submissions asynchronously): until then its page still offers Easy Apply.
    pub fn set_applied_lag(&self, id: u64, lag: Duration) {
        self.state
            .recorded
            .lock()
            .expect("replica state")
            .applied_lag
            .insert(id, lag);
    }

    /// Job `id` records a submission and never answers it: no confirmation renders.
    pub fn set_confirmation_never_renders(&self, id: u64) {
        self.state
            .recorded
            .lock()
            .expect("replica state")
            .never_confirm
            .insert(id);
    }

    /// Job `id` shows `dialog` between Submit and its confirmation, which comes only
    /// once the dialog is declined; accepting it is recorded as a page action
    /// (`kind` `click`, `label` `after-submit:accept`) and no confirmation follows.
    pub fn set_after_submit(&self, id: u64, dialog: AfterSubmit) {
        self.state
            .recorded
            .lock()
            .expect("replica state")
            .after_submit
            .insert(id, dialog);
    }

    /// Delays the answer to a submission (the confirmation) by `delay`.
    pub fn set_confirm_delay(&self, delay: Duration) {
        self.state
            .recorded
            .lock()
            .expect("replica state")
            .confirm_delay = delay;
    }
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/login", get(|| async { Html(jobs::login_page()) }))
        .route("/authwall", get(|| async { Html(jobs::login_page()) }))
        .route(
            "/checkpoint/challengesV2/{token}",
            get(|| async { Html(jobs::checkpoint_page()) }),
        )
        .route("/feed/", get(feed))
        .route("/jobs/view/{id}/", get(job))
        .route("/jobs/view/{id}", get(job))
        .route(
            "/replica/static/replica.js",
            get(|| async { static_file("application/javascript", include_str!("replica.js")) }),
        )
        .route(
            "/replica/static/replica.css",
            get(|| async { static_file("text/css", include_str!("replica.css")) }),
        )
        .route(
            "/replica/static/sensor.js",
            get(|| async { static_file("application/javascript", include_str!("sensor.js")) }),
        )
        .route("/replica/static/botd.esm.js", get(sensor::botd))
        // the sensor's cross-site frame (opened on `localhost`): a page with nothing
        // but the sensor in it
        .route(
            "/replica/frame",
            get(|| async {
                Html(r#"<!doctype html><html lang="en"><head></head><body></body></html>"#)
            }),
        )
        .route(
            "/replica/sw.js",
            get(|| async { static_file("application/javascript", include_str!("sw.js")) }),
        )
        .route("/replica/sensor", post(reports::receive))
        .route("/replica/api/submit/{id}", post(submit))
        .route("/replica/api/discard/{id}", post(discard))
        // what a page's user did (recorded as a request): see `Replica::page_actions`
        .route(
            "/replica/api/event/{id}",
            post(|| async { StatusCode::NO_CONTENT }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, Html("<h1>Page not found</h1>")) })
        .layer(middleware::from_fn(sensor::inject))
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

fn static_file(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    // the sensor's cross-site frame and its reports are the test's, not LinkedIn's
    // traffic (they carry no session: the cookies are 127.0.0.1's)
    let sensor_frame = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.starts_with("localhost"));
    if sensor_frame {
        return next.run(request).await;
    }
    let record = RequestRecord {
        method: request.method().to_string(),
        path: request
            .uri()
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default(),
        had_session: li_at(request.headers()).is_some(),
        user_agent: request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        at: std::time::Instant::now(),
    };
    state
        .recorded
        .lock()
        .expect("replica state")
        .requests
        .push(record);
    next.run(request).await
}

fn li_at(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "li_at")
        .map(|(_, value)| value.to_owned())
}

/// What the session cookie of a request says.
enum Visitor {
    LoggedIn,
    LoggedOut,
    Checkpoint,
}

fn visitor(headers: &HeaderMap) -> Visitor {
    match li_at(headers) {
        None => Visitor::LoggedOut,
        Some(v) if v.is_empty() || v.starts_with("revoked") => Visitor::LoggedOut,
        Some(v) if v.starts_with("checkpoint") => Visitor::Checkpoint,
        Some(_) => Visitor::LoggedIn,
    }
}

const CHECKPOINT_URL: &str = "/checkpoint/challengesV2/AQGx7Replica";

async fn feed(headers: HeaderMap) -> Response {
    match visitor(&headers) {
        Visitor::LoggedIn => {
            Html(i18n::Lang::of_request(&headers).localize(&jobs::feed_page())).into_response()
        }
        Visitor::LoggedOut => Redirect::to("/login?session_redirect=%2Ffeed%2F").into_response(),
        Visitor::Checkpoint => Redirect::to(CHECKPOINT_URL).into_response(),
    }
}

async fn job(State(state): State<AppState>, Path(id): Path<u64>, headers: HeaderMap) -> Response {
    match visitor(&headers) {
        Visitor::LoggedIn => {}
        Visitor::LoggedOut => {
            return Redirect::to(&format!(
                "/authwall?trk=jobs&sessionRedirect=%2Fjobs%2Fview%2F{id}%2F"
            ))
            .into_response();
        }
        Visitor::Checkpoint => return Redirect::to(CHECKPOINT_URL).into_response(),
    }
    let page = state.pages.lock().expect("replica pages").get(&id).cloned();
    let job = jobs::job_for(&state.jobs, id).or_else(|| {
        page.is_some().then_some(jobs::Job {
            id,
            title: "A job",
            company: "A company",
            kind: jobs::JobKind::AlreadyApplied,
        })
    });
    let Some(job) = job else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>This job is no longer available</h1>"),
        )
            .into_response();
    };
    if matches!(job.kind, jobs::JobKind::Checkpoint) {
        return Redirect::to(CHECKPOINT_URL).into_response();
    }
    let user = li_at(&headers).unwrap_or_default();
    let lang = i18n::Lang::of_request(&headers);
    let submitted = {
        let recorded = state.recorded.lock().expect("replica state");
        let lag = recorded.applied_lag.get(&id).copied().unwrap_or_default();
        recorded
            .submitted_jobs
            .get(&(user, id))
            .is_some_and(|at| at.elapsed() >= lag)
    };
    if submitted {
        let applied = jobs::Job {
            kind: if job.generation() == jobs::Generation::Sdui {
                jobs::JobKind::SduiApplied
            } else {
                jobs::JobKind::AlreadyApplied
            },
            ..job.clone()
        };
        return Html(lang.localize(&jobs::job_page(&applied))).into_response();
    }
    if let Some(page) = page {
        return Html(page).into_response();
    }
    Html(lang.localize(&jobs::job_page(&job))).into_response()
}

async fn submit(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    Json(mut body): Json<Submission>,
) -> Response {
    if !matches!(visitor(&headers), Visitor::LoggedIn) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    body.job_id = id;
    let user = li_at(&headers).unwrap_or_default();
    let (delay, after) = {
        let mut recorded = state.recorded.lock().expect("replica state");
        let after = recorded.after_submit.get(&id).map(|a| a.as_str());
        recorded.submissions.push(body);
        recorded
            .submitted_jobs
            .entry((user, id))
            .or_insert_with(std::time::Instant::now);
        let delay = if recorded.never_confirm.contains(&id) {
            // accepted, never answered: the page waits for a confirmation in vain
            Duration::from_secs(24 * 3600)
        } else {
            recorded.confirm_delay
        };
        (delay, after)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    Json(serde_json::json!({"ok": true, "after_submit": after})).into_response()
}

async fn discard(State(state): State<AppState>, Path(id): Path<u64>) -> StatusCode {
    state
        .recorded
        .lock()
        .expect("replica state")
        .discarded
        .push(id);
    StatusCode::NO_CONTENT
}
