//! Choosing among a question's options: yes and no in the five languages, the
//! numbers an option speaks of ("2-4 years", "5+"), a place by its first words, a
//! phone country by its dialling code. Never a guess among several.

use super::{Resolution, Value, normalize};
use crate::page::Field;

pub(super) fn yes_no(text: &str) -> Option<bool> {
    match normalize(text).as_str() {
        "yes" | "y" | "true" | "i agree" | "agree" | "i do" | "i consent" => Some(true),
        "no" | "n" | "false" | "i do not" | "i don t" => Some(false),
        // the display languages of selectors/linkedin.toml (fr, de, es, pt)
        "oui" | "ja" | "sí" | "si" | "sim" => Some(true),
        "non" | "nein" | "não" | "nao" => Some(false),
        _ => None,
    }
}

/// Numbers an option speaks of: "2-4 years" → (2, 4), "5+" → (5, max), "30 days" → (30, 30).
fn option_range(option: &str) -> Option<(u64, u64)> {
    let norm = normalize(option);
    let numbers: Vec<u64> = norm
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    match numbers.as_slice() {
        [n] if norm.contains('+') || norm.contains("more than") || norm.contains("or more") => {
            Some((*n, u64::MAX))
        }
        [n] if norm.contains("less than") || norm.contains("under") => {
            Some((0, n.saturating_sub(1)))
        }
        [n] => Some((*n, *n)),
        [a, b, ..] => Some((*a.min(b), *a.max(b))),
        [] => None,
    }
}

pub(super) fn choose(options: &[String], value: &Value) -> Option<String> {
    match value {
        Value::Bool(b) => options.iter().find(|o| yes_no(o) == Some(*b)).cloned(),
        Value::Number(n) => options
            .iter()
            .find(|o| option_range(o).is_some_and(|(lo, hi)| (lo..=hi).contains(n)))
            .cloned(),
        // 4.5 years is in "3-5 years" and in "4+ years", never in "4 years" or "5 years"
        Value::Years(y) => options
            .iter()
            .find(|o| {
                option_range(o).is_some_and(|(lo, hi)| {
                    let (lo, hi) = (lo as f64, hi as f64);
                    if lo == hi {
                        *y == lo
                    } else {
                        (lo..=hi).contains(y)
                    }
                })
            })
            .cloned(),
        Value::Text(t) => {
            let want = normalize(t);
            options
                .iter()
                .find(|o| normalize(o) == want)
                .or_else(|| {
                    options
                        .iter()
                        .find(|o| yes_no(o).is_some() && yes_no(o) == yes_no(t))
                })
                .or_else(|| {
                    // "London" picks "London, England, United Kingdom"; never a guess among several
                    let hits: Vec<&String> = options
                        .iter()
                        .filter(|o| {
                            !want.is_empty()
                                && (normalize(o).starts_with(&want)
                                    || want.starts_with(&normalize(o)))
                        })
                        .collect();
                    (hits.len() == 1).then(|| hits[0])
                })
                .or_else(|| {
                    // a phone country by its dialling code, in any language:
                    // "Royaume-Uni (+44)" for "United Kingdom (+44)"; never among several
                    let code = dialling_code(t)?;
                    let hits: Vec<&String> = options
                        .iter()
                        .filter(|o| dialling_code(o) == Some(code))
                        .collect();
                    (hits.len() == 1).then(|| hits[0])
                })
                .cloned()
        }
    }
}

/// The dialling code a phone-country text carries: `(+44)` → 44.
fn dialling_code(text: &str) -> Option<u32> {
    let at = text.find("(+")?;
    let digits: String = text[at + 2..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    text[at + 2 + digits.len()..]
        .starts_with(')')
        .then(|| digits.parse().ok())
        .flatten()
}

/// The boxes of a checkbox field to tick for `value`: a lone box by yes or no, a
/// group by the options named (all of them found, else none).
pub(super) fn ticks(field: &Field, value: &Value) -> Option<Vec<String>> {
    Some(match value {
        Value::Bool(true) if field.options.len() == 1 => field.options.clone(),
        Value::Bool(false) => Vec::new(),
        Value::Text(t) if field.options.len() == 1 && yes_no(t).is_some() => {
            if yes_no(t) == Some(true) {
                field.options.clone()
            } else {
                Vec::new()
            }
        }
        Value::Text(t) => {
            let wanted: Vec<String> = t
                .split([',', ';'])
                .map(normalize)
                .filter(|s| !s.is_empty())
                .collect();
            let picked: Vec<String> = field
                .options
                .iter()
                .filter(|o| wanted.contains(&normalize(o)))
                .cloned()
                .collect();
            if picked.len() != wanted.len() {
                return None;
            }
            picked
        }
        _ => return None,
    })
}

/// An answer for a field that takes whole numbers only: a decimal (`4.5`, `4,5`)
/// becomes its whole part, never rounded up; a whole number (`5`, `5.0`) is typed
/// as a whole number; anything else — text, or three digits after the separator
/// (`100,000`, `100.000`: thousands, not a fraction) — as it is, and LinkedIn's own
/// check then speaks.
pub(super) fn whole_number(text: String) -> Resolution {
    let t = text.trim();
    let (int, frac) = t.split_once(['.', ',']).unwrap_or((t, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !(frac.is_empty() || digits(frac)) || frac.len() == 3 {
        return Resolution::Type(text);
    }
    let whole = int.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole }.to_owned();
    if frac.bytes().all(|b| b == b'0') {
        return Resolution::Type(whole);
    }
    Resolution::Whole {
        typed: whole,
        given: t.to_owned(),
    }
}
