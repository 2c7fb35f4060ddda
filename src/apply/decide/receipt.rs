//! The receipt: what was sent for the user (every question's text and the answer
//! given, the résumé's file name, the follow choice), kept on the row for the platform
//! to show, and its lines as replay and the demo print them.

use serde::Serialize;

use crate::{
    answers::Resolution,
    page::{Field, FieldKind},
};

/// What was sent for the user, for the platform to show them: every question's
/// text and the answer given (as typed or chosen), the résumé's file name, the
/// follow choice. Never a cookie, key or session value. Its `Debug` shows counts only:
/// answers are personal data and stay out of logs.
#[derive(Clone, Default, PartialEq, Serialize)]
pub struct Receipt {
    /// each question answered, in the order of the form
    pub questions: Vec<ReceiptAnswer>,
    /// the résumé's file name as LinkedIn showed it selected, or as uploaded
    pub resume: Option<String>,
    /// the follow-company box at Submit
    pub follow_company: Option<bool>,
}

impl std::fmt::Debug for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receipt")
            .field("questions", &self.questions.len())
            .field("resume", &self.resume.is_some())
            .field("follow_company", &self.follow_company)
            .finish()
    }
}

/// One question of a receipt.
#[derive(Clone, PartialEq, Serialize)]
pub struct ReceiptAnswer {
    /// the question as shown
    pub question: String,
    /// text, select, radio, checkbox, ...
    pub kind: &'static str,
    /// the answer given: a text, or the ticked options of a checkbox group (an empty
    /// list: left unticked)
    pub answer: serde_json::Value,
    /// where the answer is not simply the profile's: the whole part of a decimal,
    /// LinkedIn's prefilled answer kept
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Receipt {
    /// Notes what was done with `field` (an optional question left empty is not sent,
    /// and not listed).
    pub fn note(&mut self, field: &Field, resolution: &Resolution) {
        use serde_json::Value;
        let note = match resolution {
            Resolution::Whole { given, .. } => Some(format!(
                "the whole part of {given}: the field takes whole numbers only"
            )),
            Resolution::KeepPrefilled => Some(
                "LinkedIn's prefilled answer (the user's own earlier answer), kept: the profile does not answer this"
                    .to_owned(),
            ),
            _ => None,
        };
        let answer = match (field.kind, resolution) {
            (FieldKind::FollowCompany, Resolution::Follow(follow)) => {
                self.follow_company = Some(*follow);
                return;
            }
            (FieldKind::FollowCompany, _) => {
                self.follow_company = Some(field.value == "true");
                return;
            }
            (FieldKind::File, Resolution::Upload(path)) => {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                if crate::answers::file_kind(&field.label) == crate::answers::FileKind::Resume {
                    self.resume = name;
                    return;
                }
                // another file (a cover letter): listed as the answer to its input
                Value::String(name.unwrap_or_default())
            }
            (FieldKind::File, _) => return,
            (
                _,
                Resolution::Type(text)
                | Resolution::Choose(text)
                | Resolution::Whole { typed: text, .. },
            ) => Value::String(text.clone()),
            (_, Resolution::Check(ticked)) => {
                Value::Array(ticked.iter().cloned().map(Value::String).collect())
            }
            (FieldKind::Checkbox, Resolution::Keep | Resolution::KeepPrefilled) => Value::Array(
                field
                    .checked
                    .iter()
                    .filter_map(|k| field.options.get(*k as usize).cloned())
                    .map(Value::String)
                    .collect(),
            ),
            (_, Resolution::Keep | Resolution::KeepPrefilled) if !field.value.is_empty() => {
                Value::String(field.value.clone())
            }
            _ => return,
        };
        let line = ReceiptAnswer {
            question: field.label.clone(),
            kind: field.kind.as_str(),
            answer,
            note,
        };
        // a step filled again (LinkedIn asked for a whole number): its latest answer
        match self
            .questions
            .iter_mut()
            .find(|q| q.question == line.question && q.kind == line.kind)
        {
            Some(earlier) => *earlier = line,
            None => self.questions.push(line),
        }
    }
}

impl Receipt {
    /// Marks `question`'s answer as the user's own reply of `at` (an answer they gave
    /// back for a question the worker asked earlier), unless it carries a note already.
    pub fn mark_reply(&mut self, question: &str, at: &str) {
        if let Some(line) = self
            .questions
            .iter_mut()
            .find(|q| q.question == question && q.note.is_none())
        {
            line.note = Some(format!("the user's reply of {at}"));
        }
    }
}

/// A stored receipt (`job_applications.receipt`) in lines a person reads: the
/// résumé and follow choice, then each question and the answer sent.
pub fn receipt_lines(receipt: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let questions = receipt["questions"].as_array().cloned().unwrap_or_default();
    let follow = match receipt["follow_company"].as_bool() {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not asked",
    };
    let mut lines = vec![format!(
        "receipt: {} answer(s), résumé {}, follow company: {follow}",
        questions.len(),
        receipt["resume"].as_str().unwrap_or("none")
    )];
    for q in &questions {
        let answer = match &q["answer"] {
            Value::Array(ticked) if ticked.is_empty() => "(left unticked)".to_owned(),
            Value::Array(ticked) => ticked
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            other => other.as_str().unwrap_or_default().to_owned(),
        };
        let note = q["note"]
            .as_str()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        lines.push(format!(
            "  sent: {} -> {answer}{note}",
            q["question"].as_str().unwrap_or_default()
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::page::test_field as field;

    #[test]
    fn the_receipt_holds_what_was_sent() {
        let mut receipt = Receipt::default();
        let mut text = field(FieldKind::Text, &[], "");
        text.label = "Years of Python?".into();
        receipt.note(&text, &Resolution::Type("5".into()));
        let mut boxes = field(FieldKind::Checkbox, &["AWS", "GCP"], "");
        boxes.label = "Clouds".into();
        receipt.note(&boxes, &Resolution::Check(vec!["GCP".into()]));
        let mut prefilled = field(FieldKind::Radio, &["Yes", "No"], "Yes");
        prefilled.label = "Authorized?".into();
        receipt.note(&prefilled, &Resolution::Keep);
        let skipped = field(FieldKind::Textarea, &[], "");
        receipt.note(&skipped, &Resolution::Unknown);
        let mut upload = field(FieldKind::File, &[], "");
        upload.label = "Upload resume".into();
        receipt.note(&upload, &Resolution::Upload("/r/cv.pdf".into()));
        receipt.note(
            &field(FieldKind::FollowCompany, &[], "true"),
            &Resolution::Follow(false),
        );
        assert_eq!(
            serde_json::to_value(&receipt).unwrap(),
            serde_json::json!({
                "questions": [
                    {"question": "Years of Python?", "kind": "text", "answer": "5"},
                    {"question": "Clouds", "kind": "checkbox", "answer": ["GCP"]},
                    {"question": "Authorized?", "kind": "radio", "answer": "Yes"},
                ],
                "resume": "cv.pdf",
                "follow_company": false
            })
        );
        assert_eq!(
            format!("{receipt:?}"),
            "Receipt { questions: 3, resume: true, follow_company: Some(false) }",
            "no answer in Debug"
        );
        let lines = receipt_lines(&serde_json::to_value(&receipt).unwrap());
        assert_eq!(
            lines[0],
            "receipt: 3 answer(s), résumé cv.pdf, follow company: no"
        );
        assert_eq!(lines[2], "  sent: Clouds -> GCP");
    }

    #[test]
    fn the_receipt_says_where_an_answer_is_not_simply_the_profiles() {
        let mut receipt = Receipt::default();
        let mut years = field(FieldKind::Text, &[], "");
        years.label = "Years of Go?".into();
        // a step filled again: its latest answer, once
        receipt.note(&years, &Resolution::Type("4.5".into()));
        receipt.note(
            &years,
            &Resolution::Whole {
                typed: "4".into(),
                given: "4.5".into(),
            },
        );
        let mut headline = field(FieldKind::Text, &[], "Engineer");
        headline.label = "Headline".into();
        receipt.note(&headline, &Resolution::KeepPrefilled);
        let stored = serde_json::to_value(&receipt).unwrap();
        assert_eq!(stored["questions"].as_array().unwrap().len(), 2);
        assert_eq!(stored["questions"][0]["answer"], "4");
        let lines = receipt_lines(&stored);
        assert_eq!(
            lines[1],
            "  sent: Years of Go? -> 4 (the whole part of 4.5: the field takes whole numbers only)"
        );
        assert!(lines[2].starts_with("  sent: Headline -> Engineer (LinkedIn's prefilled answer"));
    }
}
