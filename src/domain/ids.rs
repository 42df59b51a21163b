//! Slack identifiers as validated newtypes, so the rest of the code cannot hold
//! a malformed one (or a piece of user text posing as an id).

use std::fmt;

fn is_slack_id(s: &str, prefixes: &[char]) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if prefixes.contains(&c) => {}
        _ => return false,
    }
    (2..=32).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

macro_rules! slack_id {
    ($name:ident, $prefixes:expr, $what:literal) => {
        #[doc = concat!("A Slack ", $what, " id.")]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Option<Self> {
                let raw = raw.trim();
                is_slack_id(raw, $prefixes).then(|| Self(raw.to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slack_id!(UserId, &['U', 'W'], "user");
slack_id!(TeamId, &['T', 'E'], "workspace");
slack_id!(ChannelId, &['C', 'G', 'D'], "channel");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_ids_and_rejects_text() {
        assert!(UserId::parse("U2CERLKJA").is_some());
        assert!(UserId::parse("W012A3CDE").is_some());
        assert!(UserId::parse("<!channel>").is_none());
        assert!(UserId::parse("u2cerlkja").is_none());
        assert!(UserId::parse("").is_none());
        assert!(TeamId::parse("T1DC2JH3J").is_some());
        assert!(ChannelId::parse("G8PSS9T3V").is_some());
        assert!(ChannelId::parse("C1; DROP TABLE").is_none());
    }
}
