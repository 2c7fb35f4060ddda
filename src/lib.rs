//! autoapply: the auto-apply worker of a job-seeker platform. It takes queued
//! applications from the database, opens the job seeker's LinkedIn session in a
//! real Chromium, walks Easy Apply like a careful human, submits and records what
//! happened. ARCHITECTURE.md has the code map, its layers and its invariants.
//!
//! Modules in reading order, lowest layer first (a module names only modules above
//! it in this list; `tests/integration/invariants.rs` checks it):
//! - [`domain`]: ids, statuses, outcomes, the applicant profile; no I/O
//! - [`exit`]: exit codes and a command's failure
//! - [`page`]: page facts (what `observe.js` reports, what may be acted on); no I/O
//! - [`session`]: decryption of stored sessions; the only holder of decrypted bytes
//! - [`site`]: the selector files (site knowledge as data, job URLs included)
//! - [`pacing`]: human waits and the navigation limiter
//! - [`shutdown`], [`systemd`], [`heap`]: signals, sd_notify, the allocator
//! - [`lease`]: the lease's local deadline (no action once it runs out)
//! - [`replica`]: the local LinkedIn replica (tests and the demo)
//! - [`resume`]: which file may be uploaded as a résumé (confined to one folder)
//! - [`config`]: typed configuration from the environment, from one settings table
//! - [`answers`]: applicant profile to answers; unknown stays unknown
//! - [`evidence`]: screenshot files
//! - [`browser`]: Chromium over the DevTools protocol; the only user of chromiumoxide
//! - [`store`]: the database behind a narrow trait; the only place that knows SQL
//! - [`apply`]: one application, from stored session to recorded outcome
//! - [`metrics`], [`telemetry`]: Prometheus figures, tracing set-up
//! - [`run`]: running applications: the admission gate, the one way a run is started
//!   (loop, webhook, replay), one run, the worker's loop and sweeper, its start-up
//! - [`webhook`], [`demo`] (side by side): the gateway's webhook, health, readiness,
//!   metrics; `autoapply demo`
//! - [`daemon`]: `autoapply run`: the worker with the webhook served beside it
//! - [`cli`]: the command line

pub mod answers;
pub mod apply;
pub mod browser;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod demo;
pub mod domain;
pub mod evidence;
pub mod exit;
pub mod heap;
pub mod lease;
pub mod metrics;
pub mod pacing;
pub mod page;
pub mod replica;
pub mod resume;
pub mod run;
pub mod session;
pub mod shutdown;
pub mod site;
pub mod store;
pub mod systemd;
pub mod telemetry;
pub mod webhook;
