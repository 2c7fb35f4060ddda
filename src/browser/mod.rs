//! The browser: the only module that imports chromiumoxide (pinned to 0.9.1). It
//! launches the system Chromium headful with a fresh profile per application,
//! injects cookies before the first navigation, observes pages through
//! `observe.js`, acts like a person (mouse clicks at the element, typed keys with
//! human delays, select/radio/checkbox/typeahead/file upload), takes screenshots,
//! and tears everything down in every path.
//!
//! `apply/` decides; this module acts. Every CDP command has a timeout.

pub mod teardown;

use std::{
    future::Future,
    path::{Path, PathBuf},
    time::Duration,
};

use chromiumoxide::{
    Browser, BrowserConfig, Page,
    cdp::{
        browser_protocol::{
            dom::SetFileInputFilesParams,
            input::InsertTextParams,
            network::{CookieParam, CookieSameSite, TimeSinceEpoch},
            page::{
                CaptureScreenshotFormat, CaptureScreenshotParams, EventLoadEventFired,
                NavigateParams,
            },
        },
        js_protocol::runtime::EvaluateParams,
    },
    layout::Point,
};
use futures_util::StreamExt as _;
use rand::RngExt as _;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

pub use crate::page::{Field, FieldKind, Modal, Observation, Rect, Target};
use teardown::LaunchGuard;

use crate::{
    pacing::{Pacing, Wait},
    session::{SameSite, Session},
    site::SiteSpec,
};

const OBSERVE_JS: &str = include_str!("observe.js");

/// The log target of the DevTools library's events: they can print raw DevTools
/// messages, which carry cookie values (see `telemetry::secret_guard`).
pub const DEVTOOLS_LOG_TARGET: &str = "chromiumoxide";
/// The log target of its connection, which logs every message it sends and receives.
pub const DEVTOOLS_RAW_LOG_TARGET: &str = "chromiumoxide::conn";

/// Why the browser could not do what was asked. No variant carries a cookie value
/// or a form value.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    /// No display to draw on.
    #[error(
        "no display: DISPLAY is {0}; the browser runs headful: run under Xvfb (see systemd/autoapply-xvfb.service) or `xvfb-run -a`"
    )]
    NoDisplay(String),
    /// Headless was asked for against LinkedIn.
    #[error(
        "refusing to run headless against LinkedIn: the worker is headful only (run under Xvfb)"
    )]
    HeadlessRefused,
    /// The Chromium binary is missing.
    #[error("browser binary {0} not found or not executable (AUTOAPPLY_BROWSER_PATH)")]
    BinaryMissing(PathBuf),
    /// The profile directory could not be prepared.
    #[error("cannot prepare the browser profile directory: {0}")]
    Profile(std::io::Error),
    /// Chromium did not start.
    #[error("browser failed to start: {0}")]
    Launch(String),
    /// Chromium went away mid-application.
    #[error("the browser crashed or was killed during {action}")]
    Crashed {
        /// what was being done
        action: &'static str,
    },
    /// A command or wait ran out of time.
    #[error("{action} timed out after {after_ms} ms")]
    Timeout {
        /// what was being waited for
        action: String,
        /// how long
        after_ms: u64,
    },
    /// An element the flow wanted to act on is gone.
    #[error("element {target} is not on the page")]
    ElementMissing {
        /// the tag
        target: String,
    },
    /// A DevTools command failed.
    #[error("{action} failed: {detail}")]
    Cdp {
        /// what was being done
        action: &'static str,
        /// chromiumoxide's message
        detail: String,
    },
    /// Shutdown interrupted the action.
    #[error("cancelled by shutdown")]
    Cancelled,
}

/// How to launch.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// the Chromium binary
    pub executable: PathBuf,
    /// parent of the per-application profile directories
    pub profile_root: PathBuf,
    /// names the profile directory (the application id)
    pub label: String,
    /// the user agent stored with the session
    pub user_agent: Option<String>,
    /// headless (refused against LinkedIn)
    pub headless: bool,
    /// the target is LinkedIn (headful only, HTTPS errors respected)
    pub targets_linkedin: bool,
    /// timeout of one DevTools command
    pub command_timeout: Duration,
}

/// Checks that headful Chromium has somewhere to draw (`DISPLAY`, and for a local
/// display its X socket).
pub fn check_display() -> Result<(), BrowserError> {
    check_display_value(
        std::env::var("DISPLAY").ok().as_deref(),
        Path::new("/tmp/.X11-unix"),
    )
}

