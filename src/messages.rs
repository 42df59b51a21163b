//! Every sentence a user reads, in one place. Anything that carries user text
//! takes it already escaped (see `slack::mrkdwn::escape`).

use crate::domain::loop_plan::Problem;
use crate::domain::StageKind;

pub const GENERIC_APOLOGY: &str =
    "Sorry, something went wrong on our side. Nothing you entered was lost; please try again in a minute.";

pub const HELP_INTRO: &str =
    "*staffloop* runs a staff-engineer interview loop: a private channel per candidate, \
     locked scorecards after every stage, and one reveal when the debrief starts.";

pub fn unknown_command(escaped_word: &str) -> String {
    format!("I don't know `{escaped_word}`. Here is what I can do:")
}

pub const NOT_A_LOOP_CHANNEL: &str =
    "This channel isn't a loop channel. Run `/staffloop status` inside a candidate's `loop-…` channel.";

pub fn form_failed(code: &str) -> String {
    format!(
        "I couldn't open the loop form (Slack answered `{code}`). Please run the command again."
    )
}

pub const FORM_ERROR_GENERIC: &str =
    "Something went wrong saving this loop. Nothing was created; please press Open loop again.";

// The open-loop form.
pub const OPEN_TITLE: &str = "Open a staff loop";
pub const OPEN_SUBMIT: &str = "Open loop";
pub const OPEN_CANCEL: &str = "Cancel";
pub const OPEN_INTRO: &str =
    "Six stages, about five hours of live interviews plus the written design document. \
     Scorecards are locked when submitted and stay hidden from everyone until the debrief.";
pub const CANDIDATE_LABEL: &str = "Candidate name";
pub const LEVEL_LABEL: &str = "Applied level";
pub const HM_LABEL: &str = "Hiring manager";
pub const DEBRIEF_LABEL: &str = "Debrief";
pub const DEBRIEF_HINT: &str =
    "Hold it the same day as the last interview, while memories are fresh.";
pub const DOC_URL_LABEL: &str = "Design-document prompt (link)";
pub const DOC_URL_HINT: &str =
    "Optional: the underspecified problem from your own domain the candidate will write about.";

pub fn stage_who_label(kind: StageKind) -> String {
    match kind.length_minutes() {
        Some(min) => format!("{}. {} · {} min", kind.position(), kind.title(), min),
        None => format!("{}. {} · async", kind.position(), kind.title()),
    }
}

pub fn stage_who_hint(kind: StageKind) -> &'static str {
    match kind {
        StageKind::HmScreen => {
            "A working problem, not a fit chat: does the candidate narrow it first?"
        }
        StageKind::DesignDoc => {
            "Who scores the written document. Its card is due before the deep-dive."
        }
        StageKind::DeepDive => {
            "A panel of two: the hiring manager and a staff or principal engineer."
        }
        StageKind::Coding => "Debugging or refactoring real-ish code, not puzzles.",
        StageKind::CrossTeam => {
            "Four behavioural prompts, each on a different mechanism of influence."
        }
        StageKind::BarRaiser => "A staff or principal engineer from outside the team.",
    }
}

pub fn stage_when_label(kind: StageKind) -> String {
    format!("{} starts", kind.title())
}

pub fn problem(p: &Problem) -> String {
    match p {
        Problem::NameMissing => "Enter the candidate's name.".into(),
        Problem::NameTooLong => format!(
            "Keep the name under {} characters.",
            crate::domain::name::MAX_CANDIDATE_NAME_CHARS + 1
        ),
        Problem::LevelMissing => "Pick the level the candidate applied at.".into(),
        Problem::LevelBelowStaff => "This loop is for staff and senior staff candidates.".into(),
        Problem::HiringManagerMissing => "Pick the hiring manager.".into(),
        Problem::NoInterviewer => "Pick at least one interviewer for this stage.".into(),
        Problem::PanelTooSmall { need } => {
            format!("This stage needs a panel of {need}: the hiring manager and a staff or principal engineer.")
        }
        Problem::HiringManagerNotOnPanel => {
            "The hiring manager sits on the deep-dive panel; add them.".into()
        }
        Problem::StartMissing => "Pick when this stage starts.".into(),
        Problem::StartInPast => "That time has already passed.".into(),
        Problem::DebriefMissing => "Pick when the debrief starts.".into(),
        Problem::DebriefBeforeLastStage => {
            "The debrief must start after the last interview has ended.".into()
        }
        Problem::DoubleBooked { user, other } => format!(
            "<@{user}> is also on the {} at an overlapping time.",
            other.title().to_lowercase()
        ),
        Problem::BadUrl => "Use a plain http(s) link.".into(),
    }
}

