//! Which key a person presses for a character, on a US keyboard: its `key`, its
//! physical `code`, its Windows key code, and whether Shift is held. A character
//! with no key on the layout (an accent, `’`, `ß`) is still a key press: it carries
//! its text with an empty code, as an input method's key does.

/// One key press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// the `key` the page sees (the character itself)
    pub key: String,
    /// the physical key (`KeyA`, `Digit1`, `Space`), empty when the layout has none
    pub code: &'static str,
    /// the Windows virtual key code (0 when the layout has none)
    pub key_code: i64,
    /// Shift is held for it
    pub shift: bool,
    /// the text it inserts (Enter inserts a carriage return)
    pub text: String,
}

impl Key {
    /// A key that types nothing (arrows, Backspace): its name and Windows key code.
    pub fn named(name: &'static str, key_code: i64) -> Self {
        Self {
            key: name.to_owned(),
            code: name,
            key_code,
            shift: false,
            text: String::new(),
        }
    }
}

/// US-layout punctuation: (unshifted, shifted, code, key code).
const PUNCTUATION: [(char, char, &str, i64); 11] = [
    ('-', '_', "Minus", 189),
    ('=', '+', "Equal", 187),
    ('[', '{', "BracketLeft", 219),
    (']', '}', "BracketRight", 221),
    ('\\', '|', "Backslash", 220),
    (';', ':', "Semicolon", 186),
    ('\'', '"', "Quote", 222),
    (',', '<', "Comma", 188),
    ('.', '>', "Period", 190),
    ('/', '?', "Slash", 191),
    ('`', '~', "Backquote", 192),
];

/// The shifted digits, `)` to `(`: `SHIFTED_DIGITS[d]` is Shift + digit `d`.
const SHIFTED_DIGITS: [char; 10] = [')', '!', '@', '#', '$', '%', '^', '&', '*', '('];

const LETTER_CODES: [&str; 26] = [
    "KeyA", "KeyB", "KeyC", "KeyD", "KeyE", "KeyF", "KeyG", "KeyH", "KeyI", "KeyJ", "KeyK", "KeyL",
    "KeyM", "KeyN", "KeyO", "KeyP", "KeyQ", "KeyR", "KeyS", "KeyT", "KeyU", "KeyV", "KeyW", "KeyX",
    "KeyY", "KeyZ",
];
const DIGIT_CODES: [&str; 10] = [
    "Digit0", "Digit1", "Digit2", "Digit3", "Digit4", "Digit5", "Digit6", "Digit7", "Digit8",
    "Digit9",
];

/// The key press that types `ch`.
pub fn key_for(ch: char) -> Key {
    let plain = |code: &'static str, key_code: i64, shift: bool| Key {
        key: ch.to_string(),
        code,
        key_code,
        shift,
        text: ch.to_string(),
    };
    if ch.is_ascii_lowercase() {
        let i = (ch as u8 - b'a') as usize;
        return plain(
            LETTER_CODES[i],
            i64::from(ch.to_ascii_uppercase() as u8),
            false,
        );
    }
    if ch.is_ascii_uppercase() {
        let i = (ch as u8 - b'A') as usize;
        return plain(LETTER_CODES[i], i64::from(ch as u8), true);
    }
    if let Some(d) = ch.to_digit(10).filter(|_| ch.is_ascii_digit()) {
        return plain(DIGIT_CODES[d as usize], i64::from(ch as u8), false);
    }
    if let Some(d) = SHIFTED_DIGITS.iter().position(|c| *c == ch) {
        return plain(DIGIT_CODES[d], 48 + d as i64, true);
    }
    for (unshifted, shifted, code, key_code) in PUNCTUATION {
        if ch == unshifted || ch == shifted {
            return plain(code, key_code, ch == shifted);
        }
    }
    match ch {
        ' ' => plain("Space", 32, false),
        '\n' | '\r' => Key {
            key: "Enter".into(),
            code: "Enter",
            key_code: 13,
            shift: false,
            text: "\r".into(),
        },
        '\t' => Key {
            key: "Tab".into(),
            code: "Tab",
            key_code: 9,
            shift: false,
            text: String::new(),
        },
        _ => plain("", 0, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_the_keys_a_person_presses() {
        let a = key_for('a');
        assert_eq!(
            (a.key.as_str(), a.code, a.key_code, a.shift),
            ("a", "KeyA", 65, false)
        );
        let big = key_for('Q');
        assert_eq!((big.code, big.key_code, big.shift), ("KeyQ", 81, true));
        assert_eq!((key_for('7').code, key_for('7').key_code), ("Digit7", 55));
        let at = key_for('@');
        assert_eq!((at.code, at.key_code, at.shift), ("Digit2", 50, true));
        assert_eq!((key_for(')').code, key_for(')').shift), ("Digit0", true));
        assert_eq!((key_for('.').code, key_for('.').key_code), ("Period", 190));
        assert_eq!((key_for('?').code, key_for('?').shift), ("Slash", true));
        assert_eq!(key_for(' ').code, "Space");
        assert_eq!(key_for('\n').text, "\r");
        // no key on the layout: still a key press, with its text
        for ch in ['é', '’', 'ß', 'ñ', 'ü'] {
            let k = key_for(ch);
            assert_eq!((k.code, k.key_code), ("", 0), "{ch}");
            assert_eq!(k.text, ch.to_string());
            assert_eq!(k.key, ch.to_string());
        }
    }
}
