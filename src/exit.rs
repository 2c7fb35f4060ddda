//! How a command ends: its exit code and, on failure, the message for the operator.
//! Shared by the command line, the daemon's start-up and the demo, below all of them.

// Exit codes, also listed in `--help`.

/// the command did what was asked
pub const OK: u8 = 0;
/// bad arguments or input
pub const USAGE: u8 = 2;
/// the configuration is missing or invalid
pub const CONFIG: u8 = 3;
/// the stored session cannot be used
pub const SESSION_UNUSABLE: u8 = 4;
/// the thing asked for does not exist
pub const NOT_FOUND: u8 = 5;
/// the database could not be reached or refused the request
pub const STORE: u8 = 6;
/// replay: the application is already submitted (use --dry-run)
pub const ALREADY_SUBMITTED: u8 = 7;
/// replay: a live worker holds the application, or its status cannot be replayed
pub const NOT_CLAIMABLE: u8 = 8;
/// replay: the global LinkedIn limit for today is reached
pub const KILL_SWITCH: u8 = 9;
/// replay: the run ended without the application going in (see status and reason)
pub const NOT_APPLIED: u8 = 10;

/// A command's failure: the message for the operator and the exit code.
#[derive(Debug)]
pub struct Failure {
    /// one of this module's codes
    pub code: u8,
    /// what went wrong and what to do
    pub message: String,
}

impl Failure {
    /// A failure with this exit code and message.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
