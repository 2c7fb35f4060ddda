//! The replica's automation sensor (`sensor.js`): served first on every HTML page
//! the replica sends (its own generations, every language, a test's own markup),
//! it reports what a site's anti-automation script would see, and the verdict of the
//! published BotD when the replica has it (`AUTOAPPLY_BOTD_JS`, or
//! `target/tools/botd/botd.esm.js` as `scripts/setup.sh` unpacks it from npm).

use std::path::PathBuf;

use axum::{
    body::Body,
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

/// The script tag that puts the sensor first on a page.
const SENSOR_TAG: &str = r#"<script src="/replica/static/sensor.js"></script>"#;

/// BotD's verdict on one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotdVerdict {
    /// BotD says a bot drives the page
    pub bot: bool,
    /// which kind (`headless_chrome`, `selenium`, …), empty for a person
    #[serde(default)]
    pub kind: String,
}

/// What the sensor saw on one page load (its latest report).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensorReport {
    /// a random id per page load
    pub page: String,
    /// the page's path and query
    pub url: String,
    /// `navigator.webdriver` true, or tampered with
    pub webdriver: bool,
    /// the Runtime-domain probe fired
    pub runtime_domain: bool,
    /// attributes and elements that appeared in the page and were never in it
    #[serde(default)]
    pub dom_marks: Vec<String>,
    /// page APIs called from code that is not the page's own
    #[serde(default)]
    pub foreign_calls: Vec<String>,
    /// event types seen with `isTrusted === false` (the page's own apart)
    #[serde(default)]
    pub untrusted_events: Vec<String>,
    /// text that changed a field with no key press for it
    #[serde(default)]
    pub text_without_keys: u32,
    /// trusted mouse presses
    #[serde(default)]
    pub clicks: u32,
    /// … of them with fewer than three mouse moves before
    #[serde(default)]
    pub clicks_without_path: u32,
    /// contradictions between the user agent and what else the page reads
    #[serde(default)]
    pub identity: Vec<String>,
    /// what a page can tell that no DevTools message can make consistent on a Linux
    /// server (docs/security.md): shown beside the checks, never one of them
    #[serde(default)]
    pub residual: Vec<String>,
    /// `navigator.languages`
    #[serde(default)]
    pub languages: Vec<String>,
    /// `navigator.userAgent`
    #[serde(default)]
    pub user_agent: String,
    /// BotD's verdict, once it ran
    #[serde(default)]
    pub botd: Option<BotdVerdict>,
    /// why BotD did not run (not installed, failed)
    #[serde(default)]
    pub botd_error: Option<String>,
    /// what this page's own requests' headers contradicted, not yet placed: a check,
    /// unless the page closed right after (`reports.rs`)
    #[serde(skip)]
    pub(super) unsettled: Vec<(String, std::time::Instant)>,
    /// when this page's closing beacon arrived
    #[serde(skip)]
    pub(super) closed_at: Option<std::time::Instant>,
}

/// The sensor's checks, in the order `autoapply browser check` prints them.
pub const CHECKS: [&str; 8] = [
    "webdriver",
    "runtime domain",
    "dom marks",
    "foreign page-API calls",
    "untrusted events",
    "text without key presses",
    "clicks without a mouse path",
    "identity",
];

impl SensorReport {
    /// What fired for `check` (one of [`CHECKS`]), `None` when it did not.
    pub fn fired(&self, check: &str) -> Option<String> {
        let list = |l: &[String]| (!l.is_empty()).then(|| l.join(", "));
        match check {
            "webdriver" => self.webdriver.then(|| "navigator.webdriver".to_owned()),
            "runtime domain" => self
                .runtime_domain
                .then(|| "console.debug read an Error's name twice".to_owned()),
            "dom marks" => list(&self.dom_marks),
            "foreign page-API calls" => list(&self.foreign_calls),
            "untrusted events" => list(&self.untrusted_events),
            "text without key presses" => (self.text_without_keys > 0)
                .then(|| format!("{} insertions", self.text_without_keys)),
            "clicks without a mouse path" => (self.clicks_without_path > 0)
                .then(|| format!("{} of {} clicks", self.clicks_without_path, self.clicks)),
            "identity" => list(&self.identity),
            _ => None,
        }
    }

