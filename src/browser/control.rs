//! The sensor's positive control: the browser driven the old way, with every tell
//! of issue 33 on purpose, so that a test (and `autoapply browser check`) can show
//! that the sensor catches each one. What makes the control differ from the worker
//! is here and in the switches on [`Mode::Control`]: the automation flag
//! (`process.rs`), the Runtime domain (`launch.rs`), scripts in the page's own
//! world (`world.rs`), and here the old input: text inserted without key presses,
//! lists set from script, one-move clicks (`pointer.rs`). A control
//! launch is refused against LinkedIn.

use chromiumoxide_cdp::cdp::browser_protocol::input::InsertTextParams;
use tokio_util::sync::CancellationToken;

use super::{BrowserError, LaunchedBrowser, Mode, Target};
use crate::pacing::{Pacing, Wait};

/// The attribute the control writes on each element it may act on, as tools that
/// tag the page do.
pub const CONTROL_MARK: &str = "data-control-mark";

impl LaunchedBrowser {
    /// After a look, the control tags what it found in the page's DOM.
    pub(super) async fn mark_targets(&self) -> Result<(), BrowserError> {
        if self.conn.mode() != Mode::Control {
            return Ok(());
        }
        let js = format!(
            "(function () {{ var t = globalThis.__targets || {{}}; Object.keys(t).forEach(function (k) {{ t[k].setAttribute('{CONTROL_MARK}', k); }}); return true; }})()"
        );
        self.evaluate("mark the page", &js, false).await.map(drop)
    }
}

/// The control types the old way: one click, the field emptied from script
/// (`value = ''` and a synthetic `input`), text inserted without key presses, and a
/// synthetic `change` to commit it.
pub(super) async fn type_from_script(
    browser: &LaunchedBrowser,
    target: Target,
    text: &str,
    pacing: &Pacing,
    cancel: &CancellationToken,
) -> Result<(), BrowserError> {
    let el = browser.click_node(target).await?;
    browser
        .call_on(
            &el,
            "clear the field",
            "function() { this.value = ''; this.dispatchEvent(new Event('input', {bubbles: true})); }",
        )
        .await?;
    let mut buf = [0u8; 4];
    for ch in text.chars() {
        pacing
            .pause(Wait::Keystroke, cancel)
            .await
            .map_err(|_| BrowserError::Cancelled)?;
        let text: &str = ch.encode_utf8(&mut buf);
        browser
            .timed("type", browser.tab.call(InsertTextParams::new(text)))
            .await?;
    }
    browser
        .call_on(
            &el,
            "commit the field",
            "function() { this.dispatchEvent(new Event('change', {bubbles: true})); }",
        )
        .await
        .map(drop)
}

/// The control sets a list's value from script and dispatches `input` and `change`
/// itself (untrusted events), after one click on it.
pub(super) async fn select_from_script(
    browser: &LaunchedBrowser,
    target: Target,
    option: &str,
) -> Result<bool, BrowserError> {
    let el = browser.click_node(target).await?;
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
    let result = browser.call_on(&el, "choose an option", &js).await?;
    Ok(result.and_then(|v| v.as_bool()).unwrap_or(false))
}
