//! One entry of a selector key: a CSS selector, or a semantic locator that finds a
//! control the way a person does, in the spirit of Playwright's `getByRole`,
//! `getByText` and `getByLabel`:
//!
//! - `role=button[name="Easy Apply*"]`: an element whose ARIA role (explicit, else
//!   implied by its tag) is `button` and whose accessible name (aria-labelledby,
//!   aria-label, `label[for]`, a wrapping label, a legend, its visible text, its
//!   title) matches; `role=dialog` alone: any dialog;
//! - `text=Continue applying`: the innermost element whose visible text matches
//!   (inside a button or link, that control);
//! - `label=Follow * to stay up to date*`: a form control whose label matches.
//!
//! Names and texts are compared whole, after folding (case, runs of white space,
//! NBSP, typographic quotes and apostrophes, ellipses: [`fold_text`]); `*` stands
//! for any text. `observe.js` applies the same grammar in the page.

use super::text::{fold_text, parse_css};

/// The roles a locator may name (ARIA roles a job page or a form uses).
pub const ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "button",
    "checkbox",
    "combobox",
    "dialog",
    "form",
    "group",
    "heading",
    "link",
    "listbox",
    "menuitem",
    "option",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "searchbox",
    "spinbutton",
    "status",
    "switch",
    "tab",
    "textbox",
];

/// A parsed entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locator<'a> {
    /// a CSS selector
    Css(&'a str),
    /// a role, and the accessible name's pattern when given
    Role {
        /// the ARIA role
        role: &'a str,
        /// the name's pattern
        name: Option<&'a str>,
    },
    /// visible text's pattern
    Text(&'a str),
    /// a form control's label's pattern
    Label(&'a str),
}

/// Parses one entry; the error says what is wrong in plain words.
pub fn parse(entry: &str) -> Result<Locator<'_>, String> {
    let entry = entry.trim();
    if let Some(rest) = entry.strip_prefix("role=") {
        let (role, name) = match rest.split_once('[') {
            None => (rest, None),
            Some((role, attr)) => {
                let attr = attr
                    .strip_suffix(']')
                    .and_then(|a| a.strip_prefix("name="))
                    .ok_or("after the role, only [name=\"...\"] may follow")?;
                (role, Some(pattern(attr)?))
            }
        };
        if !ROLES.contains(&role) {
            return Err(format!(
                "unknown role `{role}` (one of: {})",
                ROLES.join(", ")
            ));
        }
        return Ok(Locator::Role { role, name });
    }
    if let Some(rest) = entry.strip_prefix("text=") {
        return Ok(Locator::Text(pattern(rest)?));
    }
    if let Some(rest) = entry.strip_prefix("label=") {
        return Ok(Locator::Label(pattern(rest)?));
    }
    parse_css(entry).map(|_| Locator::Css(entry))
}

/// A pattern, optionally quoted; neither empty nor only `*`.
fn pattern(raw: &str) -> Result<&str, String> {
    let raw = raw.trim();
    let inner = ['"', '\'']
        .iter()
        .find_map(|q| raw.strip_prefix(*q).and_then(|r| r.strip_suffix(*q)))
        .unwrap_or(raw);
    if inner.replace('*', "").trim().is_empty() {
        return Err("the text to match is empty or only `*`".into());
    }
    Ok(inner)
}

/// Whether `text` matches `pattern` as a whole, after folding both; `*` stands for
/// any text (`Easy Apply*` matches "Easy Apply to Engineer at Acme").
pub fn name_matches(text: &str, pattern: &str) -> bool {
    let text = fold_text(text);
    let pattern = fold_text(pattern);
    let parts: Vec<&str> = pattern.split('*').map(str::trim).collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return text == first;
    }
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_css_or_locators() {
        assert_eq!(
            parse("role=button[name=\"Easy Apply*\"]"),
            Ok(Locator::Role {
                role: "button",
                name: Some("Easy Apply*")
            })
        );
        assert_eq!(
            parse("role=dialog"),
            Ok(Locator::Role {
                role: "dialog",
                name: None
            })
        );
        assert_eq!(
            parse("text='Continue applying'"),
            Ok(Locator::Text("Continue applying"))
        );
        assert_eq!(
            parse("label=Follow * to stay up to date*"),
            Ok(Locator::Label("Follow * to stay up to date*"))
        );
        assert_eq!(
            parse("button[aria-label='Dismiss']"),
            Ok(Locator::Css("button[aria-label='Dismiss']"))
        );
        for (bad, why) in [
            ("role=buton", "unknown role `buton`"),
            ("role=button[title=\"x\"]", "only [name="),
            ("role=button[name=\"*\"]", "empty or only `*`"),
            ("text=", "empty"),
            ("label= * ", "empty"),
            ("button]]", ""),
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn names_match_whole_after_folding() {
        assert!(name_matches(
            "Easy Apply to Engineer at Acme",
            "Easy Apply*"
        ));
        assert!(name_matches("Easy\u{a0}Apply to this job", "easy apply*"));
        assert!(!name_matches("Filter by Easy Apply", "Easy Apply*"));
        assert!(name_matches("Next", "Next"));
        assert!(!name_matches("Next page", "Next"));
        assert!(name_matches(
            "Follow Acme to stay up to date with their page.",
            "Follow * to stay up to date*"
        ));
        assert!(name_matches("You\u{2019}re paused", "you're paused"));
        assert!(name_matches("Save \u{2026}", "save ..."));
        assert!(!name_matches("Apply", "Apply * now"));
        assert!(name_matches("a b c", "a*b*c"));
        assert!(!name_matches("ab", "a*b*b"));
    }
}
