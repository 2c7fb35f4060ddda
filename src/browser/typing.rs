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
        for (kind, key, modifiers) in strokes(key) {
            self.key_event(kind, &key, modifiers, None).await?;
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
        // sent at once, in order: Chromium hands key events to the page one by one
        // in the order they came (none is coalesced), so the page sees the same
        // presses without a round trip between each
        let mut events = vec![
            (
                DispatchKeyEventType::RawKeyDown,
                control.clone(),
                CONTROL,
                None,
            ),
            (
                DispatchKeyEventType::RawKeyDown,
                a.clone(),
                CONTROL,
                Some(vec!["selectAll".to_owned()]),
            ),
            (DispatchKeyEventType::KeyUp, a, CONTROL, None),
            (DispatchKeyEventType::KeyUp, control, 0, None),
        ];
        events.extend(
            strokes(&backspace)
                .into_iter()
                .map(|(kind, key, modifiers)| (kind, key, modifiers, None)),
        );
        futures_util::future::try_join_all(events.into_iter().map(
            |(kind, key, modifiers, commands)| async move {
                self.key_event(kind, &key, modifiers, commands).await
            },
        ))
        .await
        .map(drop)
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
        let _typing = self.spent.typing.timing();
        self.clear_focused().await?;
        if pacing.scale() == 0.0 {
            // no keystroke delays: every event sent at once, in order. Chromium
            // queues key events and hands each to the page (unlike mouse moves,
            // none is coalesced), so the page sees the same presses, only closer
            self.acting()?;
            let events: Vec<_> = text
                .chars()
                .flat_map(|c| strokes(&keys::key_for(c)))
                .collect();
            futures_util::future::try_join_all(
                events.iter().map(|(kind, key, modifiers)| {
                    self.key_event(kind.clone(), key, *modifiers, None)
                }),
            )
            .await?;
            return Ok(());
        }
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

/// The key events of one press of `key`: Shift down around it when it needs it, the
/// key down (with its text) and up.
fn strokes(key: &keys::Key) -> Vec<(DispatchKeyEventType, keys::Key, i64)> {
    let shift = keys::Key {
        key: "Shift".into(),
        code: "ShiftLeft",
        key_code: 16,
        shift: false,
        text: String::new(),
    };
    let modifiers = if key.shift { SHIFT } else { 0 };
    let down = if key.text.is_empty() {
        DispatchKeyEventType::RawKeyDown
    } else {
        DispatchKeyEventType::KeyDown
    };
    let mut events = Vec::with_capacity(4);
    if key.shift {
        events.push((DispatchKeyEventType::RawKeyDown, shift.clone(), SHIFT));
    }
    events.push((down, key.clone(), modifiers));
    events.push((DispatchKeyEventType::KeyUp, key.clone(), modifiers));
    if key.shift {
        events.push((DispatchKeyEventType::KeyUp, shift, 0));
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capital_is_typed_inside_shift_and_a_letter_alone() {
        let kinds = |c| -> Vec<(DispatchKeyEventType, String)> {
            strokes(&keys::key_for(c))
                .into_iter()
                .map(|(kind, key, _)| (kind, key.key))
                .collect()
        };
        assert_eq!(
            kinds('A'),
            [
                (DispatchKeyEventType::RawKeyDown, "Shift".to_owned()),
                (DispatchKeyEventType::KeyDown, "A".to_owned()),
                (DispatchKeyEventType::KeyUp, "A".to_owned()),
                (DispatchKeyEventType::KeyUp, "Shift".to_owned()),
            ]
        );
        assert_eq!(
            kinds('a'),
            [
                (DispatchKeyEventType::KeyDown, "a".to_owned()),
                (DispatchKeyEventType::KeyUp, "a".to_owned()),
            ]
        );
    }
}
