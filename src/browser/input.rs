//! Acting like a person on what `observe.js` tagged: mouse clicks at the element,
//! typed keys with human delays, options, file uploads; and screenshots.

use std::path::Path;

use chromiumoxide::{
    cdp::{
        browser_protocol::{
            dom::{GetContentQuadsParams, ScrollIntoViewIfNeededParams, SetFileInputFilesParams},
            input::InsertTextParams,
            page::{CaptureScreenshotFormat, CaptureScreenshotParams},
        },
        js_protocol::runtime::{CallFunctionOnParams, EvaluateParams, RemoteObjectId},
    },
    layout::Point,
};
use rand::RngExt as _;
use tokio_util::sync::CancellationToken;

use super::{BrowserError, LaunchedBrowser};
use crate::{
    pacing::{Pacing, Wait},
    page::{Rect, Target},
};

/// An element the page tagged, held by its DevTools handle: found through open
/// shadow roots, where the DevTools `querySelector` does not look. The DOM commands
/// (scroll, quads, files) take the handle itself.
struct Node {
    object_id: RemoteObjectId,
}

/// Finds the first element matching a CSS selector in the document or any open
/// shadow root.
const FIND_DEEP_JS: &str = "(function (css) {
  var roots = [document];
  for (var i = 0; i < roots.length; i++) {
    var hit = roots[i].querySelector(css);
    if (hit) return hit;
    var all = roots[i].querySelectorAll('*');
    for (var j = 0; j < all.length; j++) if (all[j].shadowRoot) roots.push(all[j].shadowRoot);
  }
  return null;
})";

impl LaunchedBrowser {
    async fn element(&self, target: Target) -> Result<Node, BrowserError> {
        let css = target.css();
        let missing = || BrowserError::ElementMissing {
            target: css.clone(),
        };
        let expression = format!(
            "{FIND_DEEP_JS}({})",
            serde_json::to_string(&css).unwrap_or_default()
        );
        let params = EvaluateParams::builder()
            .expression(expression)
            .build()
            .map_err(|detail| BrowserError::Cdp {
                action: "find an element",
                detail,
            })?;
        let found = match self
            .guarded("find an element", self.page.execute(params))
            .await
        {
            Ok(Ok(found)) => found,
            Ok(Err(_)) if !self.alive() => {
                return Err(BrowserError::Crashed {
                    action: "find an element",
                });
            }
            Ok(Err(_)) => return Err(missing()),
            Err(ended) => return Err(ended.into_error(format!("finding {css}"), self.timeout)),
        };
        let object_id = found.result.result.object_id.clone().ok_or_else(missing)?;
        Ok(Node { object_id })
    }

    /// Runs `function() {...}` with the element as `this`; its value when it returns
    /// a primitive.
    async fn call_on(
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
        Ok(self
            .timed(action, self.page.execute(params))
            .await?
            .result
            .result
            .value)
    }

    /// Moves the mouse to a random point inside the element and clicks there.
    pub async fn click(&self, target: Target) -> Result<(), BrowserError> {
        self.click_node(target).await.map(drop)
    }

    /// [`click`](Self::click), keeping the element for what follows (typing).
    async fn click_node(&self, target: Target) -> Result<Node, BrowserError> {
        self.acting()?;
        let el = self.element(target).await?;
        let scroll = ScrollIntoViewIfNeededParams::builder()
            .object_id(el.object_id.clone())
            .build();
        self.timed("scroll to the element", self.page.execute(scroll))
            .await?;
        let quads = GetContentQuadsParams::builder()
            .object_id(el.object_id.clone())
            .build();
        let quads = self
            .timed("find a clickable point", self.page.execute(quads))
            .await?;
        // the first quad with an area: its centre and its bounding size
        let (center, width, height) = quads
            .result
            .quads
            .iter()
            .map(|q| q.inner())
            .filter(|q| q.len() == 8)
            .map(|q| {
                let xs = [q[0], q[2], q[4], q[6]];
                let ys = [q[1], q[3], q[5], q[7]];
                let (x0, x1) = (
                    xs.iter().copied().fold(f64::MAX, f64::min),
                    xs.iter().copied().fold(f64::MIN, f64::max),
                );
                let (y0, y1) = (
                    ys.iter().copied().fold(f64::MAX, f64::min),
                    ys.iter().copied().fold(f64::MIN, f64::max),
                );
                (
                    Point::new((x0 + x1) / 2.0, (y0 + y1) / 2.0),
                    x1 - x0,
                    y1 - y0,
                )
            })
            .find(|(_, w, h)| w * h > 1.0)
            .ok_or_else(|| BrowserError::ElementMissing {
                target: target.css(),
            })?;
        let (dx, dy) = {
            let mut rng = rand::rng();
            let jx = (width / 5.0).clamp(0.0, 12.0);
            let jy = (height / 5.0).clamp(0.0, 6.0);
            (rng.random_range(-jx..=jx), rng.random_range(-jy..=jy))
        };
        let point = Point::new(center.x + dx, center.y + dy);
        // the click moves the mouse there first, then presses and releases
        self.acting()?;
        self.timed("click", self.page.click(point)).await?;
        Ok(el)
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
        let el = self.click_node(target).await?;
        // select what is there, so typing replaces it
        self.call_on(
            &el,
            "select the field's text",
            "function() { if (this.select) { this.select(); } }",
        )
        .await?;
        let mut chars = text.chars().peekable();
        if chars.peek().is_none() {
            self.call_on(
                &el,
                "clear the field",
                "function() { this.value = ''; this.dispatchEvent(new Event('input', {bubbles: true})); }",
            )
            .await?;
        }
        let mut buf = [0u8; 4];
        for ch in chars {
            pacing
                .pause(Wait::Keystroke, cancel)
                .await
                .map_err(|_| BrowserError::Cancelled)?;
            self.acting()?;
            let key: &str = ch.encode_utf8(&mut buf);
            self.timed("type", self.page.execute(InsertTextParams::new(key)))
                .await?;
        }
        self.call_on(
            &el,
            "commit the field",
            "function() { this.dispatchEvent(new Event('change', {bubbles: true})); }",
        )
        .await?;
        Ok(())
    }

    /// Chooses the option whose text is `option` in a drop-down, with the input and
    /// change events a person's choice fires. False when no such option exists.
    pub async fn select_option(&self, target: Target, option: &str) -> Result<bool, BrowserError> {
        self.acting()?;
        let el = self.click_node(target).await?;
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
        let result = self.call_on(&el, "choose an option", &js).await?;
        Ok(result.and_then(|v| v.as_bool()).unwrap_or(false))
    }

    /// Sets the files of a file input (the résumé).
    pub async fn upload(&self, target: Target, file: &Path) -> Result<(), BrowserError> {
        self.acting()?;
        let el = self.element(target).await?;
        let params = SetFileInputFilesParams::builder()
            .files(vec![file.display().to_string()])
            .object_id(el.object_id)
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
        let js = "function() { var r = this.getBoundingClientRect(); var d = window.devicePixelRatio || 1;
                   return JSON.stringify([r.left * d, r.top * d, r.width * d, r.height * d]); }";
        let value = self.call_on(&el, "measure", js).await.ok()??;
        let v: Vec<f64> = serde_json::from_str(value.as_str()?).ok()?;
        (v.len() == 4).then(|| Rect {
            x: v[0],
            y: v[1],
            width: v[2],
            height: v[3],
        })
    }

    /// A PNG of what the page shows now.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        let params = CaptureScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .build();
        self.timed("take a screenshot", self.page.screenshot(params))
            .await
    }
}