    /// Every page's report as one: a check fired when it fired on any page, and
    /// BotD said bot when it said so on any page.
    pub fn merged(reports: &[SensorReport]) -> SensorReport {
        let mut all = SensorReport {
            page: "all".into(),
            ..SensorReport::default()
        };
        let join = |into: &mut Vec<String>, from: &[String]| {
            for item in from {
                if !into.contains(item) {
                    into.push(item.clone());
                }
            }
        };
        for r in reports {
            all.webdriver |= r.webdriver;
            all.runtime_domain |= r.runtime_domain;
            join(&mut all.dom_marks, &r.dom_marks);
            join(&mut all.foreign_calls, &r.foreign_calls);
            join(&mut all.untrusted_events, &r.untrusted_events);
            join(&mut all.identity, &r.identity);
            join(&mut all.residual, &r.residual);
            all.text_without_keys += r.text_without_keys;
            all.clicks += r.clicks;
            all.clicks_without_path += r.clicks_without_path;
            match (&all.botd, &r.botd) {
                (Some(seen), _) if seen.bot => {}
                (_, Some(now)) => all.botd = Some(now.clone()),
                _ => {}
            }
            if all.botd_error.is_none() {
                all.botd_error.clone_from(&r.botd_error);
            }
        }
        all
    }

    /// BotD's verdict as a person reads it.
    pub fn botd_verdict(&self) -> String {
        match (&self.botd, &self.botd_error) {
            (Some(v), _) if v.bot => format!("bot ({})", v.kind),
            (Some(_), _) => "human".to_owned(),
            (None, Some(why)) => {
                format!("did not run ({})", why.chars().take(60).collect::<String>())
            }
            (None, None) => "did not report".to_owned(),
        }
    }

    /// Whether anything told: a check fired, or BotD said bot.
    pub fn seen(&self) -> bool {
        !self.tells().is_empty() || self.botd.as_ref().is_some_and(|v| v.bot)
    }

    /// `automation tells: none`, or how many and which (BotD's "bot" among them).
    pub fn summary(&self) -> String {
        let mut named: Vec<String> = self.tells().iter().map(|t| (*t).to_owned()).collect();
        if self.botd.as_ref().is_some_and(|v| v.bot) {
            named.push("BotD".into());
        }
        if named.is_empty() {
            "automation tells: none".to_owned()
        } else {
            format!("automation tells: {} ({})", named.len(), named.join(", "))
        }
    }

    /// Every check that fired on this page.
    pub fn tells(&self) -> Vec<&'static str> {
        CHECKS
            .into_iter()
            .filter(|c| self.fired(c).is_some())
            .collect()
    }
}

/// Where BotD's ESM build is, when the replica has it.
pub fn botd_path() -> Option<PathBuf> {
    let path = std::env::var_os("AUTOAPPLY_BOTD_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/target/tools/botd/botd.esm.js"
            ))
        });
    path.is_file().then_some(path)
}

/// `GET /replica/static/botd.esm.js`: BotD, or 404 when the replica has none.
pub(super) async fn botd() -> Response {
    match botd_path().map(std::fs::read) {
        Some(Ok(body)) => (
            [
                (header::CONTENT_TYPE, "application/javascript"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, "BotD is not installed").into_response(),
    }
}

/// Puts the sensor first in every HTML page the replica sends.
pub(super) async fn inject(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = with_sensor(&String::from_utf8_lossy(&bytes));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

/// `html` with the sensor's tag right after `<head>` (or `<html>`, or first).
pub fn with_sensor(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let after = ["<head", "<html"].iter().find_map(|open| {
        let at = lower.find(open)?;
        // the tag's own end, not a `<header>`'s
        let rest = &lower[at + open.len()..];
        if !rest.starts_with(['>', ' ', '\n', '\t']) {
            return None;
        }
        Some(at + open.len() + rest.find('>')? + 1)
    });
    let at = after.unwrap_or(
        lower
            .find("<!doctype")
            .and_then(|d| lower[d..].find('>').map(|e| d + e + 1))
            .unwrap_or(0),
    );
    format!("{}{SENSOR_TAG}{}", &html[..at], &html[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sensor_goes_first_in_every_kind_of_page() {
        assert_eq!(
            with_sensor("<!DOCTYPE html><html lang=\"en\"><head><title>x</title></head></html>"),
            format!(
                "<!DOCTYPE html><html lang=\"en\"><head>{SENSOR_TAG}<title>x</title></head></html>"
            )
        );
        assert_eq!(
            with_sensor("<html><body><header>h</header></body></html>"),
            format!("<html>{SENSOR_TAG}<body><header>h</header></body></html>")
        );
        assert_eq!(
            with_sensor("<h1>Page not found</h1>"),
            format!("{SENSOR_TAG}<h1>Page not found</h1>")
        );
    }

    #[test]
    fn a_report_names_what_fired() {
        let mut report: SensorReport = serde_json::from_str(
            r#"{"page": "p", "url": "/", "webdriver": false, "runtime_domain": false}"#,
        )
        .unwrap();
        assert!(report.tells().is_empty());
        report.webdriver = true;
        report.dom_marks.push("attribute data-x".into());
        report.text_without_keys = 2;
        assert_eq!(
            report.tells(),
            ["webdriver", "dom marks", "text without key presses"]
        );
        assert_eq!(report.fired("dom marks").unwrap(), "attribute data-x");
    }
}
