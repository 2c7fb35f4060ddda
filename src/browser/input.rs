//! Acting like a person on what `observe.js` found: mouse clicks at the element,
//! key presses with human delays, options, file uploads; and screenshots. Elements
//! are handles of our isolated world (`__targets`, kept by `observe.js`), never
//! found through anything written into the page.

use std::path::Path;

use base64::Engine as _;
use chromiumoxide_cdp::cdp::{
    browser_protocol::{
        dom::{GetContentQuadsParams, ScrollIntoViewIfNeededParams, SetFileInputFilesParams},
        input::{
            DispatchKeyEventParams, DispatchKeyEventType, DispatchMouseEventParams,
            DispatchMouseEventType, InsertTextParams, MouseButton,
        },
        page::{CaptureScreenshotFormat, CaptureScreenshotParams},
    },
    js_protocol::runtime::{CallFunctionOnParams, RemoteObjectId},
};
use rand::RngExt as _;
use tokio_util::sync::CancellationToken;

use super::{BrowserError, LaunchedBrowser, Mode, keys, world::Evaluated};
use crate::{
    pacing::{Pacing, Wait},
    page::{Rect, Target},
};

/// An element of the last look, held by its handle in our isolated world. The DOM
/// commands (scroll, quads, files) take the handle itself.
struct Node {
    object_id: RemoteObjectId,
}

/// The element `observe.js` kept under a key, while it is still in the document.
const TARGET_JS: &str = "(function (key) { var el = (globalThis.__targets || {})[key]; return el && el.isConnected ? el : null; })";

/// Modifier bits of `Input.dispatchKeyEvent`.
const CONTROL: i64 = 2;
const SHIFT: i64 = 8;

impl LaunchedBrowser {
    async fn element(&self, target: Target) -> Result<Node, BrowserError> {
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
        let called = self.timed(action, self.tab.call(params)).await?;
        if called.exception_details.is_some() {
            return Err(BrowserError::Cdp {
                action,
                detail: "script error".into(),
            });
        }
        Ok(called.result.value)
    }