fn check_display_value(display: Option<&str>, x11_dir: &Path) -> Result<(), BrowserError> {
    let display = display.unwrap_or_default().trim();
    if display.is_empty() {
        return Err(BrowserError::NoDisplay("not set".into()));
    }
    // ":99" or ":99.0" is a local X server: its socket must exist
    if let Some(num) = display.strip_prefix(':') {
        let num = num.split('.').next().unwrap_or_default();
        if !x11_dir.join(format!("X{num}")).exists() {
            return Err(BrowserError::NoDisplay(format!(
                "{display} but no X server listens there"
            )));
        }
    }
    Ok(())
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions
    unsafe { libc::geteuid() == 0 }
}

/// One launched browser with one page: everything of one application.
pub struct BrowserSession {
    browser: Browser,
    page: Page,
    handler: Option<tokio::task::JoinHandle<()>>,
    guard: LaunchGuard,
    timeout: Duration,
}

impl std::fmt::Debug for BrowserSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserSession")
            .field("pid", &self.guard.pid)
            .finish_non_exhaustive()
    }
}

/// How a guarded DevTools wait ended without an answer.
enum Ended {
    /// The browser went away.
    Crashed(BrowserError),
    /// The command timeout passed with the browser still running.
    TimedOut,
}

impl Ended {
    fn into_error(self, action: String, timeout: Duration) -> BrowserError {
        match self {
            Self::Crashed(e) => e,
            Self::TimedOut => BrowserError::Timeout {
                action,
                after_ms: timeout.as_millis() as u64,
            },
        }
    }
}

fn cdp_error(action: &'static str, e: &chromiumoxide::error::CdpError) -> BrowserError {
    use chromiumoxide::error::CdpError;
    match e {
        CdpError::Ws(_)
        | CdpError::ChannelSendError(_)
        | CdpError::NoResponse
        | CdpError::Io(_) => BrowserError::Crashed { action },
        CdpError::Timeout => BrowserError::Timeout {
            action: action.into(),
            after_ms: 0,
        },
        // Chrome's own error text names the problem ("No node with given id"); the
        // other variants' text may quote a raw message, so only their kind is kept
        CdpError::ChromeMessage(message) => BrowserError::Cdp {
            action,
            detail: message.chars().take(200).collect(),
        },
        other => BrowserError::Cdp {
            action,
            detail: error_kind(other).into(),
        },
    }
}

fn error_kind(e: &chromiumoxide::error::CdpError) -> &'static str {
    use chromiumoxide::error::CdpError;
    match e {
        CdpError::Ws(_) => "websocket error",
        CdpError::Io(_) => "i/o error",
        CdpError::Serde(_) => "unexpected DevTools message",
        CdpError::Chrome(_) => "Chrome reported an error",
        CdpError::NoResponse => "no response",
        CdpError::ChannelSendError(_) => "the connection is closed",
        CdpError::Timeout => "timed out",
        CdpError::FrameNotFound(_) => "frame not found",
        CdpError::ChromeMessage(_) => "Chrome message",
        CdpError::DecodeError(_) => "decode error",
        CdpError::ScrollingFailed(_) => "scrolling failed",
        CdpError::NotFound => "not found",
        CdpError::JavascriptException(_) => "JavaScript exception",
        CdpError::Url(_) => "bad URL",
        CdpError::InvalidMessage(..) => "invalid DevTools message",
        _ => "DevTools error",
    }
}

