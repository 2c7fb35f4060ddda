//! Choosing, uploading, measuring and photographing: a list chosen by keyboard, a
//! file set on its input, an element's rectangle, a screenshot. Clicks are
//! `pointer.rs`'s, typing `typing.rs`'s, the elements `handles.rs`'s.

use std::path::Path;

use base64::Engine as _;
use chromiumoxide_cdp::cdp::browser_protocol::{
    dom::SetFileInputFilesParams,
    page::{CaptureScreenshotFormat, CaptureScreenshotParams},
};

use super::{BrowserError, LaunchedBrowser, Mode, keys};
use crate::{
    pacing::Wait,
    page::{Rect, Target},
};

impl LaunchedBrowser {
    /// Chooses the option whose text is `option` in a drop-down, by keyboard as a
    /// person does without opening its list: the mouse goes to it, it takes the
    /// focus, the option's first word is typed (the list jumps there) and the arrow
    /// keys move the choice the rest of the way (each press fires the list's own
    /// trusted input and change). The choice is read back. False when no such option
    /// exists.
    pub async fn select_option(&self, target: Target, option: &str) -> Result<bool, BrowserError> {
        self.acting()?;
        if self.conn.mode() == Mode::Control {
            return super::control::select_from_script(self, target, option).await;
        }
        let el = self.element(target).await?;
        let arg = serde_json::to_string(option).unwrap_or_default();
        let find = format!(
            "function() {{ var want = {arg}.replace(/\\s+/g, ' ').trim().toLowerCase();
               var opts = Array.prototype.slice.call(this.options);
               return opts.findIndex(function (x) {{ return !x.disabled && x.text.replace(/\\s+/g, ' ').trim().toLowerCase() === want; }}); }}"
        );
        let wanted = self
            .call_on(&el, "find the option", &find)
            .await?
            .and_then(|v| v.as_i64())
            .unwrap_or(-1);
        if wanted < 0 {
            return Ok(false);
        }
        let moving = self.spent.moving.timing();
        let area = self.bring_into_view(&el, target).await?;
        self.move_to(area).await?;
        drop(moving);
        let _typing = self.spent.typing.timing();
        self.call_on(&el, "focus the list", "function() { this.focus(); }")
            .await?;
        // its first word typed: a focused list jumps to the first option that starts
        // with what was typed (the browser's own type-to-select); no space, which
        // could open the list's popup, where key presses no longer reach
        let word: String = option
            .trim()
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .take(10)
            .collect();
        for ch in word.chars() {
            self.press(&keys::key_for(ch)).await?;
        }
        // then the arrow keys, as many presses as the choice is away, read back
        let down = keys::Key::named("ArrowDown", 40);
        let up = keys::Key::named("ArrowUp", 38);
        for _ in 0..4 {
            let now = self
                .call_on(
                    &el,
                    "read the choice",
                    "function() { return this.selectedIndex; }",
                )
                .await?
                .and_then(|v| v.as_i64())
                .unwrap_or(-1);
            if now == wanted {
                return Ok(true);
            }
            let key = if now < wanted { &down } else { &up };
            for _ in 0..(wanted - now).unsigned_abs().min(400) {
                self.mouse_wait(Wait::MouseHold).await;
                self.press(key).await?;
            }
        }
        Ok(false)
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
