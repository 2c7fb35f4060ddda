//! Dates: the earliest start date a date field asks for, from what the user stated
//! (a date they are free from, or that they can start at once), and the layout the
//! field wants it in, read from its own placeholder ("mm/dd/yyyy", "TT.MM.JJJJ").
//! A field whose layout cannot be read is asked, never typed in a guessed order:
//! 06/12 is June in one country and December in the next.

use time::Date;

use super::lexicon::has;
use crate::domain::ApplicantProfile;

/// The date a start-date question is answered with: the day the user is free from
/// (`available_from`), or today when that day has passed or when they can start at
/// once; `None` when the profile states neither (asked).
pub(super) fn start_date(profile: &ApplicantProfile, label: &str, today: Date) -> Option<Date> {
    if !has("start_date", label) {
        return None;
    }
    match (profile.available_from, profile.start_immediately) {
        (Some(from), _) => Some(from.max(today)),
        (None, Some(true)) => Some(today),
        _ => None,
    }
}

pub(super) use crate::domain::profile::parse_iso_date as parse_iso;

/// One part of a date, as a placeholder names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Day(usize),
    Month(usize),
    Year(usize),
}

/// `date` in the layout `placeholder` shows: its parts in its order, as many digits
/// as its letters, its separators. `None` when the placeholder is not a layout of a
/// day, a month and a year (no placeholder, "Select a date", a browser's own date
/// input): the question is then asked.
pub(super) fn in_layout(date: Date, placeholder: &str) -> Option<String> {
    let mut parts = Vec::new();
    let mut separators = Vec::new();
    let mut letters = String::new();
    let mut separator = String::new();
    for c in placeholder.trim().chars().chain(std::iter::once(' ')) {
        if c.is_alphabetic() {
            if !separator.is_empty() && !parts.is_empty() {
                separators.push(std::mem::take(&mut separator));
            }
            separator.clear();
            letters.push(c);
        } else {
            if !letters.is_empty() {
                parts.push(part(&std::mem::take(&mut letters))?);
            }
            separator.push(c);
        }
    }
    let kinds = |f: fn(&Part) -> bool| parts.iter().filter(|p| f(p)).count();
    if parts.len() != 3
        || kinds(|p| matches!(p, Part::Day(_))) != 1
        || kinds(|p| matches!(p, Part::Month(_))) != 1
        || kinds(|p| matches!(p, Part::Year(_))) != 1
        || separators.len() != 2
    {
        return None;
    }
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        out.push_str(&match *p {
            Part::Day(w) => format!("{:0w$}", date.day()),
            Part::Month(w) => format!("{:0w$}", u8::from(date.month())),
            Part::Year(w) if w >= 3 => format!("{:04}", date.year()),
            // a two-letter year is the year's last two digits
            Part::Year(_) => format!("{:02}", date.year().rem_euclid(100)),
        });
        if let Some(s) = separators.get(i) {
            out.push_str(s);
        }
    }
    Some(out)
}