impl BrowserSession {
    /// Launches Chromium for one application. On any error the processes and the
    /// profile directory of this launch are gone before this returns.
    pub async fn launch(options: &LaunchOptions) -> Result<Self, BrowserError> {
        if options.headless && options.targets_linkedin {
            return Err(BrowserError::HeadlessRefused);
        }
        if !options.headless {
            check_display()?;
        }
        if !options.executable.is_file() {
            return Err(BrowserError::BinaryMissing(options.executable.clone()));
        }
        let suffix: u32 = rand::rng().random();
        // the owner's pid in the name lets a later daemon sweep what a crash left
        let profile = options.profile_root.join(format!(
            "{}-w{}-{suffix:08x}",
            options.label,
            std::process::id()
        ));
        create_private_dir(&options.profile_root).map_err(BrowserError::Profile)?;
        create_private_dir(&profile).map_err(BrowserError::Profile)?;
        let mut guard = LaunchGuard::new(profile.clone());

        // chromiumoxide adds the leading "--" itself: bare names only
        let mut builder = BrowserConfig::builder()
            .chrome_executable(&options.executable)
            .user_data_dir(&profile)
            .window_size(1280, 900)
            .viewport(None)
            .launch_timeout(Duration::from_secs(30))
            .request_timeout(options.command_timeout)
            .args([
                "no-first-run",
                "no-default-browser-check",
                "disable-sync",
                "disable-component-update",
                "disable-quic",
                "disable-dev-shm-usage",
                "password-store=basic",
                "disable-features=Translate,MediaRouter,OptimizationHints",
            ]);
        if let Some(ua) = options.user_agent.as_deref() {
            builder = builder.arg(("user-agent", ua));
        }
        if !options.headless {
            builder = builder.with_head();
        }
        if is_root() {
            builder = builder.no_sandbox();
        }
        if options.targets_linkedin {
            builder = builder.respect_https_errors();
        }
        let config = builder.build().map_err(BrowserError::Launch)?;
        let (mut browser, mut handler) = Browser::launch(config)
            .await
            .map_err(|e| BrowserError::Launch(e.to_string().chars().take(300).collect()))?;
        guard.pid = browser.get_mut_child().and_then(|c| c.as_mut_inner().id());
        let handler = tokio::spawn(
            async move {
                // keep polling until the connection ends: one bad message must not
                // stop the browser's event loop
                while let Some(event) = handler.next().await {
                    if let Err(e) = event {
                        // the error's text can quote a raw DevTools message (cookies): kind only
                        tracing::debug!(kind = error_kind(&e), "devtools handler event error");
                    }
                }
            }
            .instrument(tracing::debug_span!("browser_handler")),
        );
        let page =
            match tokio::time::timeout(options.command_timeout, browser.new_page("about:blank"))
                .await
            {
                Ok(Ok(page)) => page,
                Ok(Err(e)) => return Err(cdp_error("open a page", &e)),
                Err(_) => {
                    return Err(BrowserError::Timeout {
                        action: "open a page".into(),
                        after_ms: options.command_timeout.as_millis() as u64,
                    });
                }
            };
        Ok(Self {
            browser,
            page,
            handler: Some(handler),
            guard,
            timeout: options.command_timeout,
        })
    }

    /// The browser's process id.
    pub fn pid(&self) -> Option<u32> {
        self.guard.pid
    }

    /// The profile directory of this launch.
    pub fn profile_dir(&self) -> &Path {
        &self.guard.profile
    }

    /// Whether the browser process is still running (not gone, not a zombie).
    fn alive(&self) -> bool {
        self.guard.pid.is_none_or(teardown::running)
    }

