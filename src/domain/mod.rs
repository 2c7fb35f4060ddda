//! Domain types: identifiers, statuses, reasons and outcomes. Parsed and validated
//! here, free of I/O, so every other module can trust them.

pub mod profile;

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use profile::{ApplicantProfile, ProfileError};

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Not a UUID in its canonical hyphenated form.
    #[error("{kind} must be a UUID like 123e4567-e89b-12d3-a456-426614174000")]
    NotUuid {
        /// which identifier was being parsed
        kind: &'static str,
    },
}

/// Parses a canonical hyphenated UUID, the only form accepted from the outside,
/// since application ids become file names.
fn parse_canonical_uuid(input: &str, kind: &'static str) -> Result<Uuid, IdError> {
    let trimmed = input.trim();
    if trimmed.len() != 36 {
        return Err(IdError::NotUuid { kind });
    }
    Uuid::try_parse(trimmed).map_err(|_| IdError::NotUuid { kind })
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Parses the canonical hyphenated form; anything else is an [`IdError`].
            pub fn parse(input: &str) -> Result<Self, IdError> {
                parse_canonical_uuid(input, $kind).map(Self)
            }

            /// A fresh random id.
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }

            /// The inner UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // always the lower-case hyphenated form: safe as a file name
                write!(f, "{}", self.0.hyphenated())
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

uuid_id!(
    /// The id of one row of `job_applications`.
    ApplicationId,
    "application id"
);
uuid_id!(
    /// The platform's id of a job seeker.
    UserId,
    "user id"
);

/// The fencing token handed out with a claim. Every later change of the row must
/// present it; a worker whose lease was taken over holds a stale token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeaseToken(pub i64);

/// What a worker holds while it works on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// the claimed application
    pub id: ApplicationId,
    /// its fencing token
    pub token: LeaseToken,
}

/// The status of an application (the `status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// waiting for a worker (also: waiting for a retry)
    Queued,
    /// a worker holds the lease and has not begun submitting
    Claimed,
    /// the submit gate was passed: the click may have reached LinkedIn
    Submitting,
    /// LinkedIn confirmed the application
    Submitted,
    /// gave up: no attempts left, or an error a retry would not fix
    Failed,
    /// the job seeker must act: answer questions, reconnect the account
    NeedsUser,
    /// a submit may have happened without a recorded outcome: check LinkedIn first
    NeedsVerification,
    /// nothing to do: already applied, no Easy Apply, job closed
    Skipped,
    /// withdrawn by the platform or the user
    Cancelled,
}

impl ApplicationStatus {
    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Claimed => "claimed",
            Self::Submitting => "submitting",
            Self::Submitted => "submitted",
            Self::Failed => "failed",
            Self::NeedsUser => "needs_user",
            Self::NeedsVerification => "needs_verification",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for ApplicationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The platform a session or application belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// LinkedIn Easy Apply, the only platform so far
    Linkedin,
}

impl Platform {
    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Linkedin => "linkedin",
        }
    }
}

/// The status of a stored platform session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// usable
    Valid,
    /// LinkedIn logged it out: the user must reconnect
    Expired,
    /// LinkedIn asked for a checkpoint or captcha: the user must clear it
    Checkpoint,
}

impl SessionStatus {
    /// The column value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expired => "expired",
            Self::Checkpoint => "checkpoint",
        }
    }
}

/// What a worker records when it is done with a claimed application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    /// confirmed by LinkedIn
    Submitted,
    /// final failure
    Failed,
    /// the user must act
    NeedsUser,
    /// LinkedIn must be checked before any retry
    NeedsVerification,
    /// nothing to do
    Skipped,
    /// withdrawn
    Cancelled,
    /// try again later (stored as `queued`; `failed` once the attempts are spent)
    #[serde(rename = "queued")]
    RetryLater,
}

impl OutcomeStatus {
    /// The value `finish_application` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Failed => "failed",
            Self::NeedsUser => "needs_user",
            Self::NeedsVerification => "needs_verification",
            Self::Skipped => "skipped",
            Self::Cancelled => "cancelled",
            Self::RetryLater => "queued",
        }
    }
}

/// The most characters of error text stored or logged for one application.
pub const MAX_ERROR_CHARS: usize = 500;

/// Cuts `text` to at most [`MAX_ERROR_CHARS`] characters, on a character boundary.
pub fn truncate_error(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((cut, _)) => text[..cut].to_owned(),
        None => text.to_owned(),
    }
}

