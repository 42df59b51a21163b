//! A loop as the recruiter fills it in (`LoopDraft`), and the rules that turn
//! it into a plan we are willing to run (`LoopPlan`).

use super::ids::UserId;
use super::name::{CandidateName, NameError};
use super::rubric::Level;
use super::stage::StageKind;
use super::template::{StageSpec, Template};

/// The process wants the debrief the same day as the last live stage; without
/// each reader's time zone we call it "the same day" when the debrief starts
/// within this many hours of the last stage's end.
pub const SAME_DAY_WINDOW_HOURS: i64 = 12;
/// Longest design-document link we store, in characters.
pub const MAX_URL_CHARS: usize = 2000;

/// One stage of the form, in the template's order.
#[derive(Clone, Debug, Default)]
pub struct StageDraft {
    pub kind: Option<StageKind>,
    pub interviewers: Vec<UserId>,
    /// Unix seconds.
    pub starts_at: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct LoopDraft {
    pub candidate_name: String,
    pub applied_level: Option<Level>,
    pub hiring_manager: Option<UserId>,
    pub stages: Vec<StageDraft>,
    /// Unix seconds.
    pub debrief_at: Option<i64>,
    pub design_doc_url: Option<String>,
    /// What the system-design round will ask (only when the template has one).
    pub design_prompt: Option<String>,
}

/// Which part of the form an error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    CandidateName,
    AppliedLevel,
    HiringManager,
    /// A stage's panel, by 1-based position (and kind: a form redrawn for
    /// another template keeps only what was picked for the same stage).
    Interviewers(usize, StageKind),
    /// A stage's start, by 1-based position and kind.
    StartsAt(usize, StageKind),
    DebriefAt,
    DesignDocUrl,
    DesignPrompt,
    /// "Open it anyway" after the linter's warnings.
    Acknowledge,
}

/// What is wrong with a field; `messages` turns it into a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    NameMissing,
    NameTooLong,
    LevelMissing,
    LevelBelowStaff,
    HiringManagerMissing,
    NoInterviewer,
    PanelTooSmall {
        need: usize,
    },
    /// The deep-dive is a panel of exactly two.
    DeepDiveNotTwo,
    HiringManagerNotOnPanel,
    StartMissing,
    StartInPast,
    DebriefMissing,
    DebriefBeforeLastStage,
    DoubleBooked {
        user: UserId,
        other: String,
    },
    BadUrl,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    pub field: Field,
    pub problem: Problem,
}

pub type FieldErrors = Vec<PlanError>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedStage {
    pub kind: StageKind,
    pub spec: StageSpec,
    pub interviewers: Vec<UserId>,
    pub starts_at: Option<i64>,
}

impl PlannedStage {
    pub fn ends_at(&self) -> Option<i64> {
        Some(self.starts_at? + self.spec.length_minutes? * 60)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoopPlan {
    pub candidate: CandidateName,
    pub applied_level: Level,
    pub hiring_manager: UserId,
    pub stages: Vec<PlannedStage>,
    pub debrief_at: i64,
    pub design_doc_url: Option<String>,
    /// The template's name, as the picker showed it.
    pub template_name: String,
    pub design_prompt: Option<String>,
    /// The linter's warnings at open, one sentence each (the debrief's day
    /// is judged afresh: it moves with the stages).
    pub warnings: Vec<String>,
}

impl LoopPlan {
    pub fn last_live_end(&self) -> Option<i64> {
        self.stages.iter().filter_map(PlannedStage::ends_at).max()
    }

    pub fn debrief_same_day(&self) -> bool {
        match self.last_live_end() {
            Some(end) => self.debrief_at - end <= SAME_DAY_WINDOW_HOURS * 3600,
            None => true,
        }
    }

    /// Minutes the candidate spends in live stages (the document comes on top).
    pub fn candidate_live_minutes(&self) -> i64 {
        self.stages
            .iter()
            .filter_map(|s| s.spec.length_minutes)
            .sum()
    }

    /// Interviewer time: every live stage times its panel, plus one reading of
    /// the design document by each of its reviewers and the deep-dive panel.
    pub fn interviewer_minutes(&self) -> i64 {
        let panels: Vec<(&StageSpec, usize)> = self
            .stages
            .iter()
            .map(|s| (&s.spec, s.interviewers.len()))
            .collect();
        super::lint::time_cost(&panels).1
    }

    /// Hours of candidate time of the written document, if the loop has one.
    pub fn document_hours(&self) -> Option<(u32, u32)> {
        self.stages
            .iter()
            .find(|s| s.kind == StageKind::DesignDoc)
            .map(|s| s.spec.hours())
    }

    /// The hiring manager first, then every interviewer once, in stage order.
    pub fn participants(&self) -> Vec<UserId> {
        let mut out = vec![self.hiring_manager.clone()];
        for stage in &self.stages {
            for user in &stage.interviewers {
                if !out.contains(user) {
                    out.push(user.clone());
                }
            }
        }
        out
    }
}

fn is_acceptable_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && url.chars().count() <= MAX_URL_CHARS
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '|' | '"'))
}

