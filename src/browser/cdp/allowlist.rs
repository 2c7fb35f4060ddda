//! Every DevTools method the worker may send, and the rules on their parameters.
//! The connection checks each message here before it is written: a method not on
//! the list never reaches the browser, whatever code asked for it.
//!
//! Left off on purpose, because a page can tell (see ARCHITECTURE.md, "The page
//! never sees us"): `Runtime.enable` (console serialisation reads an argument's
//! getters twice), `Console.enable`, `Log.enable`, `Runtime.addBinding` (a global in
//! the page), `Page.addScriptToEvaluateOnNewDocument` (code in the page's world),
//! `Page.setBypassCSP`, `Input.insertText` (text without key presses), and
//! `Runtime.evaluate` without an execution context (the page's own world).

use serde_json::Value;

/// Which browser a connection drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The worker: the allowlist below, scripts in an isolated world only.
    Person,
    /// The sensor's positive control (`autoapply browser check`, the tests): the
    /// old way, with the tells on purpose. Never against LinkedIn.
    Control,
}

/// The methods the worker sends, each for one reason.
const ALLOWED: &[&str] = &[
    // the browser: its version for `browser check`, closed at teardown
    "Browser.getVersion",
    "Browser.close",
    // the one page: opened, attached (flat session), its URL, closed before the browser
    "Target.createTarget",
    "Target.attachToTarget",
    "Target.getTargetInfo",
    "Target.closeTarget",
    // one identity: the stored user agent, its client hints, the user's language
    "Emulation.setUserAgentOverride",
    "Emulation.setLocaleOverride",
    // … in the page's workers and cross-site frames too: each held at its start
    // until it has that identity, then let go (`children.rs`)
    "Target.setAutoAttach",
    "Runtime.runIfWaitingForDebugger",
    // page events (load, navigation) and navigation; no script of ours on new documents
    "Page.enable",
    "Page.navigate",
    // our own world for each document: shares the DOM, not the page's globals
    "Page.createIsolatedWorld",
    "Page.captureScreenshot",
    // scripts, in that world only (checked below)
    "Runtime.evaluate",
    "Runtime.callFunctionOn",
    "Runtime.releaseObjectGroup",
    // where an element is, by the world's object handle; files of a file input
    "DOM.scrollIntoViewIfNeeded",
    "DOM.getContentQuads",
    "DOM.setFileInputFiles",
    // input as a person makes it
    "Input.dispatchMouseEvent",
    "Input.dispatchKeyEvent",
    // the session's cookies, before the first navigation
    "Network.setCookies",
];

/// What only the positive control sends: the tells the sensor must catch.
const CONTROL_ONLY: &[&str] = &["Runtime.enable", "Input.insertText"];

/// Why `method` with `params` may not be sent by a connection in `mode`; `None`
/// when it may.
pub fn refusal(mode: Mode, method: &str, params: &Value) -> Option<String> {
    let control = mode == Mode::Control;
    let listed = ALLOWED.contains(&method) || (control && CONTROL_ONLY.contains(&method));
    if !listed {
        return Some(format!("{method} is not on the worker's list"));
    }
    let has = |key: &str| params.get(key).is_some_and(|v| !v.is_null());
    match method {
        // without a context id an evaluation runs in the page's own world
        "Runtime.evaluate" if !control && !has("contextId") => {
            Some("Runtime.evaluate must name the isolated world's context".into())
        }
        "Runtime.callFunctionOn" if !has("objectId") && !has("executionContextId") => {
            Some("Runtime.callFunctionOn must name an object or a context".into())
        }
        "Page.createIsolatedWorld"
            if params.get("grantUniveralAccess").and_then(Value::as_bool) == Some(true) =>
        {
            Some("an isolated world never gets universal access".into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn what_a_page_could_tell_is_never_sent() {
        for method in [
            "Runtime.enable",
            "Console.enable",
            "Log.enable",
            "Runtime.addBinding",
            "Page.setBypassCSP",
            "Page.addScriptToEvaluateOnNewDocument",
            "Input.insertText",
            "Debugger.enable",
            "DOM.setAttributeValue",
            "Target.setDiscoverTargets",
        ] {
            let why = refusal(Mode::Person, method, &json!({}));
            assert!(
                why.as_deref()
                    .is_some_and(|w| w.contains("not on the worker's list")),
                "{method}: {why:?}"
            );
        }
        // the page's own world
        assert!(
            refusal(
                Mode::Person,
                "Runtime.evaluate",
                &json!({"expression": "1"})
            )
            .is_some()
        );
        assert!(
            refusal(
                Mode::Person,
                "Runtime.evaluate",
                &json!({"expression": "1", "contextId": null})
            )
            .is_some()
        );
        assert!(
            refusal(
                Mode::Person,
                "Runtime.callFunctionOn",
                &json!({"functionDeclaration": "function(){}"})
            )
            .is_some()
        );
        assert!(
            refusal(
                Mode::Person,
                "Page.createIsolatedWorld",
                &json!({"frameId": "F", "grantUniveralAccess": true})
            )
            .is_some()
        );
    }

    #[test]
    fn what_the_worker_does_is_allowed_and_the_control_may_tell() {
        assert_eq!(
            refusal(
                Mode::Person,
                "Runtime.evaluate",
                &json!({"expression": "1", "contextId": 7})
            ),
            None
        );
        assert_eq!(
            refusal(
                Mode::Person,
                "Runtime.callFunctionOn",
                &json!({"functionDeclaration": "function(){}", "objectId": "1.2.3"})
            ),
            None
        );
        for method in ALLOWED {
            if !method.starts_with("Runtime.") {
                assert_eq!(refusal(Mode::Person, method, &json!({})), None, "{method}");
            }
        }
        // the control trips the sensor on purpose; even it sends nothing else
        assert_eq!(refusal(Mode::Control, "Runtime.enable", &json!({})), None);
        assert_eq!(
            refusal(
                Mode::Control,
                "Runtime.evaluate",
                &json!({"expression": "1"})
            ),
            None
        );
        assert!(refusal(Mode::Control, "Page.setBypassCSP", &json!({})).is_some());
    }
}
