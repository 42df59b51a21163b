//! The editable rubric: anchors per criterion and evidence hints per stage,
//! read from a small line-based file and checked completely at start, so a
//! mistake stops the bot with the line that is wrong.

use super::scorecard::Criterion;
use super::stage::StageKind;
use std::collections::HashMap;
use std::fmt;

/// The rubric shipped with the bot.
pub const DEFAULT_RUBRIC: &str = include_str!("../../rubric/default.rubric");
/// The evidence hint for a stage kind the rubric has no `[stage.*]` for.
pub const GENERAL_HINT: &str =
    "Write what the candidate said and did: names, numbers, decisions and their reasons, not impressions.";
/// Longest text for one rubric entry, in characters (a Slack hint holds 150).
pub const MAX_ENTRY_CHARS: usize = 150;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriterionText {
    pub title: String,
    /// Anchors for scores 1–4.
    pub anchors: [String; 4],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rubric {
    criteria: HashMap<Criterion, CriterionText>,
    hints: HashMap<StageKind, String>,
    pub bar_raiser_question: String,
}

#[derive(Debug, PartialEq, Eq)]
pub struct RubricError {
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for RubricError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

impl std::error::Error for RubricError {}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Section {
    Criterion(Criterion),
    Stage(StageKind),
    BarRaiser,
}

fn section_for(name: &str) -> Option<Section> {
    if name == "bar_raiser" {
        return Some(Section::BarRaiser);
    }
    if let Some(stage) = name.strip_prefix("stage.") {
        return StageKind::parse(stage).map(Section::Stage);
    }
    Criterion::parse(name).map(Section::Criterion)
}

fn allowed_keys(section: Section) -> &'static [&'static str] {
    match section {
        Section::Criterion(_) => &["title", "1", "2", "3", "4"],
        Section::Stage(_) => &["hint"],
        Section::BarRaiser => &["question"],
    }
}

impl Rubric {
    pub fn default_rubric() -> Rubric {
        Rubric::parse(DEFAULT_RUBRIC).expect("the shipped rubric is valid")
    }

    pub fn parse(text: &str) -> Result<Rubric, RubricError> {
        let err = |line: usize, problem: String| RubricError { line, problem };
        let mut entries: HashMap<Section, (usize, HashMap<String, String>)> = HashMap::new();
        let mut current: Option<Section> = None;
        let mut last_line = 0;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            last_line = line_no;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let section = section_for(name.trim())
                    .ok_or_else(|| err(line_no, format!("unknown section [{name}]")))?;
                if entries.contains_key(&section) {
                    return Err(err(line_no, format!("section [{name}] appears twice")));
                }
                entries.insert(section, (line_no, HashMap::new()));
                current = Some(section);
                continue;
            }
            let section = current
                .ok_or_else(|| err(line_no, "a `key: text` line before any [section]".into()))?;
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| err(line_no, "expected `key: text`".into()))?;
            let (key, value) = (key.trim(), value.trim());
            if !allowed_keys(section).contains(&key) {
                return Err(err(
                    line_no,
                    format!(
                        "unknown key `{key}` here (expected one of {:?})",
                        allowed_keys(section)
                    ),
                ));
            }
            if value.is_empty() {
                return Err(err(line_no, format!("`{key}` has no text")));
            }
            if value.chars().count() > MAX_ENTRY_CHARS {
                return Err(err(
                    line_no,
                    format!("`{key}` is longer than {MAX_ENTRY_CHARS} characters"),
                ));
            }
            let (_, keys) = entries.get_mut(&section).expect("section was inserted");
            if keys.insert(key.to_string(), value.to_string()).is_some() {
                return Err(err(
                    line_no,
                    format!("`{key}` is given twice in this section"),
                ));
            }
        }
        let take = |section: Section, key: &str| -> Result<String, RubricError> {
            match entries.get(&section) {
                None => Err(err(
                    last_line.max(1),
                    format!("missing section [{}]", section_name(section)),
                )),
                Some((header, keys)) => keys.get(key).cloned().ok_or_else(|| {
                    err(
                        *header,
                        format!("[{}] needs `{key}`", section_name(section)),
                    )
                }),
            }
        };
        let mut criteria = HashMap::new();
        for c in Criterion::ALL {
            let s = Section::Criterion(c);
            let text = CriterionText {
                title: take(s, "title")?,
                anchors: [take(s, "1")?, take(s, "2")?, take(s, "3")?, take(s, "4")?],
            };
            criteria.insert(c, text);
        }
        let mut hints = HashMap::new();
        for k in StageKind::ALL {
            hints.insert(k, take(Section::Stage(k), "hint")?);
        }
        // The kinds templates add may have hints too.
        for k in StageKind::KINDS {
            if let (false, Some((_, keys))) =
                (hints.contains_key(&k), entries.get(&Section::Stage(k)))
            {
                if let Some(hint) = keys.get("hint") {
                    hints.insert(k, hint.clone());
                }
            }
        }
        Ok(Rubric {
            criteria,
            hints,
            bar_raiser_question: take(Section::BarRaiser, "question")?,
        })
    }

    pub fn criterion(&self, c: Criterion) -> &CriterionText {
        &self.criteria[&c]
    }

    /// What evidence to write down for a stage's card: the rubric's hint
    /// for its kind, or a general one for kinds the rubric does not name.
    pub fn hint(&self, stage: StageKind) -> &str {
        self.hints
            .get(&stage)
            .map(String::as_str)
            .unwrap_or(GENERAL_HINT)
    }
}

fn section_name(s: Section) -> String {
    match s {
        Section::Criterion(c) => c.key().to_string(),
        Section::Stage(k) => format!("stage.{}", k.key()),
        Section::BarRaiser => "bar_raiser".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rubric_is_complete() {
        let r = Rubric::default_rubric();
        for c in Criterion::ALL {
            assert!(!r.criterion(c).title.is_empty());
        }
        assert!(r
            .hint(StageKind::CrossTeam)
            .contains("documents, meetings and outcomes"));
        assert!(r
            .bar_raiser_question
            .starts_with("Would I want to work with this person"));
    }

    #[test]
    fn mistakes_name_their_line() {
        let broken =
            DEFAULT_RUBRIC.replacen("3: Spots the key trade-off", "3 Spots the key trade-off", 1);
        let e = Rubric::parse(&broken).unwrap_err();
        let line = DEFAULT_RUBRIC
            .lines()
            .position(|l| l.starts_with("3: Spots the key trade-off"))
            .unwrap()
            + 1;
        assert_eq!(e.line, line);
        assert!(e.problem.contains("key: text"));

        let missing = DEFAULT_RUBRIC.replacen(
            "4: Finished early and used the time to harden the change.\n",
            "",
            1,
        );
        let e = Rubric::parse(&missing).unwrap_err();
        assert!(e.problem.contains("[throughput] needs `4`"), "{e}");
        let header = DEFAULT_RUBRIC
            .lines()
            .position(|l| l == "[throughput]")
            .unwrap()
            + 1;
        assert_eq!(e.line, header);

        let e = Rubric::parse("[scope]\n").unwrap_err();
        assert_eq!((e.line, e.problem.as_str()), (1, "unknown section [scope]"));
        let e = Rubric::parse(&format!("{DEFAULT_RUBRIC}\n[bar_raiser]\n")).unwrap_err();
        assert!(e.problem.contains("twice"));
    }
}
