//! Practice debriefs: the maths of one packet's reveal (per dimension the
//! spread, the median, each participant's offset from it and the original
//! panel's scores; the panel's agreement as ordinal alpha; the level calls
//! against the decision actually made), and the masking that keeps a packet
//! from naming anyone.

use super::agreement::{alpha, Metric};
use super::reveal::{median, DISAGREEMENT_POINTS, RECOMMENDATION_SPREAD_LEVELS};
use super::rubric::{Dimension, Level};

/// The code name of the packet at `position`: "A", "B", …
pub fn code(position: i64) -> char {
    (b'A' + position.clamp(0, 25) as u8) as char
}

/// One card on a packet: a participant's (or an original panelist's)
/// scores on the dimensions they scored, and their level call.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub who: String,
    pub scores: Vec<(Dimension, u8)>,
    pub level: Level,
}

impl Scored {
    fn score(&self, d: Dimension) -> Option<u8> {
        self.scores.iter().find(|(x, _)| *x == d).map(|(_, s)| *s)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DimensionRow {
    pub dimension: Dimension,
    /// (participant, score), in the cards' order.
    pub scores: Vec<(String, u8)>,
    pub median: Option<f64>,
    pub low: u8,
    pub high: u8,
    /// (participant, score − median).
    pub offsets: Vec<(String, f64)>,
    /// The original panel's scores on this dimension, low to high.
    pub original: Vec<u8>,
}

impl DimensionRow {
    pub fn spread(&self) -> u8 {
        self.high - self.low
    }

    /// The practice panel is this far apart: worth talking about first.
    pub fn disagrees(&self) -> bool {
        !self.scores.is_empty() && self.spread() >= DISAGREEMENT_POINTS
    }

    pub fn original_median(&self) -> Option<f64> {
        (!self.original.is_empty()).then(|| median(&self.original))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PacketReveal {
    pub rows: Vec<DimensionRow>,
    /// Ordinal alpha over the four dimensions (each a unit, the
    /// participants' scores its values); `None` when undefined.
    pub alpha: Option<f64>,
    /// (level, how many practice cards call it), from no hire up.
    pub tally: Vec<(Level, usize)>,
    /// The middle level call (the lower of two middles).
    pub median_level: Option<Level>,
    /// Level calls this many levels apart or more.
    pub split: Option<(Level, Level)>,
    /// The original panel's level calls, and the decision actually made.
    pub original_levels: Vec<Level>,
    pub decided: Option<Level>,
    pub cards: usize,
}

impl PacketReveal {
    /// This panel's middle call is not the decision that was made.
    pub fn differs(&self) -> bool {
        matches!((self.median_level, self.decided), (Some(a), Some(b)) if a != b)
    }
}

const LEVELS: [Level; 4] = [
    Level::NoHire,
    Level::Senior,
    Level::Staff,
    Level::SeniorStaff,
];

fn rank(l: Level) -> usize {
    LEVELS.iter().position(|x| *x == l).unwrap_or(0)
}

/// The reveal of one packet from its practice cards, the original panel's
/// cards (sent before that loop's debrief) and the decision made.
pub fn packet(cards: &[Scored], original: &[Scored], decided: Option<Level>) -> PacketReveal {
    let rows: Vec<DimensionRow> = Dimension::ALL
        .iter()
        .map(|d| {
            let scores: Vec<(String, u8)> = cards
                .iter()
                .filter_map(|c| Some((c.who.clone(), c.score(*d)?)))
                .collect();
            let mut sorted: Vec<u8> = scores.iter().map(|(_, s)| *s).collect();
            sorted.sort_unstable();
            let mid = (!sorted.is_empty()).then(|| median(&sorted));
            let offsets = match mid {
                Some(m) => scores
                    .iter()
                    .map(|(w, s)| (w.clone(), *s as f64 - m))
                    .collect(),
                None => Vec::new(),
            };
            let mut orig: Vec<u8> = original.iter().filter_map(|c| c.score(*d)).collect();
            orig.sort_unstable();
            DimensionRow {
                dimension: *d,
                median: mid,
                low: sorted.first().copied().unwrap_or(0),
                high: sorted.last().copied().unwrap_or(0),
                scores,
                offsets,
                original: orig,
            }
        })
        .collect();
    let units: Vec<Vec<i64>> = rows
        .iter()
        .map(|r| r.scores.iter().map(|(_, s)| *s as i64).collect())
        .collect();
    let tally: Vec<(Level, usize)> = LEVELS
        .iter()
        .map(|l| (*l, cards.iter().filter(|c| c.level == *l).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let mut levels: Vec<usize> = cards.iter().map(|c| rank(c.level)).collect();
    levels.sort_unstable();
    let median_level = (!levels.is_empty()).then(|| LEVELS[levels[(levels.len() - 1) / 2]]);
    let split = match (tally.first(), tally.last()) {
        (Some(lo), Some(hi)) if rank(hi.0) - rank(lo.0) >= RECOMMENDATION_SPREAD_LEVELS => {
            Some((lo.0, hi.0))
        }
        _ => None,
    };
    PacketReveal {
        rows,
        alpha: alpha(&units, Metric::Ordinal),
        tally,
        median_level,
        split,
        original_levels: original.iter().map(|c| c.level).collect(),
        decided,
        cards: cards.len(),
    }
}

/// Ordinal alpha over every packet and dimension together (each pair one
/// unit): the panel's agreement over the whole practice debrief.
pub fn overall_alpha(packets: &[Vec<Scored>]) -> Option<f64> {
    let units: Vec<Vec<i64>> = packets
        .iter()
        .flat_map(|cards| {
            Dimension::ALL.iter().map(move |d| {
                cards
                    .iter()
                    .filter_map(|c| c.score(*d).map(i64::from))
                    .collect()
            })
        })
        .collect();
    alpha(&units, Metric::Ordinal)
}

/// Each participant's mean offset from the panel's median over every
/// packet and dimension they scored, with how many scores it rests on;
/// in the participants' order of first appearance.
pub fn mean_offsets(packets: &[PacketReveal]) -> Vec<(String, f64, usize)> {
    let mut out: Vec<(String, f64, usize)> = Vec::new();
    for (who, off) in packets
        .iter()
        .flat_map(|p| p.rows.iter())
        .flat_map(|r| r.offsets.iter())
    {
        match out.iter_mut().find(|(w, _, _)| w == who) {
            Some((_, sum, n)) => {
                *sum += off;
                *n += 1;
            }
            None => out.push((who.clone(), *off, 1)),
        }
    }
    for (_, sum, n) in &mut out {
        *sum /= *n as f64;
    }
    out
}

/// What may join the parts of one name besides spaces ("tomas.o").
const NAME_JOINS: [char; 3] = ['.', '-', '_'];

/// Shortest name part that is masked on its own ("Li" is a name; "A" is not).
const MIN_NAME_PART_CHARS: usize = 2;

/// Replaces every name in `names` (each with its replacement) in `text`:
/// a whole name where its parts follow each other, else any single part,
/// matched as whole words without regard to case.
pub fn mask(text: &str, names: &[(String, String)]) -> String {
    // Each name as its lower-case parts.
    let names: Vec<(Vec<String>, &str)> = names
        .iter()
        .map(|(n, r)| {
            (
                words(n).into_iter().map(|(_, _, w)| w).collect(),
                r.as_str(),
            )
        })
        .filter(|(parts, _): &(Vec<String>, &str)| !parts.is_empty())
        .collect();
    let spans = words(text);
    let mut out = String::with_capacity(text.len());
    let mut at = 0; // bytes of `text` written
    let mut i = 0;
    while i < spans.len() {
        let (start, _, _) = spans[i];
        // The longest whole name starting here, its parts apart by spaces.
        let mut best: Option<(usize, &str)> = None;
        for (parts, replacement) in &names {
            let n = parts.len();
            if i + n > spans.len() || best.is_some_and(|(m, _)| m >= n) {
                continue;
            }
            let same = (0..n).all(|k| spans[i + k].2 == parts[k]);
            let spaced = (1..n).all(|k| {
                text[spans[i + k - 1].1..spans[i + k].0]
                    .chars()
                    .all(|c| c.is_whitespace() || NAME_JOINS.contains(&c))
            });
            if same && spaced {
                best = Some((n, replacement));
            }
        }
        if best.is_none() {
            best = names
                .iter()
                .find(|(parts, _)| {
                    parts
                        .iter()
                        .any(|p| p.chars().count() >= MIN_NAME_PART_CHARS && *p == spans[i].2)
                })
                .map(|(_, r)| (1, *r));
        }
        match best {
            Some((n, replacement)) => {
                out.push_str(&text[at..start]);
                out.push_str(replacement);
                at = spans[i + n - 1].1;
                i += n;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[at..]);
    out
}

/// Whether `text` (a link, say) carries any part of any of `names` as a word.
pub fn names_anyone(text: &str, names: &[(String, String)]) -> bool {
    let have: Vec<String> = words(text).into_iter().map(|(_, _, w)| w).collect();
    names.iter().any(|(name, _)| {
        words(name)
            .iter()
            .any(|(_, _, p)| p.chars().count() >= MIN_NAME_PART_CHARS && have.contains(p))
    })
}

/// A word as names are compared: lower case, the common Latin accents
/// folded ("Núñez" and "Nunez" are one name).
fn fold(word: &str) -> String {
    word.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
            'ç' | 'ć' | 'č' => 'c',
            'ď' | 'đ' => 'd',
            'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
            'í' | 'ì' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
            'ł' | 'ľ' => 'l',
            'ñ' | 'ń' | 'ň' => 'n',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ő' => 'o',
            'ř' => 'r',
            'ś' | 'š' | 'ş' => 's',
            'ť' | 'ţ' => 't',
            'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
            'ý' | 'ÿ' => 'y',
            'ź' | 'ż' | 'ž' => 'z',
            other => other,
        })
        .collect()
}

/// (start byte, end byte, folded word) of each run of letters and digits.
fn words(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i, fold(&text[s..i])));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len(), fold(&text[s..])));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Dimension::*;

    fn card(who: &str, scores: [u8; 4], level: Level) -> Scored {
        Scored {
            who: who.into(),
            scores: Dimension::ALL.iter().copied().zip(scores).collect(),
            level,
        }
    }

    #[test]
    fn codes_are_letters() {
        assert_eq!(code(0), 'A');
        assert_eq!(code(1), 'B');
    }

    #[test]
    fn a_packet_reveal_by_hand() {
        let cards = [
            card("U1", [3, 3, 2, 3], Level::Staff),
            card("U2", [4, 3, 2, 2], Level::Staff),
            card("U3", [2, 3, 1, 2], Level::Senior),
        ];
        let original = [Scored {
            who: "O1".into(),
            scores: vec![(ScopeOfJudgement, 4), (ArchitecturalDecisions, 3)],
            level: Level::SeniorStaff,
        }];
        let r = packet(&cards, &original, Some(Level::SeniorStaff));
        let scope = &r.rows[0];
        assert_eq!(scope.median, Some(3.0));
        assert_eq!((scope.low, scope.high, scope.spread()), (2, 4, 2));
        assert!(scope.disagrees());
        assert_eq!(
            scope.offsets,
            vec![("U1".into(), 0.0), ("U2".into(), 1.0), ("U3".into(), -1.0)]
        );
        assert_eq!(scope.original_median(), Some(4.0));
        assert!(!r.rows[1].disagrees());
        assert_eq!(r.rows[2].original_median(), None);
        assert_eq!(r.median_level, Some(Level::Staff));
        assert_eq!(r.split, None);
        assert!(r.differs());
        assert_eq!(r.tally, vec![(Level::Senior, 1), (Level::Staff, 2)]);
        // Ordinal alpha over the four dimensions, computed by hand from the
        // coincidence matrix: values 1×1, 2×5, 3×5, 4×1 (n = 12).
        let a = r.alpha.unwrap();
        assert!((a - 0.381).abs() < 0.001, "{a}");
        let offs = mean_offsets(std::slice::from_ref(&r));
        assert_eq!(offs[1].0, "U2");
        assert!((offs[1].1 - 0.25).abs() < 1e-9);
        assert_eq!(offs[1].2, 4);
    }

    #[test]
    fn one_card_or_no_variation_is_undefined() {
        let r = packet(&[card("U1", [3, 3, 3, 3], Level::Staff)], &[], None);
        assert_eq!(r.alpha, None);
        assert!(!r.differs());
        let same = [
            card("U1", [3, 3, 3, 3], Level::Staff),
            card("U2", [3, 3, 3, 3], Level::Staff),
        ];
        assert_eq!(packet(&same, &[], None).alpha, None);
        assert_eq!(overall_alpha(&[same.to_vec()]), None);
        let split = [
            card("U1", [1, 1, 1, 1], Level::NoHire),
            card("U2", [3, 3, 3, 3], Level::Staff),
        ];
        assert_eq!(
            packet(&split, &[], None).split,
            Some((Level::NoHire, Level::Staff))
        );
    }

    #[test]
    fn masks_whole_names_then_parts() {
        let names = [
            ("Ana Núñez".to_string(), "Candidate A".to_string()),
            ("Priya Raman".to_string(), "[interviewer]".to_string()),
            ("UPRIYA01".to_string(), "[interviewer]".to_string()),
            ("tomas.o".to_string(), "[interviewer]".to_string()),
        ];
        assert_eq!(mask("tomas.o wrote it", &names), "[interviewer] wrote it");
        assert!(names_anyone("https://docs.example.com/ana-design", &names));
        assert!(!names_anyone(
            "https://docs.example.com/banana-design",
            &names
        ));
        assert_eq!(
            mask("ana núñez framed it; Ana's plan beat Priya's. <@UPRIYA01> agreed. Banana.", &names),
            "Candidate A framed it; Candidate A's plan beat [interviewer]'s. <@[interviewer]> agreed. Banana."
        );
        assert_eq!(mask("nothing here", &names), "nothing here");
        assert_eq!(mask("Ana Nunez, NÚÑEZ", &names), "Candidate A, Candidate A");
        assert_eq!(mask("", &names), "");
    }
}