    /// Awaits `fut` for at most the command timeout, and fails fast (as a crash)
    /// when the browser process goes away meanwhile: a killed browser can leave a
    /// DevTools request unanswered, and that must read as a crash, not a timeout.
    async fn guarded<T>(
        &self,
        action: &'static str,
        fut: impl Future<Output = T>,
    ) -> Result<T, Ended> {
        let died = async {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                if !self.alive() {
                    return;
                }
            }
        };
        tokio::select! {
            result = tokio::time::timeout(self.timeout, fut) => match result {
                Ok(v) => Ok(v),
                Err(_) if self.handler.as_ref().is_some_and(|h| h.is_finished()) || !self.alive() => {
                    Err(Ended::Crashed(BrowserError::Crashed { action }))
                }
                Err(_) => Err(Ended::TimedOut),
            },
            () = died => Err(Ended::Crashed(BrowserError::Crashed { action })),
        }
    }

    /// Runs one DevTools command through [`guarded`](Self::guarded).
    async fn timed<T>(
        &self,
        action: &'static str,
        fut: impl Future<Output = Result<T, chromiumoxide::error::CdpError>>,
    ) -> Result<T, BrowserError> {
        match self.guarded(action, fut).await {
            Ok(Ok(v)) => Ok(v),
            // any failure of a browser that has gone away is its crash
            Ok(Err(_)) if !self.alive() => Err(BrowserError::Crashed { action }),
            Ok(Err(e)) => Err(cdp_error(action, &e)),
            Err(ended) => Err(ended.into_error(action.to_owned(), self.timeout)),
        }
    }

    /// Injects the session's cookies, before any navigation. When `origin` is not
    /// the cookies' own site (a replica), they are set host-only on `origin`. The
    /// values are copied into the DevTools message and dropped right after.
    pub async fn set_cookies(
        &self,
        session: &Session,
        origin: &url::Url,
        rewrite_domain: bool,
    ) -> Result<(), BrowserError> {
        let params: Vec<CookieParam> = session
            .cookies
            .iter()
            .map(|c| {
                let mut p = CookieParam::new(c.name.clone(), c.value.as_str());
                p.path = Some(c.path.clone());
                p.http_only = Some(c.http_only);
                if rewrite_domain {
                    p.url = Some(origin.as_str().to_owned());
                    p.secure = Some(origin.scheme() == "https" && c.secure);
                } else {
                    p.domain = Some(c.domain.clone());
                    p.secure = Some(c.secure);
                    p.same_site = match c.same_site {
                        SameSite::None => Some(CookieSameSite::None),
                        SameSite::Lax => Some(CookieSameSite::Lax),
                        SameSite::Strict => Some(CookieSameSite::Strict),
                        SameSite::Unspecified => None,
                    };
                }
                p.expires = c.expires.map(TimeSinceEpoch::new);
                p
            })
            .collect();
        // `params` (with the values) is consumed by the command and dropped with it
        self.timed("inject cookies", self.browser.set_cookies(params))
            .await
            .map(drop)
    }

    /// Opens `url` and waits for its load event.
    pub async fn goto(&self, url: &str, cancel: &CancellationToken) -> Result<(), BrowserError> {
        // subscribe before navigating, or the event can be missed
        let mut loaded = self
            .timed(
                "subscribe to page loads",
                self.page.event_listener::<EventLoadEventFired>(),
            )
            .await?;
        // a plain Page.navigate (answered when the navigation commits), raced against
        // shutdown; the load event is then awaited here, also cancellable
        let navigate = NavigateParams::new(url);
        tracing::debug!("navigating");
        let answer = tokio::select! {
            answer = self.timed("navigate", self.page.execute(navigate)) => answer?,
            () = cancel.cancelled() => return Err(BrowserError::Cancelled),
        };
        if let Some(error) = answer.result.error_text.as_deref() {
            return Err(BrowserError::Cdp {
                action: "navigate",
                detail: error.chars().take(200).collect(),
            });
        }
        tokio::select! {
            loaded = self.guarded("page load", loaded.next()) => match loaded {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(BrowserError::Crashed { action: "page load" }),
                Err(ended) => Err(ended.into_error("page load".into(), self.timeout)),
            },
            () = cancel.cancelled() => Err(BrowserError::Cancelled),
        }
    }

    /// The page's URL.
    pub async fn url(&self) -> Result<String, BrowserError> {
        Ok(self
            .timed("read the URL", self.page.url())
            .await?
            .unwrap_or_default())
    }

    /// One look at the page through the site's selectors.
    pub async fn observe(&self, spec_json: &str) -> Result<Observation, BrowserError> {
        let expression = format!("({OBSERVE_JS})({spec_json})");
        let params = EvaluateParams::builder()
            .expression(expression)
            .return_by_value(true)
            .build()
            .map_err(|e| BrowserError::Cdp {
                action: "observe",
                detail: e,
            })?;
        let result = self
            .timed("observe the page", self.page.evaluate_expression(params))
            .await?;
        result
            .into_value::<Observation>()
            .map_err(|e| BrowserError::Cdp {
                action: "observe",
                // serde's message could quote a field value: position only
                detail: format!(
                    "unexpected observation (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            })
    }

    /// Polls [`observe`](Self::observe) until `ready` holds or `timeout` passes. An
    /// explicit wait, not a sleep: it returns as soon as the page is ready.
    pub async fn wait_for(
        &self,
        spec_json: &str,
        what: &str,
        timeout: Duration,
        cancel: &CancellationToken,
        ready: impl Fn(&Observation) -> bool,
    ) -> Result<Observation, BrowserError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut tick = tokio::time::interval(Duration::from_millis(150));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_error = None;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = cancel.cancelled() => return Err(BrowserError::Cancelled),
            }
            match self.observe(spec_json).await {
                Ok(obs) if ready(&obs) => return Ok(obs),
                Ok(_) => {}
                // a navigation in progress destroys the JS context: look again
                Err(BrowserError::Cdp { detail, .. }) => last_error = Some(detail),
                Err(e) => return Err(e),
            }
            if tokio::time::Instant::now() >= deadline {
                if let Some(detail) = last_error {
                    tracing::debug!(detail, "last observation error before the timeout");
                }
                return Err(BrowserError::Timeout {
                    action: format!("waiting for {what}"),
                    after_ms: timeout.as_millis() as u64,
                });
            }
        }
    }

    async fn element(&self, target: Target) -> Result<chromiumoxide::Element, BrowserError> {
        match self
            .guarded("find an element", self.page.find_element(target.css()))
            .await
        {
            Ok(Ok(el)) => Ok(el),
            Ok(Err(_)) if !self.alive() => Err(BrowserError::Crashed {
                action: "find an element",
            }),
            Ok(Err(_)) => Err(BrowserError::ElementMissing {
                target: target.css(),
            }),
            Err(ended) => Err(ended.into_error(format!("finding {}", target.css()), self.timeout)),
        }
    }

    /// Moves the mouse to a random point inside the element and clicks there.
    pub async fn click(&self, target: Target) -> Result<(), BrowserError> {
        let el = self.element(target).await?;
        self.timed("scroll to the element", el.scroll_into_view())
            .await?;
        let bounds = self.timed("measure the element", el.bounding_box()).await?;
        let center = self
            .timed("find a clickable point", el.clickable_point())
            .await?;
        let (dx, dy) = {
            let mut rng = rand::rng();
            let jx = if bounds.width.is_finite() {
                (bounds.width / 5.0).clamp(0.0, 12.0)
            } else {
                0.0
            };
            let jy = if bounds.height.is_finite() {
                (bounds.height / 5.0).clamp(0.0, 6.0)
            } else {
                0.0
            };
            (rng.random_range(-jx..=jx), rng.random_range(-jy..=jy))
        };
        let point = Point::new(center.x + dx, center.y + dy);
        self.timed("move the mouse", self.page.move_mouse(point))
            .await?;
        self.timed("click", self.page.click(point)).await?;
        Ok(())
    }

    /// Clicks into a text field, replaces its content and types `text` key by key
    /// with human delays.
    pub async fn type_text(
        &self,
        target: Target,
        text: &str,
        pacing: &Pacing,
        cancel: &CancellationToken,
    ) -> Result<(), BrowserError> {
        self.click(target).await?;
        let el = self.element(target).await?;
        // select what is there, so typing replaces it
        self.timed(
            "select the field's text",
            el.call_js_fn("function() { if (this.select) { this.select(); } }", false),
        )
        .await?;
        let mut chars = text.chars().peekable();
        if chars.peek().is_none() {
            self.timed(
                "clear the field",
                el.call_js_fn(
                    "function() { this.value = ''; this.dispatchEvent(new Event('input', {bubbles: true})); }",
                    false,
                ),
            )
            .await?;
        }
        let mut buf = [0u8; 4];
        for ch in chars {
            pacing
                .pause(Wait::Keystroke, cancel)
                .await
                .map_err(|_| BrowserError::Cancelled)?;
            let key: &str = ch.encode_utf8(&mut buf);
            self.timed("type", self.page.execute(InsertTextParams::new(key)))
                .await?;
        }
        self.timed(
            "commit the field",
            el.call_js_fn(
                "function() { this.dispatchEvent(new Event('change', {bubbles: true})); }",
                false,
            ),
        )
        .await?;
        Ok(())
    }

    /// Chooses the option whose text is `option` in a drop-down, with the input and
    /// change events a person's choice fires. False when no such option exists.
    pub async fn select_option(&self, target: Target, option: &str) -> Result<bool, BrowserError> {
        self.click(target).await?;
        let el = self.element(target).await?;
        let arg = serde_json::to_string(option).unwrap_or_default();
        let js = format!(
            "function() {{ var want = {arg}.replace(/\\s+/g, ' ').trim().toLowerCase();
               var opts = Array.prototype.slice.call(this.options);
               var o = opts.find(function (x) {{ return x.text.replace(/\\s+/g, ' ').trim().toLowerCase() === want; }});
               if (!o) {{ return false; }}
               this.value = o.value; o.selected = true;
               this.dispatchEvent(new Event('input', {{bubbles: true}}));
               this.dispatchEvent(new Event('change', {{bubbles: true}}));
               this.blur();
               return true; }}"
        );
        let result = self
            .timed("choose an option", el.call_js_fn(js, false))
            .await?;
        Ok(result
            .result
            .value
            .and_then(|v| v.as_bool())
            .unwrap_or(false))
    }

    /// Sets the files of a file input (the résumé).
    pub async fn upload(&self, target: Target, file: &Path) -> Result<(), BrowserError> {
        let el = self.element(target).await?;
        let params = SetFileInputFilesParams::builder()
            .files(vec![file.display().to_string()])
            .backend_node_id(el.backend_node_id)
            .build()
            .map_err(|e| BrowserError::Cdp {
                action: "upload",
                detail: e,
            })?;
        self.timed("upload the file", self.page.execute(params))
            .await
            .map(drop)
    }

    /// The element's rectangle in screenshot pixels.
    pub async fn rect(&self, target: Target) -> Option<Rect> {
        let el = self.element(target).await.ok()?;
        // call_js_fn returns objects by reference: the rectangle comes back as JSON text
        let js = "function() { var r = this.getBoundingClientRect(); var d = window.devicePixelRatio || 1;
                   return JSON.stringify([r.left * d, r.top * d, r.width * d, r.height * d]); }";
        let value = self
            .timed("measure", el.call_js_fn(js, false))
            .await
            .ok()?
            .result
            .value?;
        let v: Vec<f64> = serde_json::from_str(value.as_str()?).ok()?;
        (v.len() == 4).then(|| Rect {
            x: v[0],
            y: v[1],
            width: v[2],
            height: v[3],
        })
    }

    /// The page's HTML as it is now (an operator saves it for `selectors check`).
    pub async fn html(&self) -> Result<String, BrowserError> {
        self.timed("read the page", self.page.content()).await
    }

    /// A PNG of what the page shows now.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        let params = CaptureScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .build();
        self.timed("take a screenshot", self.page.screenshot(params))
            .await
    }

    /// Closes the browser: politely, then by force; then kills anything of this
    /// launch still in the process table and deletes the profile directory.
    /// Returns how many leftover processes had to be killed.
    pub async fn teardown(mut self) -> usize {
        tracing::debug!("teardown: closing the browser");
        let polite = tokio::time::timeout(Duration::from_secs(5), self.browser.close()).await;
        let exited = matches!(polite, Ok(Ok(_)))
            && matches!(
                tokio::time::timeout(Duration::from_secs(5), self.browser.wait()).await,
                Ok(Ok(_))
            );
        if !exited {
            let _ = tokio::time::timeout(Duration::from_secs(5), self.browser.kill()).await;
        }
        tracing::debug!(exited, "teardown: browser closed");
        if let Some(handler) = self.handler.take() {
            // the handler ends with the connection; give it a moment, then stop it
            let abort = handler.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), handler)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        let killed = teardown::kill_all(&self.guard.profile, self.guard.pid);
        if !teardown::wait_gone(&self.guard.profile, self.guard.pid, Duration::from_secs(5)).await {
            tracing::warn!("browser processes still running 5 s after SIGKILL");
        }
        if let Err(e) = teardown::remove_profile(&self.guard.profile) {
            tracing::warn!(error = %e, "browser profile directory could not be deleted");
        } else {
            self.guard.disarm();
        }
        killed
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// The site spec as the JSON `observe.js` takes.
pub fn spec_json(spec: &SiteSpec) -> String {
    serde_json::to_string(spec).expect("a site spec serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_display_is_a_clear_error() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        let err = check_display_value(None, &dir).unwrap_err().to_string();
        assert_eq!(
            err,
            "no display: DISPLAY is not set; the browser runs headful: run under Xvfb (see systemd/autoapply-xvfb.service) or `xvfb-run -a`"
        );
        let err = check_display_value(Some(":4242"), &dir)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("no display: DISPLAY is :4242 but no X server listens there"),
            "{err}"
        );
        assert!(
            check_display_value(Some("remote-host:0"), &dir).is_ok(),
            "a remote display is not checked"
        );
    }

    #[test]
    fn targets_are_tags_observe_js_writes() {
        assert_eq!(Target::Field(3).css(), "[data-autoapply='field-3']");
        assert_eq!(
            Target::FieldOption(3, 1).css(),
            "[data-autoapply='field-3-opt-1']"
        );
        assert!(OBSERVE_JS.contains("'field-' + handle + '-opt-' + k"));
        assert!(OBSERVE_JS.contains("tag(el, b[0])"));
    }
}
