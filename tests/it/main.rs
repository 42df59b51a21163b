//! The integration suite, one binary: the real service against a fake Slack
//! on loopback (`common/`), one module per area. One binary means
//! `common/` and the service are compiled and linked once, not per area.

mod common;

mod audit;
mod authz;
mod calibration;
mod cli;
mod debrief;
mod delivery;
mod demo;
mod faults;
mod hostile;
mod manifest;
mod open_loop;
mod panel;
mod practice;
mod privacy;
mod queue;
mod report;
mod scorecards;
mod socket_mode;
mod templates;
mod transport;
mod votes;
