//! Durable background work: the outbox worker that delivers every recorded
//! Slack effect, and the scheduler that runs due jobs (stage prompts,
//! reminders, the hiring manager's lists).

pub mod checkins;
pub mod debrief;
pub mod housekeeping;
pub mod outbox_worker;
pub mod practice;
pub mod prompts;
pub mod report;
pub mod scheduler;
pub mod votes;
