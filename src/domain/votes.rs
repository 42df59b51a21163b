//! Final votes after the reveal: who moved from their card's level, and
//! toward whom (the panel's median card, the hiring manager's card, the bar
//! raiser's card); the mechanical results a decision is set beside; and the
//! drift of interviewers and panels over many loops. Pure maths.

use super::rubric::Level;
use serde::Serialize;

const LEVELS: [Level; 4] = [
    Level::NoHire,
    Level::Senior,
    Level::Staff,
    Level::SeniorStaff,
];

fn rank(l: Level) -> i64 {
    LEVELS.iter().position(|x| *x == l).unwrap_or(0) as i64
}

/// The middle level of `levels` (the lower of two middles: a tie is not
/// yet the higher level), if any.
pub fn median_level(levels: &[Level]) -> Option<Level> {
    let mut r: Vec<i64> = levels.iter().map(|l| rank(*l)).collect();
    r.sort_unstable();
    (!r.is_empty()).then(|| LEVELS[r[(r.len() - 1) / 2] as usize])
}

/// Whether moving from `from` to `to` came closer to `target`.
pub fn toward(from: Level, to: Level, target: Level) -> bool {
    (rank(to) - rank(target)).abs() < (rank(from) - rank(target)).abs()
}

/// A voter's own card: the level it called and the dimension scores (the
/// last of their cards by stage, when they sat on several).
#[derive(Clone, Debug, PartialEq)]
pub struct OwnCard {
    pub level: Level,
    pub scores: Vec<(super::Criterion, u8)>,
}

/// A loop's cards as its vote needs them.
#[derive(Clone, Debug, PartialEq)]
pub struct Ballot {
    pub candidate: String,
    pub cards: Vec<(String, OwnCard)>,
    pub anchors: Anchors,
}

impl Ballot {
    pub fn card_of(&self, voter: &str) -> Option<&OwnCard> {
        self.cards.iter().find(|(v, _)| v == voter).map(|(_, c)| c)
    }
}

/// The cards the panel can move toward.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Anchors {
    /// The middle of every card's level call.
    pub median: Option<Level>,
    /// The hiring manager's card, and who they are.
    pub hiring_manager: Option<(String, Level)>,
    /// The bar raiser's card, and who they are.
    pub bar_raiser: Option<(String, Level)>,
}

/// One panelist's final vote against their card.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Move {
    pub voter: String,
    pub from: Level,
    pub to: Level,
    pub toward_median: bool,
    /// Never true for the hiring manager's own vote...
    pub toward_hiring_manager: bool,
    /// ...or the bar raiser's.
    pub toward_bar_raiser: bool,
}

impl Move {
    pub fn moved(&self) -> bool {
        self.from != self.to
    }
}

/// Each vote (voter, card's level, final level) as a move.
pub fn moves(votes: &[(String, Level, Level)], a: &Anchors) -> Vec<Move> {
    votes
        .iter()
        .map(|(voter, from, to)| {
            let by = |anchor: &Option<(String, Level)>| match anchor {
                Some((who, level)) if who != voter => toward(*from, *to, *level),
                _ => false,
            };
            Move {
                voter: voter.clone(),
                from: *from,
                to: *to,
                toward_median: a.median.is_some_and(|m| toward(*from, *to, m)),
                toward_hiring_manager: by(&a.hiring_manager),
                toward_bar_raiser: by(&a.bar_raiser),
            }
        })
        .collect()
}

/// Whether a decision departs from both mechanical results: the cards'
/// median and the final votes' median (none without final votes).
pub fn departs(decided: Level, cards: Option<Level>, votes: Option<Level>) -> bool {
    matches!((cards, votes), (Some(c), Some(v)) if c != decided && v != decided)
}

/// The mechanical results beside a decision: the cards' middle call, and
/// the final votes' once the vote has closed (with how many votes).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Mechanical {
    pub cards: Option<Level>,
    pub votes: Option<(Level, usize)>,
    pub vote_opened: bool,
    pub vote_closed: bool,
}

/// Final votes before a share is read.
pub const MIN_VOTES: usize = 5;

/// One interviewer's (or the panel's) drift over many loops.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Drift {
    pub user: String,
    pub votes: usize,
    pub moved: usize,
    pub toward_hiring_manager: usize,
    pub toward_bar_raiser: usize,
    pub toward_median: usize,
}

impl Drift {
    fn add(&mut self, m: &Move) {
        self.votes += 1;
        if m.moved() {
            self.moved += 1;
            self.toward_hiring_manager += m.toward_hiring_manager as usize;
            self.toward_bar_raiser += m.toward_bar_raiser as usize;
            self.toward_median += m.toward_median as usize;
        }
    }

