//! What each ending tells an operator (and the user), by reason: no secret, no
//! answer, and what to do next.

/// `already_applied`
pub(super) const ALREADY_APPLIED: &str = "LinkedIn shows this job as already applied";

/// `not_easy_apply`
pub(super) const NOT_EASY_APPLY: &str =
    "the job has no Easy Apply (it applies on the company's site)";

/// `job_closed`
pub(super) const JOB_CLOSED: &str = "the job no longer accepts applications";

/// `session_expired`
pub(super) const SESSION_EXPIRED: &str =
    "LinkedIn logged the session out: the user must reconnect their LinkedIn account";

/// `session_checkpoint`
pub(super) const SESSION_CHECKPOINT: &str = "LinkedIn asked for a security check (checkpoint or captcha): the user must clear it in their own browser and reconnect";

/// `modal_missing`
pub(super) const MODAL_MISSING: &str = "Easy Apply was clicked but its form never opened: tried again on the next UTC day (the apply control is clicked at most once a day); if this repeats, check modal.root in selectors/linkedin.toml";

/// `job_page_unreadable`, the top card rendered
pub(super) const JOB_PAGE_NO_CONTROL: &str = "the job page rendered but shows no apply control and no status the site file knows: if this repeats, check job.easy_apply and job.already_applied_texts in selectors/linkedin.toml (`autoapply selectors check --html`)";

/// `job_page_unreadable`, nothing rendered
pub(super) const JOB_PAGE_UNREAD: &str = "the job page showed nothing the site file recognises in time: if this repeats, check job.loaded in selectors/linkedin.toml (`autoapply selectors check --html`)";

/// `resume_mismatch`
pub(super) const RESUME_MISMATCH: &str = "the user gave a résumé but LinkedIn kept another one selected: nothing was submitted; check the résumé step's screenshot";

/// `too_many_steps`
pub(super) const TOO_MANY_STEPS: &str =
    "the form had more steps than any Easy Apply form: check the screenshot";

/// `submit_unconfirmed`
pub(super) const SUBMIT_UNCONFIRMED: &str = "Submit was clicked but no confirmation appeared: LinkedIn is checked before anything else happens";

/// `verified_not_applied`
pub(super) const VERIFIED_NOT_APPLIED: &str = "a submit was interrupted; two looks a settle time apart showed no application for this job on LinkedIn, so it is applied again";

/// `verification_inconclusive`
pub(super) const VERIFICATION_INCONCLUSIVE: &str = "a submit was interrupted and LinkedIn's job page does not tell whether it went in: checked again later";

/// `session_missing`
pub(super) const SESSION_MISSING: &str =
    "the user has no stored LinkedIn session: they must connect their account";

/// `profile_missing`
pub(super) const PROFILE_MISSING: &str =
    "the user has no applicant profile: nothing can be answered";

/// `session_unreadable`, whatever the cause
pub(super) const SESSION_UNREADABLE: &str = "the stored session cannot be opened (not written with this \
     worker's AES_SESSION_KEY, or damaged): the user must reconnect LinkedIn; an operator \
     sees the cause with `autoapply session inspect --user-id`";

/// `invalid_job_url`
pub(super) const INVALID_JOB_URL: &str = "job_url is not a LinkedIn job page";

/// `linkedin_daily_limit`
pub(super) const LINKEDIN_DAILY_LIMIT: &str = "LinkedIn's own Easy Apply daily limit was reached for this user: their applications wait for the next UTC day";

/// `linkedin_throttled`
pub(super) const LINKEDIN_THROTTLED: &str = "LinkedIn paused Easy Apply for this user (\"applying at a fast pace\"): their applications wait for the pause (AUTOAPPLY_THROTTLE_PAUSE_SECS) without spending an attempt; going on would risk a restriction";

/// `kill_switch` (a give-back)
pub(super) const KILL_SWITCH: &str = "the fleet's daily cap of LinkedIn actions is reached: nothing was sent; the row runs when the cap reopens (the next UTC day), no attempt spent";

/// `user_daily_limit`
pub(super) const USER_DAILY_LIMIT: &str =
    "the user's daily submission cap is reached: their applications wait for the next UTC day";
