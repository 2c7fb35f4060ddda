//! The user's answers to the questions the worker asked (`needs_user/unknown_questions`),
//! given back: each checked against the question it answers, merged into the
//! profile's explicit answers (a later answer to a question replaces the earlier), and
//! every application of the user whose pending questions are then all answered moved
//! back to `queued`, no attempt spent. All or nothing: one refused answer and nothing
//! changes. A choice must be one of its options, a field that takes whole numbers a
//! whole number, a required answer not empty. The embedded store runs these functions; the SQL function
//! `answer_pending_questions` (supabase/migrations) is their twin, with the same
//! messages, and the conformance tests hold the two to each other.

use serde::{Deserialize, Serialize};

use super::ProfileRow;
use crate::domain::ApplicationId;

/// One answer the user gives: the question as it was pending, and the answer (an
/// option's text for a choice; options joined by commas for boxes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GivenAnswer {
    /// the question, as `pending_questions` holds it
    pub question: String,
    /// the answer
    pub answer: String,
}

/// What answering did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerResult {
    /// applications moved back to `queued`
    pub requeued: Vec<ApplicationId>,
    /// applications still waiting, with the questions still unanswered
    pub waiting: Vec<Waiting>,
    /// answers refused, with why (any: nothing was changed)
    pub refused: Vec<Refused>,
}

/// An application that still waits on the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// the application
    pub id: ApplicationId,
    /// its questions still without an answer
    pub questions: Vec<String>,
}

/// An answer refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    /// the question as given
    pub question: String,
    /// why
    pub reason: String,
}

/// One application waiting on the user: its id and its `pending_questions`.
pub type PendingRow = (ApplicationId, serde_json::Value);

