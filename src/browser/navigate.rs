//! Cookies, navigation and observation: the page is read through `observe.js`,
//! and every wait is for an observed condition, bounded by a timeout.

use std::time::Duration;

use chromiumoxide::cdp::{
    browser_protocol::{
        network::{CookieParam, CookieSameSite, TimeSinceEpoch},
        page::{EventLoadEventFired, NavigateParams},
    },
    js_protocol::runtime::EvaluateParams,
};
use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;

use super::{BrowserError, LaunchedBrowser, OBSERVE_JS, SNAPSHOT_JS};
use crate::{
    page::Observation,
    session::{SameSite, Session},
};

impl LaunchedBrowser {
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
        self.evaluate("observe the page", format!("({OBSERVE_JS})({spec_json})"))
            .await?
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

    /// A sanitized copy of the page as it is now (`snapshot.js`): shadow roots
    /// inlined; scripts, input values and checked states left out.
    pub async fn dom_snapshot(&self) -> Result<String, BrowserError> {
        self.evaluate("snapshot the page", SNAPSHOT_JS.to_owned())
            .await?
            .into_value::<String>()
            .map_err(|_| BrowserError::Cdp {
                action: "snapshot the page",
                detail: "the page gave no snapshot".into(),
            })
    }

    /// Evaluates `expression` in the page, its value returned by value.
    async fn evaluate(
        &self,
        action: &'static str,
        expression: String,
    ) -> Result<chromiumoxide::js::EvaluationResult, BrowserError> {
        let params = EvaluateParams::builder()
            .expression(expression)
            .return_by_value(true)
            .build()
            .map_err(|detail| BrowserError::Cdp { action, detail })?;
        self.timed(action, self.page.evaluate_expression(params))
            .await
    }

    /// The page's HTML as it is now (an operator saves it for `selectors check`).
    pub async fn html(&self) -> Result<String, BrowserError> {
        self.timed("read the page", self.page.content()).await
    }
}
