//! Every sentence a user reads, in one place. Anything that carries user text
//! takes it already escaped (see `slack::mrkdwn::escape`).

use crate::domain::lint::{Finding, Rule};
use crate::domain::loop_plan::Problem;
use crate::domain::{StageKind, StageSpec};

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

pub fn stage_who_label(position: usize, spec: &StageSpec) -> String {
    match spec.length_minutes {
        Some(min) => format!("{position}. {} · {min} min", spec.title),
        None => format!("{position}. {} · async", spec.title),
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
        StageKind::SystemDesign => {
            "Use a problem from your own domain, not a textbook one the candidate can recite."
        }
        StageKind::Presentation => "The candidate presents past work to an engineering audience.",
        StageKind::Behavioural => {
            "A structured behavioural round: ask for people, documents and outcomes."
        }
    }
}

pub fn stage_when_label(spec: &StageSpec) -> String {
    format!("{} starts", spec.title)
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
            other.to_lowercase()
        ),
        Problem::BadUrl => "Use a plain http(s) link.".into(),
        Problem::DeepDiveNotTwo => "The deep-dive is a panel of two: the hiring manager and one staff or principal engineer.".into(),
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

pub fn stage_line(position: usize, title: &str, length: &str, when: &str) -> String {
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

// Scorecards: prompts, the modal, locking.
pub fn prompt_text(stage: &str, candidate: &str) -> String {
    format!(
        "The *{stage}* with *{candidate}* is over. Please write your scorecard while it is fresh."
    )
}

pub fn prompt_fallback(stage: &str, candidate: &str) -> String {
    format!("Your scorecard for the {stage} with {candidate} is due.")
}

pub fn prompt_probes(probes: &str) -> String {
    format!("This stage probes: {probes}.")
}

pub const PROMPT_PRIVACY: &str =
    ":lock: Your card is locked when you submit it and stays hidden from everyone, the hiring manager included, until the debrief starts.";
pub const OPEN_SCORECARD: &str = "Open scorecard";
pub const ADD_ADDENDUM: &str = "Add an addendum";

pub fn reminder_text(stage: &str, candidate: &str, hours: i64) -> String {
    format!(
        "Reminder: your *{stage}* scorecard for *{candidate}* is still missing, {hours} h after the stage ended."
    )
}

pub fn locked_text(stage: &str, candidate: &str, when: &str) -> String {
    format!(":lock: You submitted the *{stage}* scorecard for *{candidate}*. Locked at {when}.")
}

pub const LOCKED_ADDENDUM_NOTE: &str =
    "A locked card cannot change. A later thought can go in an addendum: it is timestamped and shown as an addendum at the debrief.";

pub fn channel_submitted(user_mention: &str, stage: &str, submitted: i64, expected: i64) -> String {
    format!("{user_mention} submitted the {stage} scorecard ({submitted} of {expected} in).")
}

pub const SCORECARD_TITLE: &str = "Scorecard";
pub const SCORECARD_SUBMIT: &str = "Lock and submit";
pub const ADDENDUM_TITLE: &str = "Addendum";
pub const ADDENDUM_SUBMIT: &str = "Add addendum";
pub const ADDENDUM_LABEL: &str = "Your later thought";
pub const ADDENDUM_HINT: &str =
    "Text only. It is added with a timestamp; your scores and recommendation stay as they are.";

pub fn scorecard_intro(stage: &str, candidate: &str) -> String {
    format!("*{stage}* · {candidate}\nScore against the staff bar. Once submitted, this card is locked.")
}

pub fn score_label(title: &str) -> String {
    format!("{title}: score")
}

pub fn evidence_label(title: &str) -> String {
    format!("{title}: evidence")
}

pub fn score_option(score: u8) -> &'static str {
    match score {
        1 => "1 · below senior",
        2 => "2 · senior",
        3 => "3 · staff",
        _ => "4 · senior staff",
    }
}

pub const RECOMMENDATION_LABEL: &str = "Level recommendation";
pub const WORK_WITH_YES: &str = "Yes";
pub const WORK_WITH_NO: &str = "No";
pub const WORK_WITH_REASON_LABEL: &str = "Why?";
pub const DOC_GATE_NOTE: &str = ":information_source: One thing leaves this card before the debrief: if it falls below the staff bar, the hiring manager is told at once that it did, and only that (never your scores, recommendation or words), so they can stop the loop before the deep-dive.";

pub const CODING_WEIGHT_NOTE: &str =
    "Diagnostic thinking and code-review quality count double in this card's score.";

pub fn card_problem(p: &crate::domain::scorecard::CardProblem) -> String {
    use crate::domain::scorecard::CardProblem as P;
    match p {
        P::ScoreMissing => "Pick a score from 1 to 4.".into(),
        P::EvidenceTooShort { min } => format!(
            "Write at least {min} characters: what the candidate said or did that earned this score, so the panel can weigh it at the debrief."
        ),
        P::EvidenceTooLong { max } => format!("Keep this under {max} characters."),
        P::RecommendationMissing => "Pick the level you recommend.".into(),
        P::AnswerMissing => "Answer yes or no.".into(),
    }
}

pub const NOT_YOUR_CARD: &str =
    "This scorecard belongs to another interviewer; nothing was stored.";
pub const STAGE_CLOSED: &str = "This loop was stopped; its scorecards are closed.";

pub fn already_locked(when: &str) -> String {
    format!("You already submitted this card; it is locked (since {when}). Add a later thought as an addendum instead.")
}

pub const ADDENDUM_EMPTY: &str = "Write the addendum, or cancel.";

// /staffloop done
pub fn done_usage() -> String {
    "Say which stage: `/staffloop done <stage>` with its number in the plan, its title (`second-coding-round`), or a name such as `screen`, `doc`, `deep-dive`, `coding`, `cross-team`, `bar-raiser` (the first stage of that kind).".into()
}

pub fn done_ok(stage: &str) -> String {
    format!(
        "The {stage} is marked over; its interviewers are being asked for their scorecards now."
    )
}

pub fn done_already(stage: &str) -> String {
    format!("The {stage} is already over; its interviewers have been asked for their scorecards.")
}

pub const DONE_NOT_ALLOWED: &str =
    "Only this stage's interviewers or the hiring manager can end it.";
pub const DOC_RECEIVED_NOT_ALLOWED: &str =
    "Only the hiring manager can mark the design document received.";
pub const DOC_RECEIVED_BUTTON: &str = "Design document received";
pub const LOOP_NOT_OPEN: &str = "This loop is not running any more.";

// Reminders and the HM's lists.
pub fn hm_missing(candidate: &str, lines: &str) -> String {
    format!("The debrief for *{candidate}* starts in an hour. These scorecards are not in yet:\n{lines}")
}

pub fn doc_missing(candidate: &str) -> String {
    format!(
        "The design-document scorecard for *{candidate}* is not in, and the deep-dive is less than 24 h away. The process scores the document before the deep-dive."
    )
}

// The design-document gate.
pub fn gate_text(candidate: &str) -> String {
    format!(
        "The written design document for *{candidate}* did not reach the staff bar. The process does not let a strong whiteboard rescue a weak document: you can stop the loop now, or continue it."
    )
}

pub const GATE_CONTINUE: &str = "Continue";
pub const GATE_STOP: &str = "Stop the loop";
pub const GATE_STOP_CONFIRM: &str =
    "The remaining stages are cancelled and their interviewers told.";
pub const GATE_NOT_ALLOWED: &str = "Only the hiring manager can decide this.";

pub fn gate_continued(hm: &str, when: &str) -> String {
    format!("{hm} chose to continue the loop at {when}.")
}

pub fn gate_stopped(hm: &str, when: &str) -> String {
    format!("{hm} stopped the loop at {when}, after the design document.")
}

pub fn stage_cancelled(stage: &str, candidate: &str) -> String {
    format!("The loop for *{candidate}* was stopped, so the *{stage}* is cancelled. No scorecard is needed.")
}

// App Home additions.
pub const HOME_PENDING_HEADER: &str = "Scorecards waiting for you";
pub const HOME_SUBMITTED_HEADER: &str = "Scorecards you submitted";

pub fn home_pending_line(stage: &str, candidate: &str) -> String {
    format!("*{stage}* · {candidate}")
}

pub fn home_submitted_line(stage: &str, candidate: &str, when: &str) -> String {
    format!(":lock: *{stage}* · {candidate} · locked {when}")
}

