//! Typing as a person does: one trusted key down and up per character (Shift held
//! for capitals, `keys.rs`), at the pacing's keystroke delays; a field emptied with
//! Ctrl+A and Backspace.

use chromiumoxide_cdp::cdp::browser_protocol::input::{
    DispatchKeyEventParams, DispatchKeyEventType,
};
use tokio_util::sync::CancellationToken;

use super::{BrowserError, LaunchedBrowser, Mode, keys};
use crate::{
    pacing::{Pacing, Wait},
    page::Target,
};

/// Modifier bits of `Input.dispatchKeyEvent`.
const CONTROL: i64 = 2;
const SHIFT: i64 = 8;
impl LaunchedBrowser {
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
    pub(super) async fn press(&self, key: &keys::Key) -> Result<(), BrowserError> {
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
        if self.conn.mode() == Mode::Control {
            return super::control::type_from_script(self, target, text, pacing, cancel).await;
        }
        // the field commits itself when the next click takes the focus away
        self.click_node(target).await?;
        self.clear_focused().await?;
        for ch in text.chars() {
            pacing
                .pause(Wait::Keystroke, cancel)
                .await
                .map_err(|_| BrowserError::Cancelled)?;
            self.acting()?;
            self.press(&keys::key_for(ch)).await?;
        }
        Ok(())
    }
}