/// A run of one letter, in the languages' words for day, month and year: four (or
/// three) letters are a year ("yyyy", "aaaa", German "JJJJ"), an `m` run a month, a
/// `y`/`a` run a year, a `d`/`j`/`t` run a day (French "jj" is a day, German "JJJJ"
/// a year: told apart by length).
fn part(letters: &str) -> Option<Part> {
    let lower = letters.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next()?;
    if chars.any(|c| c != first) {
        return None;
    }
    let n = lower.chars().count();
    match first {
        _ if n >= 3 && "yajt".contains(first) => Some(Part::Year(n)),
        'm' if n <= 2 => Some(Part::Month(n)),
        'y' | 'a' if n == 2 => Some(Part::Year(n)),
        'd' | 'j' | 't' if n <= 2 => Some(Part::Day(n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_date_is_written_in_the_layout_its_placeholder_shows() {
        let d = date!(2027 - 01 - 05);
        assert_eq!(
            in_layout(date!(2027 - 11 - 25), "m/d/yyyy").as_deref(),
            Some("11/25/2027")
        );
        for (placeholder, want) in [
            ("mm/dd/yyyy", Some("01/05/2027")),
            ("MM/DD/YYYY", Some("01/05/2027")),
            ("dd/mm/yyyy", Some("05/01/2027")),
            ("jj/mm/aaaa", Some("05/01/2027")),
            ("TT.MM.JJJJ", Some("05.01.2027")),
            ("dd/mm/aaaa", Some("05/01/2027")),
            ("yyyy-mm-dd", Some("2027-01-05")),
            ("m/d/yyyy", Some("1/5/2027")),
            ("dd mm yyyy", Some("05 01 2027")),
            ("mm/dd/yy", Some("01/05/27")),
            ("", None),
            ("Select a date", None),
            ("mm/yyyy", None),
            ("mm/mm/yyyy", None),
            ("dd-mm", None),
        ] {
            assert_eq!(
                in_layout(d, placeholder).as_deref(),
                want,
                "{placeholder:?}"
            );
        }
    }

    #[test]
    fn the_start_date_is_the_users_own_never_one_in_the_past() {
        let today = date!(2026 - 12 - 06);
        let question = super::super::normalize("What is your earliest start date?");
        let with = |json| ApplicantProfile::from_json(&json).unwrap();
        let from = |d: &str| with(serde_json::json!({ "available_from": d }));
        assert_eq!(
            start_date(&from("2027-02-01"), &question, today),
            Some(date!(2027 - 02 - 01))
        );
        assert_eq!(
            start_date(&from("2026-01-01"), &question, today),
            Some(today),
            "a day already past: free today"
        );
        let at_once = with(serde_json::json!({ "start_immediately": true }));
        assert_eq!(start_date(&at_once, &question, today), Some(today));
        let not_at_once =
            with(serde_json::json!({ "start_immediately": false, "notice_period_days": 30 }));
        assert_eq!(
            start_date(&not_at_once, &question, today),
            None,
            "a notice period is not a start date: asked"
        );
        assert_eq!(
            start_date(&at_once, "how did you hear about us", today),
            None
        );
        assert!(
            ApplicantProfile::from_json(&serde_json::json!({ "available_from": "01/02/2027" }))
                .is_err(),
            "only YYYY-MM-DD is a date"
        );
    }

    #[test]
    fn a_date_field_gets_a_date_in_its_layout_or_is_asked() {
        use crate::{answers::Resolution, page::FieldKind};
        let field = |label: &str, format: &str, value: &str| -> crate::page::Field {
            serde_json::from_value(serde_json::json!({
                "handle": 0, "label": label, "kind": FieldKind::Date, "required": true,
                "value": value, "format": format
            }))
            .unwrap()
        };
        let profile = ApplicantProfile::from_json(&serde_json::json!({
            "available_from": "2099-01-02",
            "notice_period_days": 30,
            "answers": [{"question": "Date of your last exam", "answer": "2099-03-04"},
                        {"question": "Date of your first exam", "answer": "March 4th"}]
        }))
        .unwrap();
        let resolve = |f: &crate::page::Field| super::super::resolve(f, &profile, None, false);
        let start = "Earliest start date";
        assert_eq!(
            resolve(&field(start, "mm/dd/yyyy", "")),
            Resolution::Type("01/02/2099".into())
        );
        assert_eq!(
            resolve(&field(start, "TT.MM.JJJJ", "")),
            Resolution::Type("02.01.2099".into())
        );
        assert_eq!(
            resolve(&field(start, "mm/dd/yyyy", "01/02/2099")),
            Resolution::Keep
        );
        assert_eq!(
            resolve(&field(start, "mm/dd/yyyy", "05/05/2098")),
            Resolution::Type("01/02/2099".into()),
            "a prefilled date the profile contradicts is replaced"
        );
        assert_eq!(
            resolve(&field(start, "", "")),
            Resolution::Unknown,
            "no layout to write it in (the browser's own date input): asked"
        );
        assert_eq!(
            resolve(&field("Date of your last exam", "dd/mm/yyyy", "")),
            Resolution::Type("04/03/2099".into()),
            "the user's own answer, in the field's layout"
        );
        assert_eq!(
            resolve(&field("Date of your first exam", "dd/mm/yyyy", "")),
            Resolution::Unknown,
            "an answer that is not YYYY-MM-DD is not guessed at"
        );
        assert_eq!(
            resolve(&field("Notice period end date", "dd/mm/yyyy", "")),
            Resolution::Unknown,
            "no other fact fills a date: never 30 in a date field"
        );
        assert_eq!(
            resolve(&field("Graduation date", "dd/mm/yyyy", "01/06/2020")),
            Resolution::KeepPrefilled
        );
    }
}