// The debrief.
pub const START_DEBRIEF_BUTTON: &str = "Start debrief";
pub const DEBRIEF_NOT_ALLOWED: &str = "Only the hiring manager can start the debrief early.";
pub const DEBRIEF_ALREADY: &str = "The debrief has already started; every card was revealed then.";
pub fn debrief_confirm(candidate: &str) -> String {
    format!("Start the debrief for *{candidate}* now? Every scorecard in is revealed to the channel at once, and cannot be hidden again. Nothing happens unless you press the button.")
}

pub fn debrief_confirm_not_held(candidate: &str, stages: &str) -> String {
    format!("*Not every interview for {candidate} has been held yet:*\n{stages}\nStarting the debrief now reveals every scorecard in, cancels these stages, and tells their interviewers their card is no longer needed. Nothing happens unless you press *Start anyway*.")
}

pub fn debrief_not_held_line(stage: &str, when: &str) -> String {
    format!("• *{stage}*, {when}")
}

pub const NOT_SCHEDULED: &str = "not scheduled";
/// What an effect of `kind` was for, in a few words; `who` is the person
/// it concerned, as a mention, where there is one.
pub fn effect_purpose(kind: &str, who: Option<&str>) -> String {
    let who = who.unwrap_or("someone");
    match kind {
        "create_loop_channel" => "create the loop's private channel".into(),
        "invite_to_loop_channel" => "invite the panel to the loop's channel".into(),
        "set_loop_topic" => "set the loop channel's topic".into(),
        "post_loop_plan" => "post the plan in the loop's channel".into(),
        "update_loop_plan" => "update the plan in the loop's channel".into(),
        "remove_from_loop_channel" => format!("take {who} out of the loop's channel"),
        "tell_opener_loop_is_ready" => format!("tell {who} the loop is ready"),
        "prompt_interviewer" => format!("ask {who} for their scorecard"),
        "prep_interviewer" => format!("brief {who} before their interview"),
        "remind_interviewer" => format!("remind {who} about their scorecard"),
        "mark_prompt_locked" => format!("mark {who}'s scorecard request as done"),
        "note_submission" => "note a submitted scorecard in the loop's channel".into(),
        "ask_gate" => format!("ask {who} about the design document"),
        "confirm_debrief_start" => format!("ask {who} to confirm the debrief's start"),
        "post_reveal_summary" | "update_reveal_summary" => "post the debrief's summary".into(),
        "post_reveal_card" | "post_late_card" => "post a scorecard in the debrief thread".into(),
        "post_late_addendum" => "post an addendum in the debrief thread".into(),
        "upload_reveal_heat_map" | "post_reveal_table" => "post the debrief's score grid".into(),
        "archive_loop_channel" => "archive the loop's channel".into(),
        "loop_channel_note" => "post a note in the loop's channel".into(),
        "direct_message" => format!("send {who} a direct message"),
        "create_calibration_channel" => "create the calibration channel".into(),
        "invite_to_calibration_channel" => "invite everyone to the calibration channel".into(),
        "post_calibration_intro" => "post the introduction in the calibration channel".into(),
        "send_packet" => format!("send {who} their practice packet"),
        "ask_final_vote" => format!("ask {who} for their final vote"),
        "post_vote_opened" | "note_final_vote" | "post_final_votes" => {
            "post the final votes in the debrief thread".into()
        }
        "ask_check_in" => format!("ask {who} for an on-the-job check-in"),
        "tell_audit_started" | "send_audit_report" => format!("send {who} the audit's news"),
        "post_audit_report" => "post the audit's result in the report channel".into(),
        "note_calibration_card" => "note a practice card in the calibration channel".into(),
        "post_calibration_reveal" | "post_calibration_summary" => {
            "post the practice reveal in the calibration channel".into()
        }
        _ => "do something in Slack".into(),
    }
}

/// A Slack error code, in plain words.
pub fn slack_error_words(code: &str) -> String {
    match code {
        "restricted_action" | "restricted_action_read_only_channel" => {
            "this workspace's settings do not allow the bot to do that".into()
        }
        "missing_scope" | "not_allowed_token_type" => {
            "the app lacks a permission; reinstall it from its manifest".into()
        }
        "user_not_found"
        | "user_disabled"
        | "user_is_inactive"
        | "account_inactive"
        | "cant_invite"
        | "user_is_restricted"
        | "user_is_ultra_restricted" => "that person is deactivated or cannot be added".into(),
        "channel_not_found" | "is_archived" | "not_in_channel" => {
            "the loop's channel is gone, archived, or the bot was removed from it".into()
        }
        "name_taken" => "every channel name tried was already taken".into(),
        "msg_too_long" | "invalid_blocks" | "too_many_attachments" => {
            "Slack refused the message's content".into()
        }
        c if c.starts_with("transient:") || c.starts_with("no answer") => {
            "Slack did not answer after several tries".into()
        }
        other => format!("Slack answered \"{other}\""),
    }
}

pub fn checkin_failure(what: &str, why: &str) -> String {
    format!(":warning: For an on-the-job check-in, I could not {what}: {why}. You may need to ask them yourself.")
}

pub fn calibration_failure(what: &str, why: &str) -> String {
    format!(":warning: For your practice debrief, I could not {what}: {why}. Nothing else was held up by it.")
}

pub fn failure_notice(candidate: &str, what: &str, why: &str) -> String {
    format!(":warning: For the loop of *{candidate}*, I could not {what}: {why}. Nothing else was held up by it; you may need to do this one by hand.")
}

pub fn invite_skipped(candidate: &str, people: &str) -> String {
    format!(":warning: For the loop of *{candidate}*, I could not invite {people} to its channel. Everyone else is in.")
}

pub const STATS_NOT_ALLOWED: &str =
    "The downlevel numbers are for staffloop admins and hiring managers, since they describe decisions about people.";

pub fn shortfall_small(mk: Markup, downlevels: u64, needed: u64) -> String {
    mk.italic(&format!("Only {downlevels} downlevel(s) in this window: where they fell short is shown from {needed} on, so that no one candidate can be picked out."))
}

// Interviewer prep, before each live stage.
pub fn prep_title(stage: &str, candidate: &str) -> String {
    format!("Your *{stage}* with *{candidate}*")
}

pub fn prep_fallback(stage: &str, candidate: &str) -> String {
    format!("Prep for your {stage} with {candidate}")
}

pub fn prep_when(when: &str, minutes: i64) -> String {
    format!("*When:* {when}, {minutes} minutes.")
}

pub const PREP_PROBES: &str = "*What it probes*, with the rubric's anchors (1 no hire · 2 senior · 3 staff · 4 senior staff):";
pub const PREP_GUIDE: &str = "*How to run it*";
pub const PREP_LOCKED: &str = ":lock: Afterwards you get a private scorecard. Write your evidence the same day; once you submit, the card is locked and nobody sees it, the hiring manager included, until the debrief starts.";

pub fn prep_doc_in(url: Option<&str>) -> String {
    match url {
        Some(u) => format!(":page_facing_up: The design document is in. Read it before the session: the panel does not ask the candidate to present it. (The prompt they answered: {u})"),
        None => ":page_facing_up: The design document is in. Read it before the session: the panel does not ask the candidate to present it.".to_string(),
    }
}

pub const PREP_DOC_NOT_YET: &str = ":hourglass: The design document has not arrived yet. Once it has, read it before the session: the panel does not ask the candidate to present it.";

// Changing the panel.
pub fn swap_usage() -> String {
    "Usage: `/staffloop swap <stage> @old @new`, for example `/staffloop swap coding @ana @bo`. Hiring manager or admin, in the loop's channel, before the debrief.".to_string()
}

pub const PANEL_NOT_ALLOWED: &str =
    "Only the hiring manager or a staffloop admin can change the panel.";
pub const PANEL_TOO_LATE: &str =
    "The debrief has started (or the loop has ended), so the panel can no longer change.";
pub const SWAP_STAGE_GONE: &str = "That stage was cancelled; there is no panel to change.";

pub fn swap_not_on_stage(old: &str, stage: &str) -> String {
    format!("{old} is not on the {stage} panel.")
}

pub fn swap_already_on_stage(new: &str, stage: &str) -> String {
    format!("{new} is already on the {stage} panel.")
}

pub fn swap_card_in(old: &str, stage: &str) -> String {
    format!("{old} has already submitted the {stage} scorecard, so their seat cannot be swapped.")
}

/// What the new interviewer gets after a swap.
pub enum SwapNext {
    /// The stage is over: asked for the card now.
    Prompted,
    /// The stage is to come: briefed before it.
    Briefed,
    /// The stage is under way (or has no time): asked when it ends.
    AskedAtEnd,
}