impl LoopDraft {
    /// Checks every rule of the loop at once, so the form shows all problems
    /// in one round trip. `now` is unix seconds.
    pub fn validate(self, template: &Template, now: i64) -> Result<LoopPlan, FieldErrors> {
        let mut errors: FieldErrors = Vec::new();
        let mut fail = |field: Field, problem: Problem| {
            if !errors.iter().any(|e| e.field == field) {
                errors.push(PlanError { field, problem });
            }
        };

        let candidate = match CandidateName::parse(&self.candidate_name) {
            Ok(name) => Some(name),
            Err(NameError::Empty) => {
                fail(Field::CandidateName, Problem::NameMissing);
                None
            }
            Err(NameError::TooLong) => {
                fail(Field::CandidateName, Problem::NameTooLong);
                None
            }
        };
        match self.applied_level {
            None => fail(Field::AppliedLevel, Problem::LevelMissing),
            Some(level) if !level.is_applicable() => {
                fail(Field::AppliedLevel, Problem::LevelBelowStaff)
            }
            Some(_) => {}
        }
        if self.hiring_manager.is_none() {
            fail(Field::HiringManager, Problem::HiringManagerMissing);
        }

        let mut stages = Vec::new();
        for (i, spec) in template.stages.iter().enumerate() {
            let (position, kind) = (i + 1, spec.kind);
            let draft = self.stages.get(i);
            let mut interviewers: Vec<UserId> = Vec::new();
            for user in draft.map(|d| d.interviewers.as_slice()).unwrap_or_default() {
                if !interviewers.contains(user) {
                    interviewers.push(user.clone());
                }
            }
            let starts_at = draft.and_then(|d| d.starts_at);
            if interviewers.is_empty() {
                fail(Field::Interviewers(position, kind), Problem::NoInterviewer);
            } else if interviewers.len() < spec.panel {
                let need = spec.panel;
                fail(
                    Field::Interviewers(position, kind),
                    Problem::PanelTooSmall { need },
                );
            } else if kind == StageKind::DeepDive && interviewers.len() != 2 {
                fail(Field::Interviewers(position, kind), Problem::DeepDiveNotTwo);
            } else if kind == StageKind::DeepDive {
                if let Some(hm) = &self.hiring_manager {
                    if !interviewers.contains(hm) {
                        fail(
                            Field::Interviewers(position, kind),
                            Problem::HiringManagerNotOnPanel,
                        );
                    }
                }
            }
            if spec.is_live() {
                match starts_at {
                    None => fail(Field::StartsAt(position, kind), Problem::StartMissing),
                    Some(t) if t < now => {
                        fail(Field::StartsAt(position, kind), Problem::StartInPast)
                    }
                    Some(_) => {}
                }
            }
            stages.push((
                position,
                PlannedStage {
                    kind,
                    spec: spec.clone(),
                    interviewers,
                    starts_at: if spec.is_live() { starts_at } else { None },
                },
            ));
        }

        // One person cannot sit in two stages at once.
        for (i, (a_pos, a)) in stages.iter().enumerate() {
            for (b_pos, b) in &stages[i + 1..] {
                let (Some(a_start), Some(a_end), Some(b_start), Some(b_end)) =
                    (a.starts_at, a.ends_at(), b.starts_at, b.ends_at())
                else {
                    continue;
                };
                if a_start < b_end && b_start < a_end {
                    if let Some(user) = b.interviewers.iter().find(|u| a.interviewers.contains(u)) {
                        let (later, earlier) = if b_start >= a_start {
                            ((*b_pos, b.kind), a)
                        } else {
                            ((*a_pos, a.kind), b)
                        };
                        fail(
                            Field::Interviewers(later.0, later.1),
                            Problem::DoubleBooked {
                                user: user.clone(),
                                other: earlier.spec.title.clone(),
                            },
                        );
                    }
                }
            }
        }

        let stages: Vec<PlannedStage> = stages.into_iter().map(|(_, s)| s).collect();
        let last_end = stages.iter().filter_map(PlannedStage::ends_at).max();
        match (self.debrief_at, last_end) {
            (None, _) => fail(Field::DebriefAt, Problem::DebriefMissing),
            (Some(debrief), Some(end)) if debrief < end => {
                fail(Field::DebriefAt, Problem::DebriefBeforeLastStage)
            }
            _ => {}
        }

        let design_doc_url = self
            .design_doc_url
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        if let Some(url) = &design_doc_url {
            if !is_acceptable_url(url) {
                fail(Field::DesignDocUrl, Problem::BadUrl);
            }
        }
        let design_prompt = self
            .design_prompt
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty());

