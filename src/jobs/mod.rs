//! Durable background work. For now: the outbox worker that delivers every
//! recorded Slack effect.

pub mod outbox_worker;