/// Everything `finish_application` records besides status, reason and error.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutcomeDetails {
    /// when a retry may run; `None` lets the database apply its backoff
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub run_at: Option<time::OffsetDateTime>,
    /// the attempt does not count (LinkedIn's own daily limit, the user's cap)
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub keep_attempt: bool,
    /// the questions the job seeker must answer
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_questions: Option<serde_json::Value>,
    /// the evidence screenshot of this attempt
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screenshot_path: Option<String>,
    /// no claims for this user's applications before then
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub pause_user_until: Option<time::OffsetDateTime>,
    /// mark the user's session (expired or checkpoint)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_status: Option<SessionStatus>,
    /// LinkedIn showed the user logged in at this time: `platform_sessions.validated_at`
    /// (only ever moved forward; the session's status is left as it is)
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub session_validated_at: Option<time::OffsetDateTime>,
    /// what a verification run's look at the job page saw (the row's timeline)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_look: Option<Look>,
    /// what was sent for the user (`job_applications.receipt`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<serde_json::Value>,
    /// the page's display language this run read (`job_applications.display_language`)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_language: Option<String>,
}

/// What one verification look at the job page saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Look {
    /// LinkedIn shows the job as applied
    Applied,
    /// LinkedIn clearly offers to apply (its "Applied" state may still lag)
    NotApplied,
    /// the page does not tell
    Unclear,
}

impl Look {
    /// As stored in the timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::NotApplied => "not_applied",
            Self::Unclear => "unclear",
        }
    }
}

/// The outcome of one attempt, as recorded on the row.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// the status to record
    pub status: OutcomeStatus,
    /// machine-readable cause (`already_applied`, `unknown_questions`, ...)
    pub reason: Option<String>,
    /// operator-facing text; truncated to [`MAX_ERROR_CHARS`], free of secrets
    pub error: Option<String>,
    /// the rest
    pub details: OutcomeDetails,
}

impl Outcome {
    /// An outcome with a status and a reason, nothing else.
    pub fn new(status: OutcomeStatus, reason: Option<&str>) -> Self {
        Self {
            status,
            reason: reason.map(str::to_owned),
            error: None,
            details: OutcomeDetails::default(),
        }
    }

    /// Adds the operator-facing error text (truncated).
    pub fn with_error(mut self, error: &str) -> Self {
        self.error = Some(truncate_error(error));
        self
    }
}

/// A claim given back without spending the attempt: why, recorded on the row
/// (`reason`, `last_error`), and how long it waits before any worker may claim it
/// again — so that a row that cannot be run is never claimed in a loop.
#[derive(Debug, Clone, PartialEq)]
pub struct GiveBack {
    /// machine-readable cause (`shutdown`, `store_error`, `user_spacing`, ...)
    pub reason: &'static str,
    /// operator-facing text; truncated to [`MAX_ERROR_CHARS`], free of secrets
    pub error: String,
    /// the wait before the row can be claimed again
    pub after: std::time::Duration,
}

impl GiveBack {
    /// The worker is shutting down before the submit gate: the row may run at once
    /// elsewhere.
    pub fn shutdown() -> Self {
        Self {
            reason: "shutdown",
            error:
                "the worker shut down before submitting: the claim was given back, no attempt spent"
                    .into(),
            after: std::time::Duration::ZERO,
        }
    }

    /// A give-back with its cause, text and wait.
    pub fn new(reason: &'static str, error: &str, after: std::time::Duration) -> Self {
        Self {
            reason,
            error: truncate_error(error),
            after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_only_canonical_uuids() {
        let id = ApplicationId::parse("123E4567-E89B-12D3-A456-426614174000").unwrap();
        assert_eq!(id.to_string(), "123e4567-e89b-12d3-a456-426614174000");
        for bad in [
            "",
            "../../etc/passwd",
            "123e4567e89b12d3a456426614174000",
            "{123e4567-e89b-12d3-a456-426614174000}",
            "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
            "123e4567-e89b-12d3-a456-42661417400g",
        ] {
            let err = ApplicationId::parse(bad).unwrap_err();
            assert!(
                err.to_string().starts_with("application id must be a UUID"),
                "{bad}"
            );
        }
        assert!(
            UserId::parse("nope")
                .unwrap_err()
                .to_string()
                .starts_with("user id")
        );
    }

    #[test]
    fn error_text_is_cut_on_a_char_boundary() {
        let long = "é".repeat(600);
        let cut = truncate_error(&long);
        assert_eq!(cut.chars().count(), MAX_ERROR_CHARS);
        assert_eq!(truncate_error("short"), "short");
    }

    #[test]
    fn outcome_details_serialize_only_what_is_set() {
        let details = OutcomeDetails {
            keep_attempt: true,
            session_status: Some(SessionStatus::Checkpoint),
            ..OutcomeDetails::default()
        };
        let json = serde_json::to_value(&details).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"keep_attempt": true, "session_status": "checkpoint"})
        );
    }
}