pub fn swap_done(old: &str, new: &str, stage: &str, next: SwapNext) -> String {
    let next = match next {
        SwapNext::Prompted => "They are invited to the channel and asked for the scorecard now.",
        SwapNext::Briefed => "They are invited to the channel and will get the prep before the interview.",
        SwapNext::AskedAtEnd => "They are invited to the channel and will be asked for the scorecard when the stage ends.",
    };
    format!("{new} takes {old}'s seat on the {stage}. {next} The plan message is updated.")
}

pub fn swap_note(by: &str, old: &str, new: &str, stage: &str) -> String {
    format!("{by} changed the panel: {new} replaces {old} on the *{stage}*.")
}

pub fn swap_told_old(stage: &str, candidate: &str) -> String {
    format!("You are no longer on the *{stage}* for *{candidate}*; someone else takes your seat. No scorecard is needed from you for it.")
}

pub fn reschedule_usage(tz: &str) -> String {
    format!("Usage: `/staffloop reschedule <stage> <YYYY-MM-DD HH:MM>`, for example `/staffloop reschedule coding 2026-12-03 14:00` (times in {tz}). Hiring manager or admin, in the loop's channel, for a live stage not yet held.")
}

pub const RESCHEDULE_HELD: &str =
    "That stage has already been held (or cancelled), so it cannot move.";
pub const RESCHEDULE_PAST: &str = "That time has passed; pick a time still to come.";

pub fn reschedule_after_debrief(debrief: &str) -> String {
    format!("At that time the stage would end after the debrief ({debrief}). Pick an earlier time.")
}

pub fn reschedule_done(stage: &str, when: &str) -> String {
    format!("The *{stage}* now starts {when}. Its panel is told, and the plan is updated.")
}

pub fn reschedule_note(by: &str, stage: &str, when: &str) -> String {
    format!("{by} moved the *{stage}* to {when}.")
}

pub fn reschedule_told(stage: &str, candidate: &str, when: &str) -> String {
    format!("The *{stage}* with *{candidate}* moved: it now starts {when}.")
}

pub const OTHER_WORKSPACE: &str =
    "This staffloop serves another Slack workspace, so it did nothing here.";
pub const DEBRIEF_START_BUTTON: &str = "Start the debrief";
pub const DEBRIEF_START_ANYWAY_BUTTON: &str = "Start anyway";
pub const DEBRIEF_NOT_HELD_CHANGED: &str =
    "Some interviews have not been held yet, so the debrief did not start; see the question above.";

pub fn stage_not_needed(stage: &str, candidate: &str) -> String {
    format!("The debrief for *{candidate}* started before the *{stage}* was held, so that stage is cancelled. Your scorecard for it is no longer needed.")
}

pub const DEBRIEF_STARTED: &str =
    "The debrief has started: every scorecard is now revealed in this channel.";

pub fn reveal_title(candidate: &str, applied: &str) -> String {
    format!("*Debrief: {candidate}* · applied at {applied}")
}

pub fn reveal_counts(submitted: usize, expected: usize) -> String {
    format!("{submitted} of {expected} scorecards in. Every card is revealed now, at once; each card's evidence is in the thread.")
}

pub const REVEAL_FALLBACK: &str = "The debrief has started: all scorecards are revealed.";
pub const REVEAL_GRID: &str = "*Scores by interviewer*";
pub const REVEAL_DIMENSIONS: &str = "*Per dimension*";
pub const REVEAL_TALLY: &str = "*Recommendations*";
pub const REVEAL_FLAGS: &str = "*Talk about these first*";
pub const REVEAL_NO_FLAGS: &str = "No flags: the panel broadly agrees.";
pub const REVEAL_DECIDE: &str = "Hiring manager: record the decision.";

pub fn reveal_card_title(index: usize, mention: &str, stage: &str, level: &str) -> String {
    format!("*#{index}* {mention} · {stage} → recommends *{level}*")
}

pub fn reveal_dimension(title: &str, median: f64, level: &str, spread: u8, scores: &str) -> String {
    format!("{title}: median {median} ({level}), spread {spread} · scores {scores}")
}

pub fn flag_disagreement(title: &str, low: u8, high: u8) -> String {
    format!(":warning: *{title}*: scores from {low} to {high}.")
}

pub fn flag_split(low: &str, high: &str) -> String {
    format!(":warning: Recommendations run from *{low}* to *{high}*.")
}

pub fn flag_missing(mention: &str, stage: &str) -> String {
    format!(":grey_question: Missing: {mention}'s {stage} scorecard.")
}

pub fn flag_after(mention: &str, stage: &str) -> String {
    format!(":hourglass: {mention}'s {stage} scorecard came in after the debrief started: it is in the thread, and not in the figures above.")
}

pub fn flag_addenda(mention: &str, stage: &str, count: usize) -> String {
    format!(":memo: {mention} added {count} addendum(s) to the {stage} card.")
}

pub fn flag_gate(outcome: &str) -> String {
    format!(":page_facing_up: Design-document gate: the document was below the staff bar; the hiring manager chose to {outcome}.")
}

pub fn flag_unscored(title: &str) -> String {
    format!(":no_entry: No card scored *{title}*: the loop did not test it.")
}

pub fn card_reply_title(
    index: usize,
    mention: &str,
    stage: &str,
    level: &str,
    when: &str,
) -> String {
    format!("*#{index}* {mention} · {stage} · recommends *{level}* · locked {when}")
}

pub fn card_after_reveal(after: &str) -> String {
    format!(":hourglass: *Written after the reveal* ({after} after the debrief started), so the discussion may have shaped it.")
}

pub fn late_addendum_title(
    mention: &str,
    stage: &str,
    index: usize,
    when: &str,
    after: &str,
) -> String {
    format!(":memo: *Addendum* by {mention} to scorecard #{index} ({stage}), {when}: written after the reveal, {after} after the debrief started.")
}

pub const LATE_ADDENDUM_FALLBACK: &str = "An addendum written after the reveal";

pub fn card_work_with(question: &str, answer: &str) -> String {
    format!("*{question}* {answer}")
}

pub fn card_addendum(when: &str) -> String {
    format!(":memo: *Addendum*, {when}:")
}

pub fn heatmap_title(candidate: &str) -> String {
    format!("Scores for {candidate}")
}

pub const HEATMAP_COMMENT: &str =
    "Rows follow the #numbers above; red is below senior, orange senior, light green staff, green senior staff, grey not scored.";

// Decisions.
pub fn decide_usage() -> String {
    "Say the decision: `/staffloop decide <no-hire|senior|staff|senior-staff> [note]`.".into()
}

pub const DECIDE_NOT_ALLOWED: &str =
    "Only the hiring manager (or a staffloop admin) can record the decision.";
pub const DECIDE_TOO_EARLY: &str = "The decision comes after the debrief has started.";
pub const DECIDE_NEEDS_REASON: &str =
    "A decision is already recorded. To correct it, add the reason: `/staffloop decide <level> <reason>`.";
pub const DECIDE_CORRECTED_ALREADY: &str =
    "This decision was already corrected once; it cannot change again.";
pub const CONFIRM: &str = "Confirm";

pub fn decide_confirm(applied: &str, decided: &str, downlevel: bool) -> String {
    let base = format!("Applied at *{applied}*; you are recording *{decided}*.");
    if downlevel {
        format!("{base} This is a *downlevel*.")
    } else {
        base
    }
}

pub fn decision_posted(level: &str, applied: &str, downlevel: bool, who: &str) -> String {
    if downlevel {
        format!(":white_check_mark: Decision: *{level}*, a downlevel from {applied}. Recorded by {who}.")
    } else {
        format!(":white_check_mark: Decision: *{level}* (applied at {applied}). Recorded by {who}.")
    }
}

pub fn decision_corrected(level: &str, previous: &str, who: &str) -> String {
    format!(":pencil2: Decision corrected to *{level}* (was {previous}) by {who}.")
}

pub fn decision_note(note: &str) -> String {
    format!("Note: {note}")
}

pub const DECISION_CANCELLED: &str = "Nothing was recorded.";
pub const DECISION_STALE: &str = "That confirmation is no longer open; nothing changed.";

pub fn outcome_usage() -> String {
    "Say how the offer ended: `/staffloop outcome accepted [YYYY-MM-DD]` (the day the hire starts, if you know it) or `/staffloop outcome declined`."
        .into()
}

pub const OUTCOME_NEEDS_DECISION: &str = "Record the decision first.";

pub fn outcome_recorded(outcome: &str) -> String {
    format!("Recorded: the offer was {outcome}.")
}

pub fn archive_soon(days: i64) -> String {
    format!("This loop channel will be archived tomorrow, {days} days after the decision. Export anything you need first.")
}

