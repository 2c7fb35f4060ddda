//! The sensor's reports as they arrive (`POST /replica/sensor`): what each report's
//! own request says in its headers against what the page read (`Accept-Language`,
//! `Sec-CH-UA-Platform`), and where each finding goes: a check, or known and apart
//! (docs/security.md).
//!
//! A request a page makes while its tab closes can leave after the tab's DevTools
//! override is gone, with the browser's own client hints: a `pagehide` beacon, and
//! a report the page sent in the last few milliseconds before its `pagehide`, once
//! the worker had asked for the close (measured on Chromium 156: 12 of 336 closes,
//! 14 to 40 ms before the beacon, every earlier request of those pages with the
//! override; `sensor::how_often_a_closing_tab_sends_…` counts them). The page
//! cannot know the close has begun, so a page's own finding is placed when its
//! closing beacon arrives: within [`CLOSING`] before it, or after it, the finding
//! is known ("sent as the page closed"); otherwise, and when no beacon came, it is
//! a check.

use std::time::{Duration, Instant};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
};

use super::{AppState, sensor::SensorReport};

/// `POST /replica/sensor`: a page's latest report replaces its earlier ones, with
/// what its requests' headers contradicted added (and kept).
pub(super) async fn receive(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Ok(mut report) = serde_json::from_slice::<SensorReport>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let source = Source::of(&report, uri.query() == Some("beacon"));
    let found = header_contradictions(&report, &headers);
    source.place(&mut report, found, Instant::now());
    record_report(&state, report)
}

/// Keeps a page's latest report, with what its earlier requests' headers told (a
/// later report, its last beacon's, must not wipe what an earlier request showed).
fn record_report(state: &AppState, mut report: SensorReport) -> StatusCode {
    let mut recorded = state.recorded.lock().expect("replica state");
    let earlier = recorded.sensor.iter().position(|r| r.page == report.page);
    if let Some(earlier) = earlier.map(|i| &mut recorded.sensor[i]) {
        for item in earlier.identity.drain(..) {
            push(&mut report.identity, item);
        }
        for item in earlier.residual.drain(..) {
            push(&mut report.residual, item);
        }
        report.unsettled.append(&mut earlier.unsettled);
        report.closed_at = earlier.closed_at.into_iter().chain(report.closed_at).min();
    }
    report.settle();
    match earlier {
        Some(i) => recorded.sensor[i] = report,
        None => recorded.sensor.push(report),
    }
    StatusCode::NO_CONTENT
}

/// How long before a page's closing beacon a request of the page counts as sent as
/// it closed (the ones measured came 14 ms before it; a mid-page leak shows on every
/// request the page makes, not only its last).
pub const CLOSING: Duration = Duration::from_millis(500);

/// Where a report's request came from.
pub(super) enum Source {
    /// the page's own request, or its cross-site frame's (`/replica/frame`)
    Page { suffix: &'static str },
    /// a page's closing beacon, or the frame's
    Beacon,
    /// a dedicated worker the page started: its one request, at its start
    Worker,
    /// the service worker: the browser's target, no override reaches it
    ServiceWorker,
}

impl Source {
    /// The source of `report`, sent as a beacon or not.
    pub(super) fn of(report: &SensorReport, beacon: bool) -> Source {
        if report.url == "service worker" {
            Source::ServiceWorker
        } else if beacon {
            Source::Beacon
        } else if report.url.starts_with("worker of ") {
            Source::Worker
        } else if report.url.starts_with("/replica/frame") {
            Source::Page {
                suffix: " (the cross-site frame's request)",
            }
        } else {
            Source::Page { suffix: "" }
        }
    }

