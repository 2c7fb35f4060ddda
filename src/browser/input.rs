//! Acting like a person on what `observe.js` tagged: mouse clicks at the element,
//! typed keys with human delays, options, file uploads; and screenshots.

use std::path::Path;

use chromiumoxide::{
    cdp::browser_protocol::{
        dom::SetFileInputFilesParams,
        input::InsertTextParams,
        page::{CaptureScreenshotFormat, CaptureScreenshotParams},
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

impl LaunchedBrowser {
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

    /// A PNG of what the page shows now.
    pub async fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        let params = CaptureScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .build();
        self.timed("take a screenshot", self.page.screenshot(params))
            .await
    }
}