// The downlevel report.
/// How the report's sentences are marked up: Slack mrkdwn, or plain text for
/// a terminal. The sentences are the same; only emphasis and the alert sign
/// differ, so neither form is made by stripping the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Markup {
    Slack,
    Plain,
}

impl Markup {
    fn bold(self, s: &str) -> String {
        match self {
            Markup::Slack => format!("*{s}*"),
            Markup::Plain => s.to_string(),
        }
    }

    fn italic(self, s: &str) -> String {
        match self {
            Markup::Slack => format!("_{s}_"),
            Markup::Plain => s.to_string(),
        }
    }

    fn alert(self) -> &'static str {
        match self {
            Markup::Slack => ":rotating_light:",
            Markup::Plain => "(!)",
        }
    }
}

pub fn report_title(mk: Markup, days: i64, from: &str, to: &str) -> String {
    format!(
        "{} ({from} to {to})",
        mk.bold(&format!("Downlevel rate, last {days} days"))
    )
}

pub fn report_row_title(mk: Markup, applied: &str, decisions: u64) -> String {
    format!(
        "{}: {decisions} decision(s)",
        mk.bold(&format!("Applied at {applied}"))
    )
}

pub fn report_share(label: &str, count: u64, share: f64, low: f64, high: f64) -> String {
    format!(
        "• {label}: {count} ({:.0}%, 95% interval {:.0}–{:.0}%)",
        share * 100.0,
        low * 100.0,
        high * 100.0
    )
}

pub const REPORT_AT_LEVEL: &str = "Offer at the applied level";
pub const REPORT_ONE_DOWN: &str = "Offer one level down (downlevel)";
pub const REPORT_ONE_UP: &str = "Offer one level up";
pub const REPORT_NO_HIRE: &str = "No hire";
pub const REPORT_FURTHER_DOWN: &str = "Offer two or more levels down";

pub fn diag_small(mk: Markup, decisions: u64, needed: u64) -> String {
    mk.italic(&format!(
        "Only {decisions} decision(s): too few to read anything into (diagnostics need {needed})."
    ))
}

pub fn diag_screen(mk: Markup, at_level: f64, downlevel: f64) -> String {
    format!(
        "{} Only {:.0}% get an offer at the level they applied for, while {:.0}% are downlevelled: the hiring-manager screen is letting too many senior candidates through.",
        mk.alert(),
        at_level * 100.0,
        downlevel * 100.0
    )
}

pub fn diag_inbound(mk: Markup, no_hire: f64) -> String {
    format!(
        "{} {:.0}% end in no hire: the inbound source is wrong for this role.",
        mk.alert(),
        no_hire * 100.0
    )
}

pub const DIAG_NOTHING: &str =
    "No diagnostic fires: the loop is not leaking in the ways the process watches for.";
pub fn report_shortfall(mk: Markup) -> String {
    mk.bold("Where downlevelled candidates fell short")
}
pub const REPORT_NO_DOWNLEVELS: &str = "No downlevelled candidates in this window.";

pub fn shortfall_line(dimension: &str, low: u64, total: u64, share: f64) -> String {
    format!(
        "• {dimension}: {low} of {total} card(s) at the senior anchor or below ({:.0}%)",
        share * 100.0
    )
}

pub fn lowest_stage(mk: Markup, stage: &str, average: f64) -> String {
    format!(
        "Lowest-scoring stage for them: {} (average {average:.1} of 4).",
        mk.bold(stage)
    )
}

pub const REPORT_CHART_TITLE: &str = "Decisions per week, last 12 weeks";
pub const REPORT_CHART_COMMENT: &str =
    "Each bar is one week's decisions: green at the applied level, orange downlevelled, red no hire, grey other.";

pub fn stats_usage() -> String {
    "Pick a window: `/staffloop stats 30d`, `90d` (the default) or `365d`.".into()
}

pub const REPORT_CHANNEL_NOT_ALLOWED: &str =
    "Only a staffloop admin can choose the report channel.";

pub fn report_channel_usage() -> String {
    "Name the channel: `/staffloop report-channel #channel` (pick it from the list so Slack sends its id), or run `/staffloop report-channel here` in it.".into()
}

pub fn report_channel_set(channel: &str) -> String {
    format!("The weekly downlevel report will be posted in <#{channel}>. Invite me there if it is private.")
}

// Loop templates and the linter.
pub const TEMPLATE_LABEL: &str = "Loop template";
pub const TEMPLATE_HINT: &str =
    "The shape of the loop: its stages, their lengths and panels. Picking another redraws the form.";
pub const DESIGN_PROMPT_LABEL: &str = "System-design prompt";
pub const DESIGN_PROMPT_HINT: &str =
    "What the system-design round will ask, in a sentence: a problem from your own domain.";
pub const ACKNOWLEDGE_LABEL: &str = "Warnings";
pub const ACKNOWLEDGE_OPTION: &str = "Open the loop anyway: the plan will show the warnings";
pub const ACKNOWLEDGE_NEEDED: &str =
    "The checks below found something worth a second look. Fix it, or tick this box to open the loop as it is.";
pub const FORM_WARNINGS_HEADER: &str = ":mag: *What the loop checks found in this template*";
pub const PLAN_WARNINGS_HEADER: &str = ":mag: *Where this loop departs from a staff loop*";

pub fn plan_design_prompt(prompt: &str) -> String {
    format!("*System-design prompt:* {prompt}")
}

pub fn plan_template(name: &str) -> String {
    format!("*Template:* {name}")
}

/// One linter finding for Slack: a mark, then `finding_text`.
pub fn finding(f: &Finding) -> String {
    let mark = if f.is_error() { ":x:" } else { ":warning:" };
    format!("{mark} {}", finding_words(f, true))
}

/// One linter finding in plain words: the stage, the rule, then why it
/// matters.
pub fn finding_text(f: &Finding) -> String {
    finding_words(f, true)
}

/// The same for a form field's error, which Slack shows as plain text: no
/// mention, no mark.
pub fn finding_plain(f: &Finding) -> String {
    finding_words(f, false)
}

fn finding_words(f: &Finding, mentions: bool) -> String {
    // Slack's text is mrkdwn: a title from a template file goes out escaped.
    let stage = f
        .stage
        .as_ref()
        .map(|(pos, title)| {
            let title = if mentions {
                crate::slack::mrkdwn::escape(title)
            } else {
                title.clone()
            };
            format!("Stage {pos} ({title}): ")
        })
        .unwrap_or_default();
    let text = match &f.rule {
        Rule::UnprobedDimension(d) => format!(
            "no stage scores {}. Every dimension of the rubric needs a stage that probes it, or the debrief decides it on impressions.",
            d.title()
        ),
        Rule::TooManyProbes => "it probes more than two dimensions. A round that tries to score everything scores nothing well; only the bar raiser looks at all four.".into(),
        Rule::NoDesignDoc => "there is no written design document. It is the stage with the most signal at staff level, and the cheapest one to add.".into(),
        Rule::DocAfterDeepDive => "the written document comes after its deep-dive. Its card must be scored on its own, before the panel discusses it.".into(),
        Rule::DeepDivePanel(n) => format!(
            "the deep-dive panel is {n}. It is two people: the hiring manager and one staff or principal engineer."
        ),
        Rule::TwoCodingRounds => "a second coding round. One is enough: a second adds no new signal and tells the candidate we are unsure what we are hiring for.".into(),
        Rule::GenericPrompt(p) => format!(
            "the design prompt looks like a stock one (\"{p}\"). Stock prompts test memory; a problem from our own domain makes the candidate think."
        ),
        Rule::BehaviouralBesideCrossTeam => "a behavioural round next to the cross-team round. Two thin behavioural rounds are weaker than one well-built cross-team round.".into(),
        Rule::PresentationNotNeeded => "a presentation round, and the template does not say the role presents. Unless presenting is part of the job, it tests the wrong skill.".into(),
        Rule::CandidateTime(min) => format!(
            "{} of live interviews for the candidate, well above the six hours or so a staff loop needs.",
            duration_words(*min)
        ),
        Rule::InterviewerTime(min) => format!(
            "about {} of interviewer time, above the ten hours or so a staff loop costs.",
            duration_words(*min)
        ),
        Rule::DebriefNotSameDay => "the debrief is not on the day of the last interview. Hold it the same day, while the panel's memory is fresh.".into(),
        Rule::BarRaiserInHiringTeam(user) => format!(
            "{} is in the hiring team. The bar raiser comes from outside it, to judge against the company's bar rather than the team's need.",
            if mentions { format!("<@{user}>") } else { "the person chosen".to_string() }
        ),
        Rule::NotCalibrated { user, days, last } => {
            let who = if mentions { format!("<@{user}>") } else { "someone on this stage".to_string() };
            let when = last.map(|at| {
                chrono::DateTime::from_timestamp(at, 0)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            });
            not_calibrated(&who, *days, when.as_deref())
        }
    };
    format!("{stage}{text}")
}

