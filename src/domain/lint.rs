//! The loop linter: where a loop's shape falls short of a staff loop.
//! Errors make a template unusable; warnings are shown in the open form and
//! in the plan, so the whole panel sees them. `messages::finding` says each
//! rule and its reason in plain words.

use super::ids::UserId;
use super::loop_plan::LoopPlan;
use super::rubric::Dimension;
use super::stage::{StageKind, DESIGN_DOC_READING_MINUTES};
use super::template::{StageSpec, Template};

/// Live candidate time above which the loop is "well above" about six hours.
pub const MAX_CANDIDATE_MINUTES: i64 = 390;
/// Interviewer time above which the loop costs more than about ten hours.
pub const MAX_INTERVIEWER_MINUTES: i64 = 600;

/// Design prompts that test memory rather than thinking. A template's
/// `generic_prompt` lines add to these.
pub const GENERIC_PROMPTS: &[&str] = &[
    "twitter",
    "url shortener",
    "url shortening",
    "tinyurl",
    "chat app",
    "chat system",
    "messenger",
    "whatsapp",
    "instagram",
    "news feed",
    "rate limiter",
    "parking lot",
    "uber",
    "web crawler",
    "youtube",
    "netflix",
    "dropbox",
    "pastebin",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    UnprobedDimension(Dimension),
    TooManyProbes,
    NoDesignDoc,
    DocAfterDeepDive,
    DeepDivePanel(usize),
    TwoCodingRounds,
    /// The generic prompt matched.
    GenericPrompt(String),
    BehaviouralBesideCrossTeam,
    PresentationNotNeeded,
    CandidateTime(i64),
    InterviewerTime(i64),
    DebriefNotSameDay,
    BarRaiserInHiringTeam(UserId),
    /// A panelist has not been through a practice debrief within the
    /// window: never, or last at the given time (unix seconds).
    NotCalibrated {
        user: UserId,
        days: i64,
        last: Option<i64>,
    },
}

impl Rule {
    pub fn severity(&self) -> Severity {
        match self {
            Rule::UnprobedDimension(_)
            | Rule::TooManyProbes
            | Rule::NoDesignDoc
            | Rule::DocAfterDeepDive
            | Rule::DeepDivePanel(_) => Severity::Error,
            _ => Severity::Warning,
        }
    }

    /// Stable name, printed by `template check`.
    pub fn key(&self) -> &'static str {
        match self {
            Rule::UnprobedDimension(_) => "unprobed-dimension",
            Rule::TooManyProbes => "too-many-probes",
            Rule::NoDesignDoc => "no-design-document",
            Rule::DocAfterDeepDive => "document-after-deep-dive",
            Rule::DeepDivePanel(_) => "deep-dive-panel",
            Rule::TwoCodingRounds => "two-coding-rounds",
            Rule::GenericPrompt(_) => "generic-design-prompt",
            Rule::BehaviouralBesideCrossTeam => "behavioural-beside-cross-team",
            Rule::PresentationNotNeeded => "presentation-round",
            Rule::CandidateTime(_) => "candidate-time",
            Rule::InterviewerTime(_) => "interviewer-time",
            Rule::DebriefNotSameDay => "debrief-not-same-day",
            Rule::BarRaiserInHiringTeam(_) => "bar-raiser-in-hiring-team",
            Rule::NotCalibrated { .. } => "not-calibrated",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// The template line it is about (0: the loop as a whole).
    pub line: usize,
    /// The stage it is about: 1-based position and title.
    pub stage: Option<(usize, String)>,
}

impl Finding {
    pub fn is_error(&self) -> bool {
        self.rule.severity() == Severity::Error
    }
}

fn at(rule: Rule, position: usize, spec: &StageSpec) -> Finding {
    Finding {
        rule,
        line: spec.line,
        stage: Some((position, spec.title.clone())),
    }
}

fn whole(rule: Rule) -> Finding {
    Finding {
        rule,
        line: 0,
        stage: None,
    }
}

/// Lower-case words of `text`.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Endings that leave a word the same word ("apps", "application").
const WORD_ENDINGS: &[&str] = &["", "s", "es", "lication", "lications"];

/// The generic prompt `text` amounts to, if any: every word of the prompt
/// is a word of the text, give or take an ending ("chat app" matches "a chat
/// application", not "chat about the approach").
pub fn generic_prompt<'a>(text: &str, extra: &'a [String]) -> Option<&'a str>
where
    'static: 'a,
{
    let have = words(text);
    let same = |h: &str, w: &str| {
        h.strip_prefix(w)
            .is_some_and(|ending| WORD_ENDINGS.contains(&ending))
    };
    GENERIC_PROMPTS
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .find(|prompt| {
            let want = words(prompt);
            !want.is_empty() && want.iter().all(|w| have.iter().any(|h| same(h, w)))
        })
}