    /// Puts what the request's headers contradicted (`found`, the request having
    /// arrived at `now`) where it belongs in `report`.
    pub(super) fn place(&self, report: &mut SensorReport, found: Vec<String>, now: Instant) {
        let (list, suffix) = match self {
            Source::ServiceWorker => (&mut report.residual, " (a service worker's request)"),
            Source::Beacon => {
                report.closed_at = Some(now);
                (&mut report.residual, " (a beacon sent as the page closed)")
            }
            Source::Worker => (&mut report.identity, " (a worker's request)"),
            Source::Page { suffix } => {
                for f in found {
                    report.unsettled.push((format!("{f}{suffix}"), now));
                }
                return;
            }
        };
        for f in found {
            push(list, format!("{f}{suffix}"));
        }
    }
}

impl SensorReport {
    /// Moves the page's own findings that came within [`CLOSING`] of its closing
    /// beacon, or after it, to the known ones.
    pub(super) fn settle(&mut self) {
        let Some(closed) = self.closed_at else {
            return;
        };
        let (closing, before): (Vec<_>, Vec<_>) = std::mem::take(&mut self.unsettled)
            .into_iter()
            .partition(|(_, at)| *at + CLOSING >= closed);
        self.unsettled = before;
        for (f, _) in closing {
            push(&mut self.residual, format!("{f} (sent as the page closed)"));
        }
    }
}

/// `report` as a reader sees it: a finding still unsettled (no closing beacon came
/// soon after it) is a check.
pub(super) fn placed(mut report: SensorReport) -> SensorReport {
    for (f, _) in std::mem::take(&mut report.unsettled) {
        push(&mut report.identity, f);
    }
    report
}

/// What a request's headers say against what the page read: `Accept-Language`
/// against `navigator.languages` (and without Chrome's weights), `Sec-CH-UA-Platform`
/// against the user agent's system.
pub fn header_contradictions(report: &SensorReport, headers: &HeaderMap) -> Vec<String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut found = Vec::new();
    let language = |tag: &str| {
        tag.split(['-', ';', ','])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    let accept = header("accept-language");
    if let Some(first) = report.languages.first()
        && !accept.is_empty()
        && language(&accept) != language(first)
    {
        found.push(format!(
            "Accept-Language is {accept}, navigator.languages {first}"
        ));
    }
    // Chrome weights every language after the first ("en-US,en;q=0.9")
    if accept.contains(',') && !accept.contains(";q=") {
        found.push(format!("Accept-Language has no weights: {accept}"));
    }
    let platform = header("sec-ch-ua-platform").trim_matches('"').to_owned();
    let ua = &report.user_agent;
    let claimed = if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("Linux") || ua.contains("X11") {
        "Linux"
    } else {
        ""
    };
    if !platform.is_empty() && !claimed.is_empty() && platform != claimed {
        found.push(format!("Sec-CH-UA-Platform is {platform}"));
    }
    found
}

fn push(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> SensorReport {
        SensorReport {
            page: "p".into(),
            url: "/jobs/view/1/".into(),
            ..SensorReport::default()
        }
    }

    #[test]
    fn a_page_finding_is_a_check_unless_the_page_closed_right_after() {
        let linux = || vec!["Sec-CH-UA-Platform is Linux".to_owned()];
        let start = Instant::now();
        let own = Source::Page { suffix: "" };
        // mid-page, two seconds before the close: a check
        let mut early = page();
        own.place(&mut early, linux(), start);
        Source::Beacon.place(&mut early, vec![], start + Duration::from_secs(2));
        early.settle();
        assert_eq!(placed(early.clone()).identity, linux());
        assert!(early.residual.is_empty());
        // in the close's last milliseconds, or after the beacon: known
        for at in [
            start + Duration::from_millis(1_990),
            start + Duration::from_secs(3),
        ] {
            let mut late = page();
            Source::Beacon.place(&mut late, vec![], start + Duration::from_secs(2));
            own.place(&mut late, linux(), at);
            late.settle();
            let late = placed(late);
            assert!(late.identity.is_empty(), "{:?}", late.identity);
            assert_eq!(
                late.residual,
                ["Sec-CH-UA-Platform is Linux (sent as the page closed)"]
            );
        }
        // no beacon at all (the page never closed, or its beacon was lost): a check
        let mut open = page();
        own.place(&mut open, linux(), start);
        open.settle();
        assert_eq!(placed(open).identity, linux());
        // the beacon's own request: known at once; a worker's: a check at once
        let mut beacon = page();
        Source::Beacon.place(&mut beacon, linux(), start);
        assert_eq!(
            beacon.residual,
            ["Sec-CH-UA-Platform is Linux (a beacon sent as the page closed)"]
        );
        let mut worker = page();
        Source::Worker.place(&mut worker, linux(), start);
        assert_eq!(
            worker.identity,
            ["Sec-CH-UA-Platform is Linux (a worker's request)"]
        );
    }
}