    /// Enough votes to read the shares.
    pub fn readable(&self) -> bool {
        self.votes >= MIN_VOTES
    }
}

/// How often the rest of a hiring manager's panels moved toward their card.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HmPull {
    pub hiring_manager: String,
    /// Others' votes on their loops where they had a card.
    pub votes: usize,
    pub toward: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DriftReport {
    pub loops: usize,
    pub panel: Drift,
    pub interviewers: Vec<Drift>,
    pub hiring_managers: Vec<HmPull>,
}

/// Drift over loops, each its moves and its hiring manager (with whether
/// they had a card to move toward).
pub fn drift(loops: &[(Vec<Move>, String, bool)]) -> DriftReport {
    let mut r = DriftReport {
        loops: loops.len(),
        panel: Drift {
            user: "panel".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    for (moves, hm, hm_card) in loops {
        for m in moves {
            r.panel.add(m);
            match r.interviewers.iter_mut().find(|d| d.user == m.voter) {
                Some(d) => d.add(m),
                None => {
                    let mut d = Drift {
                        user: m.voter.clone(),
                        ..Default::default()
                    };
                    d.add(m);
                    r.interviewers.push(d);
                }
            }
        }
        if *hm_card {
            let others: Vec<&Move> = moves.iter().filter(|m| &m.voter != hm).collect();
            let pull = match r
                .hiring_managers
                .iter_mut()
                .find(|p| &p.hiring_manager == hm)
            {
                Some(p) => p,
                None => {
                    r.hiring_managers.push(HmPull {
                        hiring_manager: hm.clone(),
                        ..Default::default()
                    });
                    r.hiring_managers.last_mut().expect("just pushed")
                }
            };
            pull.votes += others.len();
            pull.toward += others.iter().filter(|m| m.toward_hiring_manager).count();
        }
    }
    r.interviewers.sort_by(|a, b| a.user.cmp(&b.user));
    r.hiring_managers
        .sort_by(|a, b| a.hiring_manager.cmp(&b.hiring_manager));
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use Level::*;

    #[test]
    fn moves_toward_whom() {
        let a = Anchors {
            median: Some(Staff),
            hiring_manager: Some(("HM".into(), Senior)),
            bar_raiser: Some(("BR".into(), Staff)),
        };
        let m = moves(
            &[
                ("A".into(), Staff, Senior),
                ("B".into(), SeniorStaff, Staff),
                ("C".into(), Staff, Staff),
                ("HM".into(), Senior, NoHire),
            ],
            &a,
        );
        assert!(m[0].toward_hiring_manager && !m[0].toward_median && !m[0].toward_bar_raiser);
        assert!(m[1].toward_median && m[1].toward_bar_raiser && m[1].toward_hiring_manager);
        assert!(!m[2].moved() && !m[2].toward_median);
        assert!(!m[3].toward_hiring_manager, "not toward oneself");
        assert_eq!(
            median_level(&[Staff, Senior, SeniorStaff, Senior]),
            Some(Senior)
        );
        assert_eq!(median_level(&[]), None);
        assert!(departs(Senior, Some(Staff), Some(Staff)));
        assert!(!departs(Senior, Some(Staff), Some(Senior)));
        assert!(
            !departs(Senior, Some(Staff), None),
            "no votes, no departure from both"
        );
        assert!(!departs(Senior, None, None));
    }

    #[test]
    fn drift_counts_by_hand() {
        let a = Anchors {
            median: Some(Staff),
            hiring_manager: Some(("HM".into(), Senior)),
            bar_raiser: None,
        };
        let one = moves(
            &[("A".into(), Staff, Senior), ("B".into(), Staff, Staff)],
            &a,
        );
        let two = moves(
            &[("A".into(), Staff, Staff), ("B".into(), SeniorStaff, Staff)],
            &a,
        );
        let r = drift(&[(one, "HM".into(), true), (two, "HM".into(), true)]);
        assert_eq!((r.panel.votes, r.panel.moved), (4, 2));
        assert_eq!(r.panel.toward_hiring_manager, 2);
        assert_eq!(r.panel.toward_median, 1);
        let a_row = &r.interviewers[0];
        assert_eq!(
            (
                a_row.user.as_str(),
                a_row.votes,
                a_row.moved,
                a_row.toward_hiring_manager
            ),
            ("A", 2, 1, 1)
        );
        assert_eq!(r.hiring_managers[0].votes, 4);
        assert_eq!(r.hiring_managers[0].toward, 2);
        assert!(!r.panel.readable());
    }
}
