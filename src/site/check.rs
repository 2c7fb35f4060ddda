//! Static checks of selectors: CSS validity, and which keys match a saved page
//! (`autoapply selectors check --html page.html`), so an operator can see what a
//! LinkedIn markup change broke from a page saved in a browser.

use scraper::{Html, Selector};

use super::SiteSpec;

/// Parses one CSS selector; the error says why it is not valid.
pub fn parse_css(css: &str) -> Result<Selector, String> {
    Selector::parse(css).map_err(|e| e.to_string())
}

/// What one key matched on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyReport {
    /// dotted key
    pub key: &'static str,
    /// the first fallback that matched, and how many elements it matched
    pub matched: Option<(String, usize)>,
}

/// Matches every selector key of `spec` against `html`.
pub fn check_html(spec: &SiteSpec, html: &str) -> Vec<KeyReport> {
    let doc = Html::parse_document(html);
    spec.selector_keys()
        .into_iter()
        .map(|(key, selectors)| {
            let matched = selectors.0.iter().find_map(|css| {
                let selector = parse_css(css).ok()?;
                let n = doc.select(&selector).count();
                (n > 0).then(|| (css.clone(), n))
            });
            KeyReport { key, matched }
        })
        .collect()
}

/// Which text keys occur in `html`'s text (a `*` matches any text).
pub fn check_texts(spec: &SiteSpec, html: &str) -> Vec<(&'static str, Option<String>)> {
    let doc = Html::parse_document(html);
    let text = doc
        .root_element()
        .text()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    spec.text_keys()
        .into_iter()
        .filter(|(key, _)| !key.ends_with("url_fragments"))
        .map(|(key, texts)| {
            (
                key,
                texts.0.iter().find(|t| text_matches(&text, t)).cloned(),
            )
        })
        .collect()
}

/// Case-insensitive phrase match where `*` stands for any text.
pub fn text_matches(haystack_lower: &str, phrase: &str) -> bool {
    let parts: Vec<String> = phrase
        .to_lowercase()
        .split('*')
        .map(|p| p.trim().to_owned())
        .collect();
    let mut rest = haystack_lower;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_phrases() {
        assert!(text_matches(
            "job · applied 3 days ago · see application",
            "Applied * ago"
        ));
        assert!(!text_matches(
            "applied to many jobs. and long after that, years ago, we went",
            "Applied * ago"
        ));
        assert!(text_matches("you applied on 3/4/2026", "You applied on"));
        assert!(!text_matches("easy apply", "You applied on"));
    }
}