// The loop plan message and channel.
pub fn channel_topic(candidate: &str, applied: &str) -> String {
    format!("Staff loop for {candidate} (applied at {applied}). Scorecards stay hidden until the debrief.")
}

pub fn plan_fallback(candidate: &str) -> String {
    format!("Loop plan for {candidate}")
}

pub fn plan_header(candidate: &str) -> String {
    format!("Loop plan: {candidate}")
}

pub fn plan_summary(applied: &str, hm_mention: &str) -> String {
    format!("Applied at *{applied}*. Hiring manager: {hm_mention}.")
}

pub const PLAN_RULE: &str =
    ":lock: *Scorecards are locked and hidden.* Each interviewer gets a private scorecard after \
     their stage. Once submitted a card cannot be edited (later thoughts go in a timestamped \
     addendum), and nobody — hiring manager included — sees anyone's scores or recommendation \
     until the debrief starts. Then every card is revealed at once, and missing ones are named.";

pub const PLAN_DOC_RULE: &str =
    "The written document is scored on its own card *before* the deep-dive; a strong \
     conversation later does not rescue a weak document.";

pub fn plan_totals(candidate_live: &str, doc_hours: (u32, u32), interviewer: &str) -> String {
    format!(
        "*Time:* {candidate_live} of live interviews for the candidate, plus {}–{} h on the written document. \
         About {interviewer} of interviewer time, reading the document included.",
        doc_hours.0, doc_hours.1
    )
}

pub fn plan_debrief(when: &str) -> String {
    format!("*Debrief:* {when}")
}

pub const PLAN_DEBRIEF_NOT_SAME_DAY: &str =
    ":warning: The debrief is not on the day of the last interview. The process asks for the \
     same day, while the panel's memory is fresh; consider moving it.";

pub fn plan_doc_prompt(escaped_url: &str) -> String {
    format!("*Design-document prompt:* {escaped_url}")
}

pub fn stage_line(position: u8, title: &str, length: &str, when: &str) -> String {
    format!("*{position}. {title}* · {length} · {when}")
}

pub const ASYNC_STAGE_WHEN: &str = "async, when the document arrives";

pub fn stage_people(mentions: &str) -> String {
    format!("Interviewers: {mentions}")
}

pub fn stage_probes(probes: &str) -> String {
    format!("Probes: {probes}")
}

pub const CODING_CARD: &str =
    "the coding card (diagnostic thinking and code-review quality count double)";

pub fn opened_dm(candidate: &str) -> String {
    format!("The loop for *{candidate}* is open. Its private channel:")
}

pub fn opened_dm_fallback(candidate: &str) -> String {
    format!("The loop for {candidate} is open.")
}

// /staffloop status
pub fn status_header(candidate: &str) -> String {
    format!("*Status of the loop for {candidate}*")
}

pub fn status_counts(submitted: usize, expected: usize) -> String {
    format!("{submitted} of {expected} scorecards in. Contents stay hidden until the debrief.")
}

// App Home
pub const HOME_TITLE: &str = "staffloop";
pub const HOME_NO_LOOPS: &str =
    "You are not on any open loop. Run `/staffloop open` in any channel to start one.";
pub const HOME_LOOPS_HEADER: &str = "Your open loops";

pub fn home_loop_line(
    candidate: &str,
    channel: &str,
    role: &str,
    submitted: usize,
    expected: usize,
) -> String {
    format!("*{candidate}* · {channel} · you are {role} · {submitted} of {expected} scorecards in")
}
