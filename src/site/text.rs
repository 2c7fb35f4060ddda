//! Text and CSS as the site file's entries are compared and checked: phrases folded
//! the way `observe.js` folds page text, `*` patterns, one CSS selector parsed. A
//! leaf of `site/`: the locators and the page checks both use it.

use scraper::Selector;

/// Parses one CSS selector; the error says why it is not valid.
pub fn parse_css(css: &str) -> Result<Selector, String> {
    Selector::parse(css).map_err(|e| e.to_string())
}

/// Text as phrases are compared: lower case, typographic quotes and apostrophes as
/// straight ones, an ellipsis as three dots, every run of white space (NBSP
/// included) as one space. `observe.js` folds page text the same way.
pub fn fold_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' | '`' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => '"',
            c if c.is_whitespace() || c == '\u{00A0}' || c == '\u{202F}' => ' ',
            c => c,
        };
        if c == ' ' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if c == '\u{2026}' {
            out.push_str("...");
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Case-insensitive phrase match where `*` stands for any text; `haystack_folded` is
/// [`fold_text`]'s, the phrase is folded here.
pub fn text_matches(haystack_folded: &str, phrase: &str) -> bool {
    let parts: Vec<String> = fold_text(phrase)
        .split('*')
        .map(|p| p.trim().to_owned())
        .collect();
    let mut rest = haystack_folded;
    let mut first = true;
    for part in parts.iter().filter(|p| !p.is_empty()) {
        match rest.find(part.as_str()) {
            Some(i) => {
                // parts joined by `*` must stay close (same sentence)
                if !first && i > 40 {
                    return false;
                }
                rest = &rest[i + part.len()..];
                first = false;
            }
            None => return false,
        }
    }
    !first
}