/// `now` as `merged` marks an answer: RFC 3339, whole seconds, UTC.
pub fn answered_at(now: time::OffsetDateTime) -> String {
    use time::format_description::well_known::Rfc3339;
    now.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// A question in answers' terms: case and surrounding space aside.
fn key(question: &str) -> String {
    question.trim().to_lowercase()
}

/// Whether the user's profile already answers `question` (as `pending_questions`
/// names it): such a question is asked no more.
pub fn answered(profile: Option<&ProfileRow>, question: &str) -> bool {
    profile
        .and_then(|row| row.profile.as_ref().ok())
        .is_some_and(|p| p.answers.iter().any(|a| key(&a.question) == key(question)))
}

/// Why each refused answer of `given` is refused, checked against the questions
/// pending on the user's applications (`rows`); empty when every answer holds.
pub fn refusals(given: &[GivenAnswer], rows: &[PendingRow]) -> Vec<Refused> {
    let questions: Vec<&serde_json::Value> = rows
        .iter()
        .filter_map(|(_, p)| p.as_array())
        .flatten()
        .collect();
    let mut refused = Vec::new();
    for (i, g) in given.iter().enumerate() {
        let refuse = |reason: String| Refused {
            question: g.question.clone(),
            reason,
        };
        let asked = questions
            .iter()
            .find(|q| q["label"].as_str() == Some(g.question.trim()));
        let Some(asked) = asked else {
            refused.push(refuse("not a question pending for this user".into()));
            continue;
        };
        if given[..i]
            .iter()
            .any(|o| key(&o.question) == key(&g.question))
        {
            refused.push(refuse("answered more than once".into()));
            continue;
        }
        let answer = g.answer.trim();
        if answer.is_empty() {
            refused.push(refuse("an answer is required".into()));
            continue;
        }
        let options: Vec<&str> = asked["options"]
            .as_array()
            .map(|o| o.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let chosen: Vec<&str> = match asked["kind"].as_str() {
            Some("select" | "radio") => vec![answer],
            Some("checkbox") => answer.split(',').map(str::trim).collect(),
            _ => Vec::new(),
        };
        if chosen.iter().any(|c| !options.contains(c)) {
            refused.push(refuse(format!(
                "not one of its options: {}",
                options.join(" | ")
            )));
        } else if asked["whole_number"].as_bool() == Some(true)
            && !answer.bytes().all(|b| b.is_ascii_digit())
        {
            refused.push(refuse("a whole number is expected".into()));
        } else if asked["kind"].as_str() == Some("date")
            && crate::domain::profile::parse_iso_date(answer)
                .is_none_or(|d| d.to_string() != answer)
        {
            refused.push(refuse("a date is expected, as YYYY-MM-DD".into()));
        }
    }
    refused
}

/// The profile's explicit answers (`profile["answers"]`) with `given` merged in, each
/// marked `answered_at` (RFC 3339, whole seconds, UTC): a later answer to the same
/// question replaces the earlier one.
pub fn merged(
    existing: &serde_json::Value,
    given: &[GivenAnswer],
    answered_at: &str,
) -> serde_json::Value {
    let mut out: Vec<serde_json::Value> = existing
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| {
                    let q = e["question"].as_str().unwrap_or_default();
                    !given.iter().any(|g| key(&g.question) == key(q))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    out.extend(given.iter().map(|g| {
        serde_json::json!({"question": g.question.trim(), "answer": g.answer.trim(),
                                   "answered_at": answered_at})
    }));
    serde_json::Value::Array(out)
}

/// Which of `rows` the profile's explicit `answers` now unblock (every pending
/// question answered), and which still wait, on what.
pub fn unblocked(
    answers: &serde_json::Value,
    rows: &[PendingRow],
) -> (Vec<ApplicationId>, Vec<Waiting>) {
    let known: Vec<String> = answers
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["question"].as_str())
                .map(key)
                .collect()
        })
        .unwrap_or_default();
    let (mut requeued, mut waiting) = (Vec::new(), Vec::new());
    for (id, pending) in rows {
        let open: Vec<String> = pending
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|q| q["label"].as_str())
                    .filter(|l| !known.contains(&key(l)))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        if open.is_empty() {
            requeued.push(*id);
        } else {
            waiting.push(Waiting {
                id: *id,
                questions: open,
            });
        }
    }
    (requeued, waiting)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(question: &str, answer: &str) -> GivenAnswer {
        GivenAnswer {
            question: question.into(),
            answer: answer.into(),
        }
    }

    fn id(n: u8) -> ApplicationId {
        ApplicationId::parse(&format!("00000000-0000-4000-8000-0000000000{n:02}")).unwrap()
    }

    #[test]
    fn answers_are_checked_merged_and_unblock_what_they_answer() {
        let shift = serde_json::json!({"label": "Which shift do you prefer?", "kind": "select",
            "required": true, "options": ["Day", "Night"]});
        let cobol = serde_json::json!({"label": "Years of COBOL?", "kind": "text",
            "required": true, "options": [], "whole_number": true});
        let rows = vec![
            (id(1), serde_json::json!([shift])),
            (id(2), serde_json::json!([shift, cobol])),
        ];
        assert!(refusals(&[given("Which shift do you prefer?", "Night")], &rows).is_empty());
        let bad = refusals(
            &[
                given("Which shift do you prefer?", "Evening"),
                given("Years of Fortran?", "3"),
                given("Years of COBOL?", "  "),
                given("Years of COBOL?", "2"),
            ],
            &rows,
        );
        assert_eq!(
            refusals(&[given("Years of COBOL?", "2.5")], &rows)[0].reason,
            "a whole number is expected"
        );
        assert!(refusals(&[given("Years of COBOL?", "12")], &rows).is_empty());
        let reasons: Vec<&str> = bad.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "not one of its options: Day | Night",
                "not a question pending for this user",
                "an answer is required",
                "answered more than once",
            ]
        );
        let answers = merged(
            &serde_json::json!([{"question": "which shift do you prefer?", "answer": "Day"},
                                {"question": "Other?", "answer": "x"}]),
            &[given("Which shift do you prefer?", "Night")],
            "2026-12-06T07:46:10Z",
        );
        assert_eq!(
            answers,
            serde_json::json!([{"question": "Other?", "answer": "x"},
                               {"question": "Which shift do you prefer?", "answer": "Night",
                                "answered_at": "2026-12-06T07:46:10Z"}]),
            "the later answer replaces the earlier"
        );
        let (requeued, waiting) = unblocked(&answers, &rows);
        assert_eq!(requeued, [id(1)]);
        assert_eq!(
            waiting,
            [Waiting {
                id: id(2),
                questions: vec!["Years of COBOL?".into()]
            }]
        );
    }
}
