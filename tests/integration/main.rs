//! The integration tests: one binary, real PostgreSQL, real PostgREST, the real
//! `autoapply` binary. See `support` for the set-up.

mod answers;
mod apply_flow;
mod bad_rows;
mod bench;
mod cli;
mod conformance;
mod daemon;
mod enqueue;
mod everywhere;
mod exactly_once;
mod faults;
mod fleet;
mod generations;
mod honest;
mod invariants;
mod keeper;
mod languages;
mod ops_kit;
mod peer_tells;
mod peers;
mod replica_languages;
mod sdui;
mod secrets;
mod sensor;
mod session_vectors;
mod soak;
mod store_access;
mod store_quota;
mod support;
mod systemd_units;
mod webhook;
mod webhook_limits;
