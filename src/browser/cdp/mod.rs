//! The DevTools wire, ours end to end: Chromium's `--remote-debugging-pipe` (no TCP
//! port a page could probe), one task that owns it (`connection.rs`), and the
//! allowlist every message passes before it is written (`allowlist.rs`). Commands
//! and events are the typed ones of the `chromiumoxide_cdp` crate; nothing else of
//! the chromiumoxide project is used, so no message reaches the browser that this
//! folder did not write.
//!
//! Nothing here logs a message's content: `Network.setCookies` carries cookie values.

mod allowlist;
mod connection;
pub(in crate::browser) mod transport;

pub use allowlist::{Mode, refusal};
pub(in crate::browser) use connection::{Connection, Event, Session};

/// Why a DevTools call got no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdpError {
    /// The pipe closed (the browser ended, crashed or was killed) before an answer.
    Closed,
    /// The browser answered with an error (its own text: it names the problem, e.g.
    /// "No node with given id", and quotes no parameter).
    Protocol {
        /// the protocol's error code
        code: i64,
        /// Chrome's message, at most 200 characters
        message: String,
    },
    /// The allowlist refused the message before it was written.
    Refused(String),
    /// The lease ran out on this worker: nothing is sent to the browser any more.
    PastLease,
    /// The answer did not have the command's shape (position only: serde's message
    /// could quote a value).
    Decode(String),
}

impl std::fmt::Display for CdpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Closed => f.write_str("the DevTools connection closed"),
            Self::Protocol { code, message } => write!(f, "{message} ({code})"),
            Self::Refused(why) => write!(f, "refused by the DevTools allowlist: {why}"),
            Self::PastLease => f.write_str("not sent: the lease ran out on this worker"),
            Self::Decode(at) => write!(f, "unexpected DevTools answer ({at})"),
        }
    }
}