/// The words of a link's path ("…/design-twitter-v2" → "design twitter
/// v2"): what its title usually says.
fn link_words(url: &str) -> String {
    let path = url
        .split_once("://")
        .map(|(_, rest)| rest.split_once('/').map(|(_, p)| p).unwrap_or(""))
        .unwrap_or(url);
    path.replace(['/', '-', '_', '.', '?', '=', '&', '#'], " ")
}

/// Live candidate minutes and interviewer minutes of stages with panels of
/// `panels` people (one reading of the document per reader on top).
pub fn time_cost(stages: &[(&StageSpec, usize)]) -> (i64, i64) {
    let candidate = stages.iter().filter_map(|(s, _)| s.length_minutes).sum();
    let live: i64 = stages
        .iter()
        .filter_map(|(s, n)| Some(s.length_minutes? * *n as i64))
        .sum();
    let readers: i64 = stages
        .iter()
        .filter(|(s, _)| matches!(s.kind, StageKind::DesignDoc | StageKind::DeepDive))
        .map(|(_, n)| *n as i64)
        .sum();
    (candidate, live + readers * DESIGN_DOC_READING_MINUTES)
}

/// What the template alone says about the loop: every error, and the
/// warnings that do not depend on the people and times of one loop.
pub fn template(t: &Template) -> Vec<Finding> {
    let mut out = Vec::new();
    let stages: Vec<(usize, &StageSpec)> = t
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| (i + 1, s))
        .collect();
    for d in Dimension::ALL {
        if !t.stages.iter().any(|s| s.probes.contains(&d)) {
            out.push(whole(Rule::UnprobedDimension(d)));
        }
    }
    for (pos, s) in &stages {
        if s.kind != StageKind::BarRaiser && s.probes.len() > 2 {
            out.push(at(Rule::TooManyProbes, *pos, s));
        }
    }
    match (
        t.stage_of(StageKind::DesignDoc),
        t.stage_of(StageKind::DeepDive),
    ) {
        (None, _) => out.push(whole(Rule::NoDesignDoc)),
        (Some((doc, spec)), Some((dive, _))) if doc > dive => {
            out.push(at(Rule::DocAfterDeepDive, doc, spec))
        }
        _ => {}
    }
    if let Some((pos, s)) = t.stage_of(StageKind::DeepDive) {
        if s.panel != 2 {
            out.push(at(Rule::DeepDivePanel(s.panel), pos, s));
        }
    }
    let coding: Vec<&(usize, &StageSpec)> = stages
        .iter()
        .filter(|(_, s)| s.kind == StageKind::Coding)
        .collect();
    if let Some((pos, s)) = coding.get(1) {
        out.push(at(Rule::TwoCodingRounds, *pos, s));
    }
    if t.stage_of(StageKind::CrossTeam).is_some() {
        for (pos, s) in &stages {
            if s.kind == StageKind::Behavioural {
                out.push(at(Rule::BehaviouralBesideCrossTeam, *pos, s));
            }
        }
    }
    if !t.role_presents {
        for (pos, s) in &stages {
            if s.kind == StageKind::Presentation {
                out.push(at(Rule::PresentationNotNeeded, *pos, s));
            }
        }
    }
    let panels: Vec<(&StageSpec, usize)> = t.stages.iter().map(|s| (s, s.panel)).collect();
    out.extend(time_findings(&panels));
    out
}

