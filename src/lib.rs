//! autoapply: the auto-apply worker of a job-seeker platform. It takes queued
//! applications from the database, opens the job seeker's LinkedIn session in a
//! real Chromium, walks Easy Apply like a careful human, submits and records what
//! happened. ARCHITECTURE.md has the code map and its invariants.
//!
//! Modules in reading order:
//! - [`domain`]: ids, statuses, outcomes, the applicant profile; no I/O
//! - [`config`]: typed configuration from the environment
//! - [`session`]: decryption of stored sessions; the only holder of decrypted bytes
//! - [`site`]: the selector files (site knowledge as data)
//! - [`store`]: the database behind a narrow trait; the only place that knows SQL
//! - [`telemetry`]: tracing set-up
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
pub mod metrics;
pub mod pacing;
pub mod page;
pub mod replica;
pub mod run;
pub mod session;
pub mod shutdown;
pub mod site;
pub mod store;
pub mod systemd;
pub mod telemetry;
pub mod webhook;
