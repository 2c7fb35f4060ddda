//! Static checks of selectors: CSS validity, and which keys match a saved page
//! (`autoapply selectors check --html page.html`), so an operator can see what a
//! LinkedIn markup change broke from a page saved in a browser.

use scraper::{ElementRef, Html};

use super::{
    SiteSpec, aria,
    locator::{self, Locator, name_matches},
    text::{fold_text, parse_css, text_matches},
};

/// What one key matched on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyReport {
    /// dotted key
    pub key: &'static str,
    /// the first entry that matched (its 1-based position, the entry), and how
    /// many elements it matched
    pub matched: Option<(usize, String, usize)>,
}

/// Matches every selector key of `spec` against `html` (a page saved from the
/// browser, or a drift snapshot whose shadow roots are inlined as templates).
pub fn check_html(spec: &SiteSpec, html: &str) -> Vec<KeyReport> {
    let doc = Html::parse_document(html);
    spec.selector_keys()
        .into_iter()
        .map(|(key, entries)| {
            let matched = entries.0.iter().enumerate().find_map(|(i, entry)| {
                let n = count_matches(&doc, entry);
                (n > 0).then(|| (i + 1, entry.clone(), n))
            });
            KeyReport { key, matched }
        })
        .collect()
}

/// How many elements of `doc` one entry matches (0 for an invalid entry).
fn count_matches(doc: &Html, entry: &str) -> usize {
    let elements = || {
        doc.root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
    };
    match locator::parse(entry) {
        Ok(Locator::Css(css)) => parse_css(css).map_or(0, |s| doc.select(&s).count()),
        Ok(Locator::Role { role, name }) => elements()
            .filter(|el| aria::role(el).as_deref() == Some(role))
            .filter(|el| name.is_none_or(|n| name_matches(&aria::name(doc, el), n)))
            .count(),
        Ok(Locator::Text(pattern)) => elements()
            .filter(|el| !matches!(el.value().name(), "script" | "style" | "template"))
            .filter(|el| name_matches(&aria::text(el), pattern))
            // the innermost: no child element matches as well
            .filter(|el| {
                !el.children()
                    .filter_map(ElementRef::wrap)
                    .any(|c| name_matches(&aria::text(&c), pattern))
            })
            .count(),
        Ok(Locator::Label(pattern)) => elements()
            .filter(aria::is_control)
            .filter(|el| name_matches(&aria::name(doc, el), pattern))
            .count(),
        Err(_) => 0,
    }
}

/// Which text keys occur in `html`'s text (a `*` matches any text).
pub fn check_texts(spec: &SiteSpec, html: &str) -> Vec<(&'static str, Option<String>)> {
    let doc = Html::parse_document(html);
    let text = doc.root_element().text().collect::<Vec<_>>().join(" ");
    let text = fold_text(&text);
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
        // LinkedIn writes typographic apostrophes, NBSP and ellipses
        let page = fold_text(
            "You\u{2019}ve reached the Easy\u{a0}Apply application limit for today\u{2026}",
        );
        assert_eq!(
            page,
            "you've reached the easy apply application limit for today..."
        );
        assert!(text_matches(
            &page,
            "You've reached the Easy Apply application limit for today"
        ));
        assert!(text_matches(
            &fold_text("We noticed you\u{2019}re applying at a  FAST pace"),
            "applying at a fast pace"
        ));
        assert!(!text_matches("easy apply", "You applied on"));
    }
    #[test]
    fn a_saved_2026_page_reports_the_entry_that_matched() {
        let spec = crate::site::SiteSpec::parse(
            std::path::Path::new("linkedin.toml"),
            crate::site::source::BUILT_IN,
        )
        .unwrap();
        // a native dialog with hashed classes, a generated id and text-only buttons,
        // its form inside a declarative shadow root as a drift snapshot inlines it
        let html = r#"<html><body><section class="_t0"><a class="_a9" href="/jobs/view/1/apply/?x=1" aria-label="Easy Apply to this job">Easy Apply</a></section>
            <div id="interop-outlet"><template shadowrootmode="open">
            <dialog open class="_d0" aria-labelledby="dialog-header"><h2 id="dialog-header">Apply to Oscorp</h2>
            <label for=":r4:">Mobile phone number</label><input id=":r4:" type="text">
            <label><input type="checkbox" checked> Follow Oscorp to stay up to date with their page.</label>
            <button type="button" class="_b2">Next</button></dialog></template></div></body></html>"#;
        let reports = check_html(&spec, html);
        let get = |key: &str| {
            reports
                .iter()
                .find(|r| r.key == key)
                .and_then(|r| r.matched.clone())
        };
        assert_eq!(
            get("job.easy_apply"),
            Some((8, "role=link[name=\"Easy Apply*\"]".to_owned(), 1))
        );
        assert_eq!(
            get("modal.root"),
            Some((4, "role=dialog[name=\"Apply to *\"]".to_owned(), 1))
        );
        assert_eq!(
            get("modal.next"),
            Some((4, "role=button[name=\"Next\"]".to_owned(), 1))
        );
        assert_eq!(get("modal.submit"), None);
        assert_eq!(
            count_matches(&Html::parse_document(html), "label=Mobile phone number"),
            1
        );
        assert_eq!(
            count_matches(
                &Html::parse_document(html),
                "label=Follow * to stay up to date*"
            ),
            1
        );
        assert_eq!(
            count_matches(&Html::parse_document(html), "text=Apply to Oscorp"),
            1
        );
    }
}
