//! The sensor's positive control: the browser driven the old way, with every tell
//! of issue 33 on purpose, so that a test (and `autoapply browser check`) can show
//! that the sensor catches each one. What makes the control differ from the worker
//! is here and in three switches on [`Mode::Control`]: the automation flag
//! (`process.rs`), the Runtime domain (`launch.rs`), scripts in the page's own
//! world (`world.rs`), text inserted without key presses (`input.rs`). A control
//! launch is refused against LinkedIn.

use chromiumoxide_cdp::cdp::js_protocol::runtime::{CallFunctionOnParams, RemoteObjectId};

use super::{BrowserError, LaunchedBrowser, Mode, Target};

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

/// The control empties a field from script (`value = ''` and a synthetic `input`).
pub(super) async fn clear_from_script(
    browser: &LaunchedBrowser,
    object_id: &RemoteObjectId,
) -> Result<(), BrowserError> {
    let params = CallFunctionOnParams::builder()
        .function_declaration(
            "function() { this.value = ''; this.dispatchEvent(new Event('input', {bubbles: true})); }",
        )
        .object_id(object_id.clone())
        .build()
        .map_err(|detail| BrowserError::Cdp {
            action: "clear the field",
            detail,
        })?;
    browser
        .timed("clear the field", browser.tab.call(params))
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