fn time_findings(stages: &[(&StageSpec, usize)]) -> Vec<Finding> {
    let (candidate, interviewer) = time_cost(stages);
    let mut out = Vec::new();
    if candidate > MAX_CANDIDATE_MINUTES {
        out.push(whole(Rule::CandidateTime(candidate)));
    }
    if interviewer > MAX_INTERVIEWER_MINUTES {
        out.push(whole(Rule::InterviewerTime(interviewer)));
    }
    out
}

/// The warnings for one loop as opened: the template's, with the times
/// counted for the panels chosen, a generic system-design prompt (the
/// prompt typed at open, or the words of the prompt's link), the debrief's
/// day, and a bar raiser from the hiring team.
pub fn plan(t: &Template, plan: &LoopPlan, hiring_team: &[UserId]) -> Vec<Finding> {
    let mut out: Vec<Finding> = template(t)
        .into_iter()
        .filter(|f| {
            !f.is_error() && !matches!(f.rule, Rule::CandidateTime(_) | Rule::InterviewerTime(_))
        })
        .collect();
    if let Some((pos, s)) = t.stage_of(StageKind::SystemDesign) {
        let link = plan.design_doc_url.as_deref().map(link_words);
        let generic = [plan.design_prompt.as_deref(), link.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|text| generic_prompt(text, &t.generic_prompts));
        if let Some(prompt) = generic {
            out.push(at(Rule::GenericPrompt(prompt.to_string()), pos, s));
        }
    }
    let panels: Vec<(&StageSpec, usize)> = plan
        .stages
        .iter()
        .map(|s| (&s.spec, s.interviewers.len()))
        .collect();
    out.extend(time_findings(&panels));
    if !plan.debrief_same_day() {
        out.push(whole(Rule::DebriefNotSameDay));
    }
    for (i, s) in plan.stages.iter().enumerate() {
        if s.spec.kind == StageKind::BarRaiser {
            if let Some(user) = s.interviewers.iter().find(|u| hiring_team.contains(u)) {
                out.push(at(
                    Rule::BarRaiserInHiringTeam(user.clone()),
                    i + 1,
                    &s.spec,
                ));
            }
        }
    }
    out
}

