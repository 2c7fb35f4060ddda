//! The elements of the last look, held as handles of our isolated world
//! (`__targets`, kept by `observe.js`), never found through anything written into
//! the page; and functions run on them in that world.

use chromiumoxide_cdp::cdp::js_protocol::runtime::{CallFunctionOnParams, RemoteObjectId};

use super::{BrowserError, LaunchedBrowser, world::Evaluated};
use crate::page::Target;

/// An element of the last look, held by its handle in our isolated world. The DOM
/// commands (scroll, quads, files) take the handle itself.
pub(super) struct Node {
    pub(super) object_id: RemoteObjectId,
}
/// The element `observe.js` kept under a key, while it is still in the document.
const TARGET_JS: &str = "(function (key) { var el = (globalThis.__targets || {})[key]; return el && el.isConnected ? el : null; })";
impl LaunchedBrowser {
    /// The element `observe.js` kept under `target`'s key, as a handle.
    pub(super) async fn element(&self, target: Target) -> Result<Node, BrowserError> {
        let key = target.key();
        let missing = || BrowserError::ElementMissing {
            target: key.clone(),
        };
        let expression = format!(
            "{TARGET_JS}({})",
            serde_json::to_string(&key).unwrap_or_default()
        );
        match self
            .timed(
                "find an element",
                self.world.evaluate(&expression, false, false),
            )
            .await
        {
            Ok(Evaluated::Value(found)) => found.object_id.ok_or_else(missing),
            Ok(Evaluated::Threw(_)) | Err(BrowserError::Cdp { .. }) => Err(missing()),
            Err(e) => Err(e),
        }
        .map(|object_id| Node { object_id })
    }

    /// Runs `function() {...}` with the element as `this` (in the element's world);
    /// its value when it returns a primitive.
    pub(super) async fn call_on(
        &self,
        node: &Node,
        action: &'static str,
        js: &str,
    ) -> Result<Option<serde_json::Value>, BrowserError> {
        let params = CallFunctionOnParams::builder()
            .function_declaration(js)
            .object_id(node.object_id.clone())
            .return_by_value(true)
            .build()
            .map_err(|detail| BrowserError::Cdp { action, detail })?;
        let called = self.timed(action, self.tab.call(params)).await?;
        if called.exception_details.is_some() {
            return Err(BrowserError::Cdp {
                action,
                detail: "script error".into(),
            });
        }
        Ok(called.result.value)
    }
}