    /// One mouse event at (`x`, `y`).
    async fn mouse(
        &self,
        kind: DispatchMouseEventType,
        x: f64,
        y: f64,
    ) -> Result<(), BrowserError> {
        let mut event = DispatchMouseEventParams::new(kind.clone(), x, y);
        if kind != DispatchMouseEventType::MouseMoved {
            event.button = Some(MouseButton::Left);
            event.click_count = Some(1);
            event.buttons = Some(i64::from(kind == DispatchMouseEventType::MousePressed));
        }
        self.timed("click", self.tab.call(event)).await.map(drop)
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
        self.timed("scroll to the element", self.tab.call(scroll))
            .await?;
        let quads = GetContentQuadsParams::builder()
            .object_id(el.object_id.clone())
            .build();
        let quads = self
            .timed("find a clickable point", self.tab.call(quads))
            .await?;
        // the first quad with an area: its centre and its bounding size
        let (cx, cy, width, height) = quads
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
                ((x0 + x1) / 2.0, (y0 + y1) / 2.0, x1 - x0, y1 - y0)
            })
            .find(|(_, _, w, h)| w * h > 1.0)
            .ok_or_else(|| BrowserError::ElementMissing {
                target: target.key(),
            })?;
        let (dx, dy) = {
            let mut rng = rand::rng();
            let jx = (width / 5.0).clamp(0.0, 12.0);
            let jy = (height / 5.0).clamp(0.0, 6.0);
            (rng.random_range(-jx..=jx), rng.random_range(-jy..=jy))
        };
        let (x, y) = (cx + dx, cy + dy);
        // the mouse moves there first, then presses and releases
        self.acting()?;
        self.mouse(DispatchMouseEventType::MouseMoved, x, y).await?;
        self.mouse(DispatchMouseEventType::MousePressed, x, y)
            .await?;
        self.mouse(DispatchMouseEventType::MouseReleased, x, y)
            .await?;
        Ok(el)
    }

    /// One key event.
    async fn key_event(
        &self,
        kind: DispatchKeyEventType,
        key: &keys::Key,
        modifiers: i64,
        commands: Option<Vec<String>>,
    ) -> Result<(), BrowserError> {
        let mut event = DispatchKeyEventParams::new(kind.clone());
        event.key = Some(key.key.clone());
        event.code = Some(key.code.to_owned());
        event.windows_virtual_key_code = Some(key.key_code);
        event.native_virtual_key_code = Some(key.key_code);
        event.modifiers = Some(modifiers);
        event.commands = commands;
        if kind == DispatchKeyEventType::KeyDown && !key.text.is_empty() {
            event.text = Some(key.text.clone());
            event.unmodified_text = Some(key.text.clone());
        }
        self.timed("type", self.tab.call(event)).await.map(drop)
    }

    /// Presses and releases `key` (with Shift held around it when it needs it).
    async fn press(&self, key: &keys::Key) -> Result<(), BrowserError> {
        let shift = keys::Key {
            key: "Shift".into(),
            code: "ShiftLeft",
            key_code: 16,
            shift: false,
            text: String::new(),
        };
        let modifiers = if key.shift { SHIFT } else { 0 };
        if key.shift {
            self.key_event(DispatchKeyEventType::RawKeyDown, &shift, SHIFT, None)
                .await?;
        }
        let down = if key.text.is_empty() {
            DispatchKeyEventType::RawKeyDown
        } else {
            DispatchKeyEventType::KeyDown
        };
        self.key_event(down, key, modifiers, None).await?;
        self.key_event(DispatchKeyEventType::KeyUp, key, modifiers, None)
            .await?;
        if key.shift {
            self.key_event(DispatchKeyEventType::KeyUp, &shift, 0, None)
                .await?;
        }
        Ok(())
    }

    /// Empties the focused field as a person does: Ctrl+A, then Backspace.
    async fn clear_focused(&self) -> Result<(), BrowserError> {
        let control = keys::Key {
            key: "Control".into(),
            code: "ControlLeft",
            key_code: 17,
            shift: false,
            text: String::new(),
        };
        let a = keys::Key {
            text: String::new(),
            ..keys::key_for('a')
        };
        let backspace = keys::Key {
            key: "Backspace".into(),
            code: "Backspace",
            key_code: 8,
            shift: false,
            text: String::new(),
        };
        self.key_event(DispatchKeyEventType::RawKeyDown, &control, CONTROL, None)
            .await?;
        self.key_event(
            DispatchKeyEventType::RawKeyDown,
            &a,
            CONTROL,
            Some(vec!["selectAll".into()]),
        )
        .await?;
        self.key_event(DispatchKeyEventType::KeyUp, &a, CONTROL, None)
            .await?;
        self.key_event(DispatchKeyEventType::KeyUp, &control, 0, None)
            .await?;
        self.press(&backspace).await
    }

    /// Clicks into a text field, empties it and types `text` key by key with human
    /// delays.
    pub async fn type_text(
        &self,
        target: Target,
        text: &str,
        pacing: &Pacing,
        cancel: &CancellationToken,
    ) -> Result<(), BrowserError> {
        let el = self.click_node(target).await?;
        let control = self.conn.mode() == Mode::Control;
        if control {
            super::control::clear_from_script(self, &el.object_id).await?;
        } else {
            self.clear_focused().await?;
        }
        let mut buf = [0u8; 4];
        for ch in text.chars() {
            pacing
                .pause(Wait::Keystroke, cancel)
                .await
                .map_err(|_| BrowserError::Cancelled)?;
            self.acting()?;
            if control {
                // the old way, for the sensor to catch: text without key presses
                let text: &str = ch.encode_utf8(&mut buf);
                self.timed("type", self.tab.call(InsertTextParams::new(text)))
                    .await?;
            } else {
                self.press(&keys::key_for(ch)).await?;
            }
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
        self.timed("upload the file", self.tab.call(params))
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
        let shot = self
            .timed("take a screenshot", self.tab.call(params))
            .await?;
        let data: &str = shot.data.as_ref();
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|_| BrowserError::Cdp {
                action: "take a screenshot",
                detail: "the screenshot was not base64".into(),
            })
    }
}