/// Panelists who have not calibrated within `days` of `now`, each once, at
/// the first stage they sit on; `calibrated` gives a person's latest
/// practice debrief, if any.
pub fn uncalibrated(
    plan: &LoopPlan,
    calibrated: impl Fn(&UserId) -> Option<i64>,
    days: i64,
    now: i64,
) -> Vec<Finding> {
    let mut seen: Vec<&UserId> = Vec::new();
    let mut out = Vec::new();
    for (i, s) in plan.stages.iter().enumerate() {
        for user in &s.interviewers {
            if seen.contains(&user) {
                continue;
            }
            seen.push(user);
            let last = calibrated(user);
            if last.is_none_or(|at| now - at > days * 86_400) {
                let rule = Rule::NotCalibrated {
                    user: user.clone(),
                    days,
                    last,
                };
                out.push(at(rule, i + 1, &s.spec));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::template::DEFAULT_TEMPLATE;

    fn rules(text: &str) -> Vec<(&'static str, usize)> {
        let t = Template::parse("t", text).unwrap();
        template(&t)
            .iter()
            .map(|f| (f.rule.key(), f.line))
            .collect()
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.trim() == needle).unwrap() + 1
    }

    #[test]
    fn the_default_loop_is_clean() {
        assert_eq!(rules(DEFAULT_TEMPLATE), vec![]);
    }

    #[test]
    fn each_error_names_its_stage_line() {
        // No bar raiser probing everything, and mentorship nowhere else.
        let t = DEFAULT_TEMPLATE.replace("probes: all", "probes: scope_of_judgement");
        let t = t.replace(
            "probes: cross_team_influence, mentorship_at_distance",
            "probes: cross_team_influence",
        );
        assert_eq!(rules(&t), vec![("unprobed-dimension", 0)]);

        let t = DEFAULT_TEMPLATE.replace(
            "probes: scope_of_judgement\nguide: A working",
            "probes: scope_of_judgement, architectural_decisions, cross_team_influence\nguide: A working",
        );
        assert_eq!(
            rules(&t),
            vec![(
                "too-many-probes",
                line_of(&t, "title: Hiring-manager screen") - 1
            )]
        );

        let t = DEFAULT_TEMPLATE.replace("panel: 2", "panel: 3");
        let dive = line_of(&t, "title: Design-document deep-dive") - 1;
        assert_eq!(rules(&t)[0], ("deep-dive-panel", dive));
    }

    #[test]
    fn a_missing_or_late_document_is_an_error() {
        let doc_start = DEFAULT_TEMPLATE
            .find("[stage]\ntitle: Written design document")
            .unwrap();
        let dive_start = DEFAULT_TEMPLATE
            .find("[stage]\ntitle: Design-document deep-dive")
            .unwrap();
        let doc = &DEFAULT_TEMPLATE[doc_start..dive_start];
        let without = DEFAULT_TEMPLATE.replacen(doc, "", 1);
        assert_eq!(rules(&without), vec![("no-design-document", 0)]);
        let coding = without.find("[stage]\ntitle: Coding round").unwrap();
        let late = format!("{}{doc}{}", &without[..coding], &without[coding..]);
        let found = rules(&late);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "document-after-deep-dive");
    }

    #[test]
    fn warnings_for_the_traps_the_process_names() {
        let extra = "\n[stage]\ntitle: Second coding round\nkind: coding\nlength: 60\npanel: 1\n\
                     \n[stage]\ntitle: Leadership principles\nkind: behavioural\nlength: 60\npanel: 1\nprobes: cross_team_influence\n\
                     \n[stage]\ntitle: Architecture\nkind: system_design\nlength: 60\npanel: 1\nprobes: architectural_decisions\n\
                     \n[stage]\ntitle: Past work\nkind: presentation\nlength: 45\npanel: 1\nprobes: cross_team_influence\n";
        let t = format!("{DEFAULT_TEMPLATE}{extra}");
        let found: Vec<&str> = rules(&t).iter().map(|(k, _)| *k).collect();
        assert_eq!(
            found,
            vec![
                "two-coding-rounds",
                "behavioural-beside-cross-team",
                "presentation-round",
                "candidate-time",
                "interviewer-time",
            ]
        );
        let presents = t.replace("role_presents: no", "role_presents: yes");
        assert!(!rules(&presents)
            .iter()
            .any(|(k, _)| *k == "presentation-round"));
    }

    #[test]
    fn generic_prompts_match_by_words() {
        assert_eq!(
            generic_prompt("Design a Twitter clone", &[]),
            Some("twitter")
        );
        assert_eq!(
            generic_prompt("a chat application for teams", &[]),
            Some("chat app")
        );
        assert_eq!(
            generic_prompt("Chat about the approach they would take", &[]),
            None
        );
        assert_eq!(
            generic_prompt("A URL shortening service", &[]),
            Some("url shortening")
        );
        assert_eq!(
            generic_prompt(
                &link_words("https://docs.example.com/prompts/design-twitter"),
                &[]
            ),
            Some("twitter")
        );
        assert_eq!(
            link_words("https://docs.example.com/workflow-engine"),
            "workflow engine"
        );
        assert_eq!(
            generic_prompt("Move payments orchestration to a workflow engine", &[]),
            None
        );
        let extra = vec!["ticket booking".to_string()];
        assert_eq!(
            generic_prompt("Design a ticket-booking site", &extra),
            Some("ticket booking")
        );
    }
}