fn duration_words(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

pub fn templates_invalid(file: &str, line: usize, problem: &str) -> String {
    format!("{file}:{line}: {problem}")
}

// --- The interviewer calibration report ---

pub const CALIBRATION_NOT_ALLOWED: &str =
    "The calibration report is for staffloop admins: it describes how individual interviewers score.";

pub fn calibration_usage() -> String {
    "Pick a window: `/staffloop calibration 90d` (the default) or `365d`.".into()
}

pub fn calibration_title(mk: Markup, days: i64, from: &str, to: &str) -> String {
    format!(
        "{} ({from} to {to})",
        mk.bold(&format!("Interviewer calibration, last {days} days"))
    )
}

pub fn calibration_scope(mk: Markup, loops: usize, cards: usize) -> String {
    mk.italic(&format!(
        "{loops} decided loop(s), {cards} card(s). Only loops whose debrief started count, and only cards sent before the reveal."
    ))
}

pub fn agreement_heading(mk: Markup, by: &str, low_below: f64) -> String {
    format!(
        "{} (Krippendorff's α, ordinal: 1 is full agreement, 0 is no better than chance; below {low_below:.2} is low)",
        mk.bold(&format!("How far the panel agrees, by {by}"))
    )
}

pub fn agreement_line(
    mk: Markup,
    title: &str,
    alpha: Option<f64>,
    loops: usize,
    min_loops: usize,
    low: bool,
) -> String {
    match alpha {
        None if loops == 0 => format!("• {title}: not measurable yet (nothing was scored by two cards)"),
        None => format!("• {title}: undefined over {loops} loop(s): every score was the same"),
        Some(a) if loops < min_loops => format!(
            "• {title}: α {a:.2} over {loops} loop(s), too few to read anything into (needs {min_loops})"
        ),
        Some(a) if low => format!(
            "• {title}: α {a:.2} over {loops} loop(s) {} low: the panel reads this differently",
            mk.alert()
        ),
        Some(a) => format!("• {title}: α {a:.2} over {loops} loop(s)"),
    }
}

pub fn interviewers_heading(mk: Markup) -> String {
    format!(
        "{} (offset: their score minus the mean of the other cards on the same candidate and dimension; below zero is harsher)",
        mk.bold("Interviewers")
    )
}

pub const CALIBRATION_NO_CARDS: &str = "No cards from decided loops in this window.";

/// One interviewer's line; `who` is a mention in Slack, the id elsewhere.
#[allow(clippy::too_many_arguments)]
pub fn interviewer_line(
    who: &str,
    cards: usize,
    offset: Option<(f64, f64, f64, usize)>,
    verdict: Option<&str>,
    min_cards: usize,
    matched: (u64, u64, f64),
    lag: Option<String>,
    evidence: Option<f64>,
) -> String {
    let mut parts = vec![format!("{who}: {cards} card(s)")];
    match offset {
        Some((mean, low, high, n)) => parts.push(format!(
            "offset {mean:+.2} (95% interval {low:+.2} to {high:+.2}, over {n} score(s))"
        )),
        None => parts.push("no other card scored the same candidates".into()),
    }
    parts.push(match verdict {
        Some(v) => v.to_string(),
        None => format!("too few cards for a verdict ({cards} of {min_cards})"),
    });
    let (count, total, share) = matched;
    if total > 0 {
        parts.push(format!(
            "level call matched the decision {count} of {total} ({:.0}%)",
            share * 100.0
        ));
    }
    if let Some(lag) = lag {
        parts.push(format!("sent a median {lag} after being asked"));
    }
    if let Some(chars) = evidence {
        parts.push(format!("evidence a median {chars:.0} characters"));
    }
    format!("• {}", parts.join("; "))
}

pub const LEANS_HARSHER: &str = "scores harsher than the panel";
pub const LEANS_LENIENT: &str = "scores more leniently than the panel";
pub const LEANS_IN_LINE: &str = "in line with the panel";

pub fn interviewers_more(more: usize) -> String {
    format!("…and {more} more: `staffloop report calibration` lists everyone.")
}

/// The weekly post's line when the panel agrees too little on a dimension.
pub fn low_agreement(mk: Markup, which: &[(String, f64, usize)], low_below: f64) -> String {
    let list: Vec<String> = which
        .iter()
        .map(|(title, a, loops)| format!("{title} (α {a:.2} over {loops} loops)"))
        .collect();
    format!(
        "{} The panel agrees too little on {}: below {low_below:.2}. `/staffloop calibration` shows who scores how.",
        mk.alert(),
        list.join(", ")
    )
}

// --- Practice debriefs (`/staffloop calibrate`) ---

pub fn packet_name(code: char) -> String {
    format!("Candidate {code}")
}

pub const CALIBRATE_NOT_ALLOWED: &str =
    "Practice debriefs are set up by staffloop admins and hiring managers.";

pub fn calibrate_usage() -> String {
    "`/staffloop calibrate` opens a form; it takes nothing after it.".into()
}

pub const CALIBRATE_TOO_FEW_LOOPS: &str =
    "A practice debrief needs two past loops that were decided after their debrief (for a hiring manager: loops they ran or sat on), and there are not two yet.";

pub fn calibrate_form_failed(code: &str) -> String {
    format!("I couldn't open the practice debrief form (Slack answered `{code}`). Please run the command again.")
}

pub const CALIBRATE_TITLE: &str = "Practice debrief";
pub const CALIBRATE_SUBMIT: &str = "Send packets";
pub const CALIBRATE_INTRO: &str =
    "Everyone you pick scores two past candidates blind, from what their panels wrote, with every name, score and the decision taken out. \
     At the calibration debrief all their cards are shown at once, beside what the original panel scored and decided.";
pub const PACKET_A_LABEL: &str = "Candidate A: a past loop";
pub const PACKET_B_LABEL: &str = "Candidate B: another past loop";
pub const PACKET_HINT: &str =
    "To start with: the latest staff loop whose offer was accepted, and the latest whose offer was declined (as recorded with /staffloop outcome).";
pub const PARTICIPANTS_LABEL: &str = "Participants";
pub const PARTICIPANTS_HINT: &str =
    "To start with: everyone who sat on a loop in the last 90 days.";
pub const CAL_DEBRIEF_LABEL: &str = "Calibration debrief";
pub const CAL_DEBRIEF_HINT: &str =
    "Every practice card is revealed in the calibration channel at this time, or earlier if you start it.";

/// A past loop in the form's picker (Slack shows 75 characters).
pub fn past_loop_option(
    candidate: &str,
    decided: &str,
    outcome: Option<&str>,
    day: &str,
) -> String {
    let outcome = match outcome {
        Some("accepted") => " · offer accepted",
        Some("declined") => " · offer declined",
        _ => "",
    };
    format!("{candidate} · {decided}{outcome} · {day}")
}

pub const PACKET_MISSING: &str = "Pick a past loop.";
pub const PACKET_SAME: &str = "Pick a different loop from Candidate A's.";
pub const PACKET_NOT_PAST: &str =
    "That loop can't be practised on: it is not decided after a debrief, or it is not one you ran or sat on (admins may pick any).";
pub const TOO_FEW_PARTICIPANTS: &str =
    "Pick at least two people: agreement needs more than one view.";
pub const CAL_DEBRIEF_MISSING: &str = "Pick a date and time.";
pub const CAL_DEBRIEF_PAST: &str = "Pick a time in the future.";
pub const CALIBRATE_SAVE_FAILED: &str =
    "Something went wrong saving this practice debrief. Nothing was sent; please press Send packets again.";

pub fn calibration_intro(creator: &str, participants: &str, when: &str) -> String {
    format!(
        "*Practice debrief*, set up by {creator}.\nParticipants: {participants}\n\n\
         Each of you has two packets in a DM, *Candidate A* and *Candidate B*: past staff candidates, \
         with what their panels wrote and every name, score and the decision taken out. \
         Score each one from its evidence. Your cards are locked when sent and hidden from everyone \
         until the reveal on *{when}*, when they are all shown here at once, beside the original panel's scores."
    )
}

pub const CAL_REVEAL_BUTTON: &str = "Reveal now";
pub const CAL_REVEAL_NOTE: &str =
    "Whoever set this up, or an admin, can reveal early; cards not in by then are not shown.";

pub fn packet_heading(code: char) -> String {
    format!("Practice packet: Candidate {code}")
}

pub fn packet_lead(code: char, when: &str) -> String {
    format!(
        "This is a past staff candidate, called *Candidate {code}* here. Below is what the original panel wrote, \
         stage by stage, with every score, level call, name and the decision removed. Score it as you would a live card: \
         your card is locked when you send it and stays hidden until the calibration debrief on {when}."
    )
}

pub fn packet_document(url: Option<&str>) -> String {
    match url {
        Some(u) => format!("*Design document:* {u}"),
        None => "*Design document:* no link was recorded for this loop.".into(),
    }
}

pub const PACKET_LINK_WITHHELD: &str =
    "*Design document:* its link names someone, so it is left out here. Ask whoever set up this practice debrief for a copy without names.";

pub fn packet_stage(title: &str) -> String {
    format!("*{title}*")
}

pub fn packet_interviewer(n: usize) -> String {
    format!("_Interviewer {n}_")
}

pub fn packet_evidence(criterion: &str, evidence: &str) -> String {
    format!("• *{criterion}:* {evidence}")
}

pub const PACKET_EMPTY: &str = "The original panel sent no cards before its debrief.";
/// Stands in for an original panelist's name inside evidence.
pub const MASKED_PERSON: &str = "[interviewer]";

pub fn packet_button(code: char) -> String {
    format!("Score Candidate {code}")
}

pub const PACKET_PRIVACY: &str =
    "Nothing of your card is shown to anyone before the reveal, not even that you scored high or low.";

pub fn packet_fallback(code: char) -> String {
    format!("Your practice packet for Candidate {code}")
}

pub fn practice_card_intro(code: char) -> String {
    format!(
        "*Practice card · Candidate {code}*\nScore this past candidate against the staff bar from the packet's evidence alone. \
         Once sent, the card is locked and hidden until the calibration debrief."
    )
}

pub const PRACTICE_HINT: &str =
    "Quote the packet: which lines of evidence set your score, and what was missing for a higher one.";

pub const NOT_A_PARTICIPANT: &str = "This packet is for the practice debrief's participants only.";
pub const PRACTICE_CLOSED: &str =
    "This practice debrief has been revealed; it takes no more cards.";

pub fn practice_card_already(code: char, when: &str) -> String {
    format!("Your practice card for Candidate {code} is in and locked (since {when}). It is shown at the reveal.")
}

pub fn practice_card_locked(code: char, when: &str) -> String {
    format!("Your practice card for Candidate {code} is locked. It stays hidden from everyone until the calibration debrief on {when}.")
}

pub fn practice_card_note(user: &str, code: char, submitted: i64, expected: i64) -> String {
    format!("{user} sent a practice card for Candidate {code} ({submitted} of {expected} in). Every card stays hidden until the reveal.")
}

pub const CAL_REVEAL_NOT_ALLOWED: &str =
    "Only whoever set up this practice debrief, or an admin, can reveal it early.";
pub const CAL_ALREADY_REVEALED: &str = "This practice debrief is already revealed.";

pub fn practice_reveal_heading(code: char) -> String {
    format!("Candidate {code}: the practice reveal")
}

pub fn practice_cards_in(code: char, n: usize, expected: usize) -> String {
    format!("*{n} of {expected}* practice cards on Candidate {code} were in at the reveal.")
}

fn signed(x: f64) -> String {
    if x.abs() < 0.005 {
        "0".into()
    } else if x > 0.0 {
        format!("+{}", trim_number(x))
    } else {
        format!("−{}", trim_number(-x))
    }
}

fn trim_number(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub fn practice_dimension(
    title: &str,
    median: Option<f64>,
    low: u8,
    high: u8,
    disagrees: bool,
    original: &[u8],
    original_median: Option<f64>,
) -> String {
    let panel = match median {
        Some(m) if low == high => format!("median {} · all scored {low}", trim_number(m)),
        Some(m) => format!(
            "median {} · from {low} to {high}{}",
            trim_number(m),
            if disagrees {
                format!(" :warning: spread {}", high - low)
            } else {
                String::new()
            }
        ),
        None => "no practice scores".into(),
    };
    let orig = match original_median {
        Some(m) => format!(
            "original panel: median {} ({})",
            trim_number(m),
            original
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "the original panel did not score it".into(),
    };
    format!("*{title}* · {panel} · {orig}")
}

/// Each participant's score and offset from the panel's median.
pub fn practice_offsets(rows: &[(String, u8, f64)]) -> String {
    rows.iter()
        .map(|(who, score, off)| format!("{who} {score} ({})", signed(*off)))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn practice_alpha(code: char, alpha: Option<f64>) -> String {
    match alpha {
        Some(a) => format!("Panel agreement on Candidate {code} (ordinal α over the four dimensions): *{a:.2}*"),
        None => format!("Panel agreement on Candidate {code}: not measurable (fewer than two cards, or every score the same)."),
    }
}

pub fn practice_levels(
    tally: &[(crate::domain::Level, usize)],
    middle: Option<crate::domain::Level>,
) -> String {
    let calls = tally
        .iter()
        .map(|(l, n)| format!("{} {n}", l.title()))
        .collect::<Vec<_>>()
        .join(" · ");
    match middle {
        Some(m) => format!("Level calls: {calls} · middle call *{}*", m.title()),
        None => "No level calls.".into(),
    }
}

pub fn practice_split(low: crate::domain::Level, high: crate::domain::Level) -> String {
    format!(
        ":warning: The level calls split, from {} to {}.",
        low.title(),
        high.title()
    )
}

pub fn practice_original(
    levels: &[crate::domain::Level],
    decided: Option<crate::domain::Level>,
    outcome: Option<&str>,
) -> String {
    let calls = if levels.is_empty() {
        "none before its debrief".to_string()
    } else {
        levels
            .iter()
            .map(|l| l.title())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let outcome = match outcome {
        Some("accepted") => ", offer accepted",
        Some("declined") => ", offer declined",
        _ => "",
    };
    let decided = decided.map(|d| d.title()).unwrap_or("not recorded");
    format!("Original panel's level calls: {calls}. *Decision: {decided}*{outcome}.")
}

pub fn practice_verdict(middle: crate::domain::Level, decided: crate::domain::Level) -> String {
    if middle == decided {
        format!(
            ":white_check_mark: This panel's middle call matches the decision: {}.",
            middle.title()
        )
    } else {
        format!(
            ":arrows_counterclockwise: This panel would have decided differently: *{}*, where the decision was {}.",
            middle.title(),
            decided.title()
        )
    }
}

pub fn practice_card_heading(who: &str, code: char) -> String {
    format!("*{who}'s practice card · Candidate {code}*")
}

pub fn practice_card_score(title: &str, score: u8, evidence: &str) -> String {
    format!("*{title}: {score}*\n{evidence}")
}

pub fn practice_card_level(level: &str) -> String {
    format!("Level call: *{level}*")
}

pub const PRACTICE_SUMMARY_HEADING: &str = "The practice debrief, over both candidates";

pub fn practice_overall(alpha: Option<f64>, people: usize) -> String {
    match alpha {
        Some(a) => format!("Panel agreement over both candidates and all four dimensions (ordinal α, {people} people): *{a:.2}*. At 0.67 and above a panel reads the bar alike."),
        None => format!("Panel agreement over both candidates ({people} people): not measurable (fewer than two cards, or every score the same)."),
    }
}

pub fn practice_person(who: &str, mean: f64, n: usize) -> String {
    let leaning = if mean >= 0.5 {
        "scores above the panel"
    } else if mean <= -0.5 {
        "scores below the panel"
    } else {
        "in line with the panel"
    };
    format!(
        "{who}: {} on average over {n} scores, {leaning}",
        signed(mean)
    )
}

pub const PRACTICE_OFFSETS_HEADING: &str = "*Each person against the panel's median*";

pub fn practice_recorded(people: &str) -> String {
    format!("Recorded as calibrated today: {people}.")
}

pub fn practice_no_card(people: &str) -> String {
    format!("Sent no card, so not recorded as calibrated: {people}.")
}

// --- Calibration, in the open form and the weekly post ---

pub fn not_calibrated(who: &str, days: i64, last: Option<&str>) -> String {
    match last {
        Some(when) => format!("{who} last calibrated on {when}, more than {days} days ago. A practice debrief (`/staffloop calibrate`) keeps the panel reading the bar alike."),
        None => format!("{who} has never been through a practice debrief. One (`/staffloop calibrate`) shows an interviewer how the panel reads the bar before a live candidate depends on it."),
    }
}

pub fn calibration_stale(mk: Markup, stale: usize, active: usize, days: i64) -> String {
    format!(
        "{} Calibration has gone stale: {stale} of the {active} people who interviewed in the last 90 days have not been through a practice debrief in {days} days. `/staffloop calibrate` sets one up.",
        mk.alert()
    )
}

// --- The retrospective audit and outcome check-ins ---

pub const AUDIT_NOT_ALLOWED: &str =
    "The audit of past hires is for staffloop admins: it asks how named people work today.";

pub fn audit_usage() -> String {
    "`/staffloop audit` opens a form; it takes nothing after it.".into()
}

pub const AUDIT_TOO_FEW_HIRES: &str =
    "An audit needs at least two hires at staff or above whose offer was accepted (recorded with `/staffloop outcome accepted`), and this workspace does not have two yet.";

pub fn audit_form_failed(code: &str) -> String {
    format!(
        "I couldn't open the audit form (Slack answered `{code}`). Please run the command again."
    )
}

pub const AUDIT_TITLE: &str = "Audit past hires";
pub const AUDIT_SUBMIT: &str = "Ask for check-ins";
pub const AUDIT_INTRO: &str =
    "For each hire, someone who sees their work today scores how they work now on the rubric, privately. \
     When every check-in is in, you get the result: where people hired at staff are weak on the job, and whether their loops tested that.";

pub fn audit_hire_label(n: usize) -> String {
    format!("Hire {n}")
}

pub fn audit_judge_label(n: usize) -> String {
    format!("Who judges hire {n}'s work today")
}

pub const AUDIT_JUDGE_HINT: &str = "To start with: the hire's hiring manager.";
pub const AUDIT_POST_LABEL: &str = "Result";
pub const AUDIT_POST_OPTION: &str =
    "Also post the result in the report channel (hires unnamed, no levels)";

pub fn hire_option(candidate: &str, level: &str, day: &str) -> String {
    format!("{candidate} · hired at {level} · {day}")
}

pub const AUDIT_HIRE_MISSING: &str = "Pick a hire.";
pub const AUDIT_HIRE_SAME: &str = "This hire is already picked above.";
pub const AUDIT_HIRE_NOT_HIRE: &str =
    "That loop is not a hire at staff or above with an accepted offer, or not in this workspace.";
pub const AUDIT_JUDGE_MISSING: &str = "Pick who judges this hire's work today.";
pub const AUDIT_SAVE_FAILED: &str =
    "Something went wrong saving this audit. Nothing was sent; please press the button again.";

pub fn audit_started(hires: &str) -> String {
    format!("*Audit of past hires* started. Check-ins are out for: {hires}. Each is locked when sent and hidden from everyone; you get the result when all are in, or when you close the audit.")
}

pub const AUDIT_CLOSE_BUTTON: &str = "Close the audit now";
pub const AUDIT_CLOSE_NOTE: &str =
    "Closing reports on the check-ins in so far; any still out are not asked for again.";
pub const AUDIT_CLOSE_NOT_ALLOWED: &str = "Only an admin can close an audit.";
pub const AUDIT_ALREADY_CLOSED: &str = "This audit is already closed; its result was sent.";

pub const CHECKIN_TITLE: &str = "On-the-job check-in";
pub const CHECKIN_MODAL_TITLE: &str = "Check-in";
pub const CHECKIN_HINT: &str =
    "Describe recent work you have seen: what they decided, who it reached, what changed because of it.";
pub const WORKING_AT_LABEL: &str = "Working at";
pub const WORKING_AT_MISSING: &str = "Pick the level they work at today.";

pub fn checkin_intro(hire: &str) -> String {
    format!(
        "*On-the-job check-in · {hire}*\nScore how {hire} works *today* against each anchor. Only staffloop admins see this: never {hire}, never the interviewers. Once sent, it is locked."
    )
}

pub fn checkin_prompt(hire: &str, months: Option<i64>) -> String {
    let when = match months {
        Some(n) => format!("{hire} started about {n} months ago. "),
        None => String::new(),
    };
    format!(
        "{when}How does *{hire}* work today? Score them on the four dimensions of the staff rubric, with what you have seen. It takes about ten minutes. Only staffloop admins see what you send; a summary that names no one may go to the hiring team."
    )
}

pub fn checkin_reminder(hire: &str) -> String {
    format!("Reminder: the on-the-job check-in for *{hire}* is still open.")
}

pub const CHECKIN_BUTTON: &str = "Open check-in";
pub const CHECKIN_PRIVACY: &str =
    "Private: never shown to the person, to their interviewers, or in any loop channel.";

pub fn checkin_fallback(hire: &str) -> String {
    format!("On-the-job check-in for {hire}")
}

pub const NOT_YOUR_CHECKIN: &str = "This check-in was asked of someone else.";
pub const CHECKIN_CLOSED: &str = "This audit was closed; the check-in is no longer needed.";

pub fn checkin_already(when: &str) -> String {
    format!("You already sent this check-in; it is locked (since {when}).")
}

pub fn checkin_locked(hire: &str) -> String {
    format!("Your check-in for *{hire}* is locked. Thank you; only admins will see it.")
}

pub fn audit_report_heading(n: usize) -> String {
    format!("Audit of {n} staff hires")
}

pub fn audit_report_scope(checkins: usize, hires: usize, names: &str) -> String {
    format!("On-the-job check-ins in: *{checkins} of {hires}* ({names}). A score of 2 or less is at the senior anchor or below.")
}

pub fn audit_dimension(title: &str, weak: usize, judged: usize, who: &str) -> String {
    if weak == 0 {
        format!("*{title}*: none of {judged} at the senior anchor or below on the job.")
    } else {
        format!("*{title}*: {weak} of {judged} at the senior anchor or below on the job ({who}).")
    }
}

pub fn audit_probe(hire: &str, stages: &str) -> String {
    format!("    {hire}'s loop: {stages}")
}

pub fn audit_probe_stage(title: &str, median: f64, cards: usize) -> String {
    let cards = if cards == 1 {
        "1 card".to_string()
    } else {
        format!("{cards} cards")
    };
    format!("{title} scored it {} ({cards})", trim_number(median))
}

pub const AUDIT_NOT_PROBED: &str = "no stage scored it";

pub fn audit_verdict(v: crate::domain::audit::Verdict) -> &'static str {
    use crate::domain::audit::Verdict as V;
    match v {
        V::LoopWasRight => "The loop was right here.",
        V::NotTested => "→ The loop *did not test* this: that is the round you are missing.",
        V::ScoredHigh => "→ The loop tested it and *scored it high*: that round is miscalibrated.",
        V::SawIt => "→ The loop scored it low too: it saw this, and the hire went ahead anyway.",
    }
}

pub fn audit_working_at(rows: &str) -> String {
    format!("Working at today: {rows}.")
}

pub fn audit_missing_checkins(names: &str) -> String {
    format!("Not in when the audit closed: {names}.")
}

pub fn checkins_planned(months: &str, start: &str) -> String {
    format!(" The hire's manager gets an on-the-job check-in {months} months after {start}.")
}

// --- Validity: what the loop predicted ---

pub fn validity_title(mk: Markup) -> String {
    mk.bold("What the loop predicted: loop scores against on-the-job check-ins")
}

pub fn validity_scope(hires: i64, checkins: i64, min: usize) -> String {
    format!("{hires} hires with a check-in ({checkins} check-ins; each hire's latest counts). Spearman's ρ per dimension, with n pairs and a 95% interval; shown from {min} pairs on.")
}

pub const VALIDITY_NONE: &str =
    "No on-the-job check-ins yet: run `/staffloop audit`, or record start dates with `/staffloop outcome accepted <date>`.";

pub fn validity_heading(mk: Markup, by: &str) -> String {
    mk.bold(&format!("By {by}"))
}

pub fn validity_cell(
    title: &str,
    rho: Option<f64>,
    n: usize,
    ci: Option<(f64, f64)>,
    min: usize,
) -> String {
    match (rho, ci) {
        (Some(r), Some((lo, hi))) => format!("{title} ρ {r:.2} (n {n}, {lo:.2} to {hi:.2})"),
        (Some(r), None) => format!("{title} ρ {r:.2} (n {n})"),
        (None, _) if n >= min => format!("{title} undefined (n {n}, no variation)"),
        (None, _) => format!("{title} n {n}, too few"),
    }
}

// --- Final votes after the reveal ---

pub const COLLECT_VOTES_BUTTON: &str = "Collect final votes";
pub const VOTES_NOT_ALLOWED: &str =
    "Only the loop's hiring manager (or an admin) opens or closes the final vote.";
pub const VOTES_TOO_EARLY: &str = "Final votes open after the reveal.";
pub const VOTES_ALREADY_OPEN: &str = "The final vote is already open.";
pub const VOTES_AFTER_DECISION: &str = "The decision is recorded; final votes are taken before it.";
pub const VOTES_NO_VOTERS: &str =
    "No one sent a card before the debrief, so there is no one to vote.";
pub const DECIDE_VOTE_OPEN: &str =
    "The final vote is still open. Close it with the button in the reveal thread (or wait for the last votes), then decide: the decision is set beside its result.";
pub const VOTES_NOT_OPEN: &str = "The final vote is not open.";
pub const VOTES_ALREADY_CLOSED: &str =
    "The final vote is closed; the votes are in the reveal thread.";
pub const NOT_A_VOTER: &str =
    "Final votes are for the panelists who sent a card before the debrief.";

pub fn vote_ask(candidate: &str) -> String {
    format!(
        "Final votes on *{candidate}* are open. Once the discussion is done, what level do you hold to? Your final vote is private, \
         locked when sent and hidden until everyone has voted; your card itself never changes."
    )
}

pub const VOTE_BUTTON: &str = "Cast final vote";

pub fn vote_fallback(candidate: &str) -> String {
    format!("Your final vote on {candidate}")
}

pub fn votes_opened(voters: &str) -> String {
    format!(
        ":ballot_box_with_ballot: *Final votes are open* for {voters}. Each is private, locked when sent, and shown here at once when all are in \
         or the hiring manager closes the vote."
    )
}

pub const CLOSE_VOTES_BUTTON: &str = "Close the vote";

pub fn vote_noted(user: &str, voted: i64, expected: i64) -> String {
    format!("{user} has voted ({voted} of {expected} in).")
}

pub const VOTE_PRIVACY: &str =
    "Private: your vote is locked when sent and shown to the panel only when everyone has voted or the hiring manager closes the vote.";
pub const VOTE_TITLE: &str = "Final vote";
pub const VOTE_SUBMIT: &str = "Lock my vote";

pub fn vote_intro(candidate: &str, card_level: &str) -> String {
    format!(
        "*Final vote · {candidate}*\nYour card called *{card_level}*. Say the level you hold to now. \
         If it moved, say why; you may also revise a dimension score, each change with its reason. Your card stays as it was."
    )
}

pub const VOTE_LEVEL_LABEL: &str = "My final level";
pub const VOTE_REASON_LABEL: &str = "Why it moved (required when it did)";

pub fn revise_label(title: &str, was: u8) -> String {
    format!("{title} (your card: {was})")
}

pub fn revise_reason_label(title: &str) -> String {
    format!("Why {title} changed (required when it did)")
}

pub const VOTE_LEVEL_MISSING: &str = "Pick your final level.";
pub const VOTE_REASON_MISSING: &str =
    "Your level moved from your card's: say what in the discussion moved it.";
pub const REVISION_REASON_MISSING: &str = "This score changed from your card's: say why.";

pub fn vote_locked(candidate: &str) -> String {
    format!(
        "Your final vote on *{candidate}* is locked. It is shown with the others when all are in."
    )
}

pub fn vote_already(when: &str) -> String {
    format!("You already voted; your vote is locked (since {when}).")
}

pub const VOTES_HEADING: &str = "Final votes";

pub fn vote_kept(who: &str, level: &str) -> String {
    format!("{who}: kept *{level}*")
}

pub fn vote_moved(who: &str, from: &str, to: &str, toward: &str) -> String {
    if toward.is_empty() {
        format!("{who}: moved *{from} → {to}*")
    } else {
        format!("{who}: moved *{from} → {to}*, toward {toward}")
    }
}

pub fn vote_reason(reason: &str) -> String {
    format!("    _Why:_ {reason}")
}

pub fn vote_revision(title: &str, from: i64, to: i64, reason: &str) -> String {
    format!("    {title}: {from} → {to}. {reason}")
}

pub const TOWARD_HM: &str = "the hiring manager's card";
pub const TOWARD_BR: &str = "the bar raiser's card";
pub const TOWARD_MEDIAN: &str = "the panel's median card";

pub fn votes_summary(moved: usize, total: usize, hm: usize, br: usize, median: usize) -> String {
    if total == 0 {
        return "No final votes were cast before the vote closed.".into();
    }
    if moved == 0 {
        return format!("All {total} held to their cards.");
    }
    format!(
        "*{moved} of {total} moved* after the discussion: {hm} toward {TOWARD_HM}, {br} toward {TOWARD_BR}, {median} toward {TOWARD_MEDIAN}."
    )
}

pub fn votes_missing(who: &str) -> String {
    format!("Did not vote before the vote closed: {who}.")
}

pub fn mechanical_line(
    cards: Option<&str>,
    votes: Option<(&str, usize)>,
    opened: bool,
    closed: bool,
) -> String {
    let cards = cards
        .map(|c| format!("*{c}*"))
        .unwrap_or_else(|| "none".into());
    let votes = match (votes, opened, closed) {
        (Some((v, n)), _, _) => format!("*{v}* ({n} votes)"),
        (None, _, true) => "none were cast".into(),
        (None, true, false) => "still being collected".into(),
        (None, false, _) => "not collected".into(),
    };
    format!("Mechanical result: the cards' middle call is {cards}; the final votes' middle call: {votes}.")
}

pub fn decide_departs(level: &str, cards: &str, votes: &str) -> String {
    format!(
        "*{level}* departs from both the cards' middle call ({cards}) and the final votes' ({votes}). \
         Give your reason with the decision: `/staffloop decide {} <your reason>`.",
        level.to_lowercase().replace(' ', "-")
    )
}

pub fn departure_counted(departed: i64, total: i64) -> String {
    format!(
        ":scales: {departed} of {total} decisions this window departed from both the cards' and the final votes' middle call, each with its reason on record."
    )
}

// --- Drift after discussion, in the calibration report ---

pub fn drift_heading(mk: Markup) -> String {
    mk.bold("After the discussion: final votes against cards")
}

pub fn drift_panel(
    loops: usize,
    votes: usize,
    moved: usize,
    hm: usize,
    br: usize,
    median: usize,
) -> String {
    format!(
        "Panel: {votes} final votes over {loops} loops, {moved} moved ({hm} toward the hiring manager's card, {br} toward the bar raiser's, {median} toward the median card)."
    )
}

pub fn drift_person(
    who: &str,
    votes: usize,
    moved: usize,
    hm: usize,
    br: usize,
    median: usize,
    readable: bool,
) -> String {
    let tail = if readable {
        ""
    } else {
        " — too few to read anything into"
    };
    format!("{who}: moved {moved} of {votes} (toward the HM {hm}, the bar raiser {br}, the median {median}){tail}")
}

pub fn drift_hm(who: &str, votes: usize, toward: usize, readable: bool) -> String {
    let tail = if readable {
        ""
    } else {
        " — too few to read anything into"
    };
    format!("{who}'s panels moved toward their card in {toward} of {votes} votes{tail}")
}

// --- Native tables and charts ---

pub const TABLE_INTERVIEWER: &str = "Interviewer";
pub const TABLE_STAGE: &str = "Stage";
pub const TABLE_MAPPED: &str = "Maps to";
pub const TABLE_RECOMMENDS: &str = "Recommends";

pub fn table_heading(candidate: &str) -> String {
    format!("*Scores for {candidate}*, one row per card (numbered as above); each card's average maps to a level.")
}

pub fn table_fallback_heading(candidate: &str) -> String {
    format!("Scores for {candidate}:")
}

pub fn table_fallback_row(
    n: usize,
    who: &str,
    stage: &str,
    scores: &str,
    mapped: &str,
    recommends: &str,
) -> String {
    format!("#{n} {who} ({stage}): {scores}; maps to {mapped}; recommends {recommends}")
}

pub fn chart_title(applied: &str) -> String {
    format!("Applied at {applied}: decisions per week")
}

pub const CHART_AT_LEVEL: &str = "At level";
pub const CHART_DOWNLEVEL: &str = "Downlevelled";
pub const CHART_NO_HIRE: &str = "No hire";
pub const CHART_OTHER: &str = "Other";
pub const CHART_X: &str = "Week starting";
pub const CHART_Y: &str = "Decisions";

pub fn chart_fallback(applied: &str, weeks: &str) -> String {
    format!("{applied}, decisions per week (at level/downlevelled/no hire/other): {weeks}")
}
