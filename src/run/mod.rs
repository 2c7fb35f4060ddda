//! Running applications, in one place: the admission gate ([`admission`]), the one
//! way a run is started ([`Runner::start`], for the loop, the webhook and replay),
//! one run ([`one`]: `agent_logs`, the heartbeat, the engine in a task of its own),
//! the worker's loop ([`worker`]) and sweeper ([`sweep`]), and the start-up `run` and
//! the demo share ([`start_worker`]).

pub mod admission;
mod heartbeat;
mod one;
mod runner;
mod startup;
pub mod sweep;
pub mod worker;

pub use self::{
    one::RunOutcome,
    runner::{Runner, TooSoon, Via},
    startup::{Started, prepare, start_worker},
    worker::{Worker, WorkerSettings},
};
