//! The demo's users (sessions encrypted like real ones, a profile, a résumé) and its
//! nine applications (four markup generations, one account in French, two that wait
//! on a question the demo then answers), each with where it must end.

use std::collections::HashMap;

use crate::{
    config::Config,
    domain::{ApplicationId, ApplicationStatus, Platform, UserId},
    exit::{self, Failure},
    replica::Replica,
    session::{self, SessionKey},
    store::{Enqueued, NewApplication, NewSession, StoreAdmin, sqlite::SqliteStore},
};

use super::fail;

/// Demo users' LinkedIn sessions on the replica.
pub(super) const ADA_LI_AT: &str = "demo-ada-session";
pub(super) const GRACE_LI_AT: &str = "revoked-demo-grace-session";
pub(super) const CLAIRE_LI_AT: &str = "demo-claire-session";

/// The demo's users: name, session, and the display language of the account (the
/// export's `lang` cookie, as LinkedIn sets it).
const USERS: [(&str, &str, &str); 3] = [
    ("ada", ADA_LI_AT, "en-us"),
    ("grace", GRACE_LI_AT, "en-us"),
    ("claire", CLAIRE_LI_AT, "fr-fr"),
];

/// One demo application: who, which replica job, and where it must end.
pub(super) struct Case {
    pub(super) user: &'static str,
    pub(super) job: u64,
    pub(super) expect: (ApplicationStatus, Option<&'static str>),
    pub(super) what: &'static str,
    /// the application names its résumé, and the summary lists its receipt (what was
    /// sent) question by question
    pub(super) receipt: bool,
    /// where it must end once the demo has answered the user's questions (as
    /// `autoapply answer --file` does), when it waits on them first
    pub(super) then: Option<(ApplicationStatus, Option<&'static str>)>,
}

impl Case {
    /// Where it must end in the end.
    pub(super) fn last(&self) -> (ApplicationStatus, Option<&'static str>) {
        self.then.unwrap_or(self.expect)
    }
}

/// The demo's answer to the question its applications wait on.
pub(super) const SHIFT_ANSWER: (&str, &str) = ("Which shift do you prefer?", "Night");

pub(super) const CASES: [Case; 9] = [
    Case {
        user: "ada",
        job: 1047,
        expect: (ApplicationStatus::NeedsUser, Some("unknown_questions")),
        what: "waits on a question; answered once (autoapply answer --file), then sent",
        receipt: true,
        then: Some((ApplicationStatus::Submitted, None)),
    },
    Case {
        user: "ada",
        job: 1049,
        expect: (ApplicationStatus::NeedsUser, Some("unknown_questions")),
        what: "waits on the same question: the same answer sends it too",
        receipt: false,
        then: Some((ApplicationStatus::Submitted, None)),
    },
    Case {
        user: "ada",
        job: 1002,
        expect: (ApplicationStatus::Submitted, None),
        what: "multi-step Easy Apply, every answer from the profile",
        receipt: false,
        then: None,
    },
    Case {
        user: "ada",
        job: 1018,
        expect: (ApplicationStatus::Submitted, None),
        what: "the same form found by roles, labels and button text",
        receipt: false,
        then: None,
    },
    Case {
        user: "ada",
        job: 1030,
        expect: (ApplicationStatus::Submitted, None),
        what: "the application's résumé, an opt-in left unticked, a receipt",
        receipt: true,
        then: None,
    },
    Case {
        user: "claire",
        job: 1017,
        expect: (ApplicationStatus::Submitted, None),
        what: "an account in French: French buttons, questions and options",
        receipt: true,
        then: None,
    },
    Case {
        user: "ada",
        job: 1011,
        expect: (ApplicationStatus::NeedsUser, Some("unknown_questions")),
        what: "a required question the profile cannot answer",
        receipt: false,
        then: None,
    },
    Case {
        user: "ada",
        job: 1003,
        expect: (ApplicationStatus::Skipped, Some("already_applied")),
        what: "LinkedIn shows the job as already applied",
        receipt: false,
        then: None,
    },
    Case {
        user: "grace",
        job: 1001,
        expect: (ApplicationStatus::NeedsUser, Some("session_expired")),
        what: "LinkedIn logged the user's session out",
        receipt: false,
        then: None,
    },
];

/// A cookie export as a browser extension writes it, for the site's real host (the
/// worker moves the cookies to the replica's origin, as it does for real exports).
pub(super) fn cookie_export(li_at: &str, domain: &str, lang: &str) -> serde_json::Value {
    serde_json::json!({
        "cookies": [
            {"domain": domain, "expirationDate": 4102444800.0, "httpOnly": true, "name": "li_at",
             "path": "/", "sameSite": "no_restriction", "secure": true, "session": false, "value": li_at},
            {"domain": domain, "expirationDate": 4102444800.0, "httpOnly": false, "name": "JSESSIONID",
             "path": "/", "sameSite": "no_restriction", "secure": true, "session": false, "value": "\"ajax:0000000000\""},
            {"domain": domain, "httpOnly": false, "name": "lang", "path": "/", "sameSite": "no_restriction",
             "secure": true, "session": true, "value": format!("v=2&lang={lang}")}
        ],
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    })
}

/// A demo user's profile: the example's facts under their own name.
fn profile_of(name: &str) -> serde_json::Value {
    let mut profile = crate::domain::profile::example();
    if name == "grace" {
        profile["contact"]["first_name"] = "Grace".into();
        profile["contact"]["last_name"] = "Hopper".into();
    }
    if name == "claire" {
        profile["contact"]["first_name"] = "Claire".into();
        profile["contact"]["last_name"] = "Dubois".into();
        // her explicit answers are written as she saw the questions: in French
        profile["answers"] = serde_json::json!([{
            "question": "J'accepte le traitement de mes données personnelles pour cette candidature",
            "answer": "Oui"
        }]);
    }
    profile
}

/// A demo user's résumé, written in the résumé folder (the worker uploads from
/// nowhere else).
fn resume_of(config: &Config, name: &str) -> Result<std::path::PathBuf, Failure> {
    let file = if name == "claire" {
        "resume-claire-dubois.pdf"
    } else {
        "resume-ada-lovelace.pdf"
    };
    let path = config.resume_dir.join(file);
    std::fs::write(&path, b"%PDF-1.4\n% curriculum vitae (demo)\n")
        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

/// Three users, their sessions and profiles, and the nine applications.
pub(super) async fn seed(
    store: &SqliteStore,
    key: &SessionKey,
    config: &Config,
) -> Result<Vec<(ApplicationId, &'static Case)>, Failure> {
    let store_err = |e: crate::store::StoreError| Failure {
        code: exit::STORE,
        message: e.to_string(),
    };
    // in the résumé folder: the worker uploads from nowhere else
    std::fs::create_dir_all(&config.resume_dir).map_err(|e| {
        fail(format!(
            "cannot create {}: {e}",
            config.resume_dir.display()
        ))
    })?;
    let site = config
        .selectors
        .load(Platform::Linkedin.as_str())
        .map_err(|e| fail(e.to_string()))?;
    let domain = format!(".{}", site.origin.host_str().unwrap_or_default());
    let mut users = HashMap::new();
    let mut resumes = HashMap::new();
    for (name, li_at, lang) in USERS {
        let user = UserId::new_random();
        let export = zeroize::Zeroizing::new(cookie_export(li_at, &domain, lang).to_string());
        let sealed = session::encrypt(key, config.session_encoding, export.as_bytes());
        store
            .put_session(&NewSession {
                user_id: user,
                platform: Platform::Linkedin,
                sealed,
                user_agent: None,
            })
            .await
            .map_err(store_err)?;
        let resume = resume_of(config, name)?.display().to_string();
        store
            .put_profile(user, &profile_of(name), Some(&resume))
            .await
            .map_err(store_err)?;
        users.insert(name, user);
        resumes.insert(name, resume);
    }
    let mut seeded = Vec::new();
    for case in &CASES {
        let new = NewApplication {
            user_id: users[case.user],
            job_url: Replica::linkedin_job_url(case.job),
            external_job_id: case.job.to_string(),
            max_attempts: 3,
            // the October 2026 form sends the résumé the platform chose, not
            // LinkedIn's preselected card
            resume_path: case.receipt.then(|| resumes[case.user].clone()),
        };
        let (Enqueued::Added(row) | Enqueued::Exists(row)) =
            store.enqueue(&new).await.map_err(store_err)?;
        seeded.push((row.id, case));
    }
    Ok(seeded)
}
