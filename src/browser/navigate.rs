//! Cookies, navigation and observation: the page is read through `observe.js`,
//! and every wait is for an observed condition, bounded by a timeout.

use std::time::Duration;

use chromiumoxide_cdp::cdp::browser_protocol::{
    network::{CookieParam, CookieSameSite, SetCookiesParams, TimeSinceEpoch},
    page::{EventLoadEventFired, NavigateParams},
    target::GetTargetInfoParams,
};
use tokio_util::sync::CancellationToken;

use super::{
    BrowserError, LaunchedBrowser, OBSERVE_JS, SETTLE_JS, SNAPSHOT_JS, error::cdp_error,
    world::Evaluated,
};
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
        // `params` (with the values) is consumed by the command and dropped with it;
        // the message's bytes are wiped once written
        self.timed(
            "inject cookies",
            self.tab.call(SetCookiesParams::new(params)),
        )
        .await
        .map(drop)
    }

    /// Opens `url` and waits for its load event.
    pub async fn goto(&self, url: &str, cancel: &CancellationToken) -> Result<(), BrowserError> {
        self.acting()?;
        // subscribe before navigating, or the event can be missed
        let mut events = self.conn.subscribe();
        // a plain Page.navigate (answered when the navigation commits), raced against
        // shutdown; the load event is then awaited here, also cancellable
        let navigate = NavigateParams::new(url);
        tracing::debug!("navigating");
        let answer = tokio::select! {
            answer = self.timed("navigate", self.tab.call(navigate)) => answer?,
            () = cancel.cancelled() => return Err(BrowserError::Cancelled),
        };
        if let Some(error) = answer.error_text.as_deref() {
            return Err(BrowserError::Cdp {
                action: "navigate",
                detail: error.chars().take(200).collect(),
            });
        }
        // a new document: a new world for it
        self.world.forget();
        let session = self.tab.id().to_owned();
        let loaded = async move {
            loop {
                match events.recv().await {
                    Ok(event)
                        if event.method == EventLoadEventFired::IDENTIFIER
                            && event.session.as_deref() == Some(session.as_str()) =>
                    {
                        return true;
                    }
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return false,
                }
            }
        };
        tokio::select! {
            loaded = self.guarded("page load", loaded) => match loaded {
                Ok(true) => Ok(()),
                Ok(false) => Err(BrowserError::Crashed { action: "page load" }),
                Err(ended) => Err(ended.into_error("page load".into(), self.timeout)),
            },
            () = cancel.cancelled() => Err(BrowserError::Cancelled),
        }
    }

    /// The page's URL.
    pub async fn url(&self) -> Result<String, BrowserError> {
        let info = self
            .timed(
                "read the URL",
                self.conn.call(
                    GetTargetInfoParams::builder()
                        .target_id(self.world.frame().to_owned())
                        .build(),
                ),
            )
            .await?;
        Ok(info.target_info.url)
    }

    /// One look at the page through the site's selectors.
    pub async fn observe(&self, spec_json: &str) -> Result<Observation, BrowserError> {
        self.look(format!("({OBSERVE_JS})({spec_json})"), false)
            .await
    }

    /// Looks at the page until `ready` holds or `timeout` passes: at once, then each
    /// time the page changed (`settle.js`: a DOM mutation and a frame, or 100, 250,
    /// then 500 ms without one), the change and the look in one round trip. Looks come
    /// no closer than 25, 50, 100, then 200 ms apart, so a page that never stops
    /// changing is read at most five times a second.
    pub async fn wait_for(
        &self,
        spec_json: &str,
        what: &str,
        timeout: Duration,
        cancel: &CancellationToken,
        ready: impl Fn(&Observation) -> bool,
    ) -> Result<Observation, BrowserError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut last_error = None;
        let mut look = self.observe(spec_json).await;
        let mut relook = 0u32;
        loop {
            // after a failed look the next one is plain: the new page may not change
            let failed = match look {
                Ok(obs) if ready(&obs) => return Ok(obs),
                Ok(_) => false,
                // a navigation in progress destroys the JS context: look again shortly
                Err(BrowserError::Cdp { detail, .. }) => {
                    last_error = Some(detail);
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(50)) => {}
                        () = cancel.cancelled() => return Err(BrowserError::Cancelled),
                    }
                    true
                }
                Err(e) => return Err(e),
            };
            let now = tokio::time::Instant::now();
            if now >= deadline {
                if let Some(detail) = last_error {
                    tracing::debug!(detail, "last observation error before the timeout");
                }
                return Err(BrowserError::Timeout {
                    action: format!("waiting for {what}"),
                    after_ms: timeout.as_millis() as u64,
                });
            }
            // a change between the last look and the watch's start is not seen: the
            // first watches are short, so such a miss costs little
            let quiet = (deadline - now).min(Duration::from_millis(
                [100, 250, 500][relook.min(2) as usize],
            ));
            let gap = Duration::from_millis(25 << relook.min(3));
            relook = relook.saturating_add(1);
            look = tokio::select! {
                look = self.observe_after_change(spec_json, quiet, gap), if !failed => look,
                look = self.observe(spec_json), if failed => look,
                () = cancel.cancelled() => return Err(BrowserError::Cancelled),
            };
        }
    }

    /// One look at the page once it changed (or `quiet` passed), `gap` at the soonest.
    async fn observe_after_change(
        &self,
        spec_json: &str,
        quiet: Duration,
        gap: Duration,
    ) -> Result<Observation, BrowserError> {
        let expression = format!(
            "({SETTLE_JS})({}, {}).then(function () {{ return ({OBSERVE_JS})({spec_json}); }})",
            quiet.as_millis(),
            gap.as_millis()
        );
        self.look(expression, true).await
    }

    /// Evaluates an expression that gives an observation (`await_promise`: through
    /// a promise).
    async fn look(
        &self,
        expression: String,
        await_promise: bool,
    ) -> Result<Observation, BrowserError> {
        let value = self
            .evaluate("observe the page", &expression, await_promise)
            .await?;
        self.mark_targets().await?;
        serde_json::from_value::<Observation>(value).map_err(|e| BrowserError::Cdp {
            action: "observe",
            // serde's message could quote a field value: position only
            detail: format!(
                "unexpected observation (line {}, column {})",
                e.line(),
                e.column()
            ),
        })
    }

    /// A sanitized copy of the page as it is now (`snapshot.js`): shadow roots
    /// inlined; scripts, input values and checked states left out.
    pub async fn dom_snapshot(&self) -> Result<String, BrowserError> {
        match self
            .evaluate("snapshot the page", SNAPSHOT_JS, false)
            .await?
        {
            serde_json::Value::String(html) => Ok(html),
            _ => Err(BrowserError::Cdp {
                action: "snapshot the page",
                detail: "the page gave no snapshot".into(),
            }),
        }
    }

    /// Evaluates `expression` in our isolated world, its value returned by value;
    /// with `await_promise`, a promise, and what it resolves to.
    pub(super) async fn evaluate(
        &self,
        action: &'static str,
        expression: &str,
        await_promise: bool,
    ) -> Result<serde_json::Value, BrowserError> {
        let evaluated = self
            .timed(action, self.world.evaluate(expression, await_promise, true))
            .await?;
        match evaluated {
            Evaluated::Value(returned) => Ok(returned.value.unwrap_or_default()),
            Evaluated::Threw(message) => Err(BrowserError::Cdp {
                action,
                detail: format!("script error: {message}"),
            }),
        }
    }

    /// The page's HTML as it is now (an operator saves it for `selectors check`).
    pub async fn html(&self) -> Result<String, BrowserError> {
        const HTML_JS: &str = "(function () { var d = document.doctype; return (d ? '<!DOCTYPE ' + d.name + '>' : '') + document.documentElement.outerHTML; })()";
        match self.evaluate("read the page", HTML_JS, false).await? {
            serde_json::Value::String(html) => Ok(html),
            _ => Err(cdp_error(
                "read the page",
                &super::cdp::CdpError::Decode("no HTML".into()),
            )),
        }
    }
}
