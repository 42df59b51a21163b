//! The candidate's name as typed by a recruiter: cleaned once at the edge so
//! that nothing downstream sees control or direction-override characters.

/// Longest candidate name we accept, in characters.
pub const MAX_CANDIDATE_NAME_CHARS: usize = 300;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateName(String);

#[derive(Debug, PartialEq, Eq)]
pub enum NameError {
    Empty,
    TooLong,
}

/// Characters that reorder or hide text when rendered: a name must not be able
/// to flip the text around it in a Slack message.
fn is_invisible_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

impl CandidateName {
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let cleaned: String = raw
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .filter(|c| !is_invisible_control(*c))
            .collect();
        let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() {
            return Err(NameError::Empty);
        }
        if collapsed.chars().count() > MAX_CANDIDATE_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        Ok(CandidateName(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_whitespace_and_direction_overrides() {
        let n = CandidateName::parse("  Ada \u{202E}Lovelace\n ").unwrap();
        assert_eq!(n.as_str(), "Ada Lovelace");
        assert_eq!(CandidateName::parse(" \u{200F} "), Err(NameError::Empty));
        assert_eq!(
            CandidateName::parse(&"x".repeat(301)),
            Err(NameError::TooLong)
        );
        assert!(CandidateName::parse(&"é".repeat(300)).is_ok());
        // Right-to-left scripts are names, not attacks: kept as they are.
        assert_eq!(
            CandidateName::parse("נועה כהן").unwrap().as_str(),
            "נועה כהן"
        );
    }
}