        match (
            candidate,
            self.applied_level,
            self.hiring_manager,
            self.debrief_at,
        ) {
            (Some(candidate), Some(applied_level), Some(hiring_manager), Some(debrief_at))
                if errors.is_empty() =>
            {
                Ok(LoopPlan {
                    candidate,
                    applied_level,
                    hiring_manager,
                    stages,
                    debrief_at,
                    design_doc_url,
                    template_name: template.name.clone(),
                    design_prompt,
                    warnings: Vec::new(),
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const DAY_START: i64 = NOW + 86_400;

    fn u(id: &str) -> UserId {
        UserId::parse(id).unwrap()
    }

    /// A valid loop: stages back to back from DAY_START, debrief after.
    pub(crate) fn good_draft() -> LoopDraft {
        let mut t = DAY_START;
        let people = [
            vec![u("UHM")],
            vec![u("UDOC1")],
            vec![u("UHM"), u("USTAFF")],
            vec![u("UCODE")],
            vec![u("UXTEAM")],
            vec![u("UBAR")],
        ];
        let stages = StageKind::ALL
            .into_iter()
            .zip(people)
            .map(|(kind, interviewers)| {
                let starts_at = kind.length_minutes().map(|len| {
                    let s = t;
                    t += len * 60;
                    s
                });
                StageDraft {
                    kind: Some(kind),
                    interviewers,
                    starts_at,
                }
            })
            .collect();
        LoopDraft {
            candidate_name: "José Núñez".into(),
            applied_level: Some(Level::Staff),
            hiring_manager: Some(u("UHM")),
            stages,
            debrief_at: Some(t + 1800),
            design_doc_url: Some("https://docs.example.com/prompt".into()),
            design_prompt: None,
        }
    }

    fn problems(draft: LoopDraft) -> Vec<(Field, Problem)> {
        draft
            .validate(&Template::default_template(), NOW)
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    fn stage_mut(d: &mut LoopDraft, kind: StageKind) -> &mut StageDraft {
        d.stages.iter_mut().find(|s| s.kind == Some(kind)).unwrap()
    }

    #[test]
    fn a_good_draft_becomes_a_plan() {
        let plan = good_draft()
            .validate(&Template::default_template(), NOW)
            .unwrap();
        assert_eq!(plan.stages.len(), 6);
        assert!(plan.debrief_same_day());
        assert_eq!(plan.candidate_live_minutes(), 300);
        // 60 + 75*2 + 60 + 60 + 45 live, plus 3 readings of the document.
        assert_eq!(plan.interviewer_minutes(), 375 + 180);
        assert_eq!(plan.participants().len(), 6);
        assert_eq!(plan.participants()[0], u("UHM"));
    }

    #[test]
    fn every_rule_reports_on_its_field() {
        let mut d = good_draft();
        stage_mut(&mut d, StageKind::DeepDive)
            .interviewers
            .push(u("UTHIRD"));
        assert_eq!(
            problems(d),
            vec![(
                Field::Interviewers(3, StageKind::DeepDive),
                Problem::DeepDiveNotTwo
            )]
        );

        let mut d = good_draft();
        d.candidate_name = "   ".into();
        assert_eq!(problems(d)[0], (Field::CandidateName, Problem::NameMissing));

        let mut d = good_draft();
        stage_mut(&mut d, StageKind::Coding).interviewers.clear();
        assert_eq!(
            problems(d),
            vec![(
                Field::Interviewers(4, StageKind::Coding),
                Problem::NoInterviewer
            )]
        );

        let mut d = good_draft();
        stage_mut(&mut d, StageKind::DeepDive).interviewers = vec![u("UHM")];
        assert_eq!(
            problems(d),
            vec![(
                Field::Interviewers(3, StageKind::DeepDive),
                Problem::PanelTooSmall { need: 2 }
            )]
        );

        let mut d = good_draft();
        stage_mut(&mut d, StageKind::DeepDive).interviewers = vec![u("UA"), u("UB")];
        assert_eq!(
            problems(d),
            vec![(
                Field::Interviewers(3, StageKind::DeepDive),
                Problem::HiringManagerNotOnPanel
            )]
        );

        let mut d = good_draft();
        d.debrief_at = Some(DAY_START + 60);
        assert_eq!(
            problems(d),
            vec![(Field::DebriefAt, Problem::DebriefBeforeLastStage)]
        );

        let mut d = good_draft();
        stage_mut(&mut d, StageKind::Coding).starts_at = None;
        assert_eq!(
            problems(d),
            vec![(Field::StartsAt(4, StageKind::Coding), Problem::StartMissing)]
        );

        let mut d = good_draft();
        d.design_doc_url = Some("javascript:alert(1)".into());
        assert_eq!(problems(d), vec![(Field::DesignDocUrl, Problem::BadUrl)]);
    }

    #[test]
    fn double_booking_names_the_person_and_the_other_stage() {
        let mut d = good_draft();
        let screen_start = stage_mut(&mut d, StageKind::HmScreen).starts_at;
        let bar = stage_mut(&mut d, StageKind::BarRaiser);
        bar.starts_at = screen_start.map(|t| t + 5 * 60);
        bar.interviewers = vec![u("UHM")];
        assert_eq!(
            problems(d),
            vec![(
                Field::Interviewers(6, StageKind::BarRaiser),
                Problem::DoubleBooked {
                    user: u("UHM"),
                    other: "Hiring-manager screen".into()
                }
            )]
        );
        // Back to back is fine: the end is exclusive.
        let mut d = good_draft();
        let screen_end = stage_mut(&mut d, StageKind::HmScreen).starts_at.unwrap() + 3600;
        let bar = stage_mut(&mut d, StageKind::BarRaiser);
        bar.starts_at = Some(screen_end);
        bar.interviewers = vec![u("UHM")];
        // It now overlaps the deep-dive, where the HM also sits.
        assert!(d.validate(&Template::default_template(), NOW).is_err());
    }

    #[test]
    fn a_next_day_debrief_is_allowed_but_noted() {
        let mut d = good_draft();
        d.debrief_at = d.debrief_at.map(|t| t + 20 * 3600);
        let plan = d.validate(&Template::default_template(), NOW).unwrap();
        assert!(!plan.debrief_same_day());
    }
}
