//! The demo's transcript: one static HTML page, drawn from exactly the Block
//! Kit the bot sent to the simulated workspace. Every message, modal and
//! Home is rendered block by block (sections, fields, headers, context,
//! buttons, inputs, tables, charts as inline SVG, uploaded images), styled
//! close to Slack. No scripts, nothing fetched from elsewhere.

use super::workspace::Entry;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;

pub struct Transcript<'a> {
    pub entries: &'a [Entry],
    pub uploads: &'a HashMap<String, Vec<u8>>,
    pub people: &'a [(&'a str, &'a str)],
    pub channels: &'a [(&'a str, &'a str)],
    pub candidate: &'a str,
    pub past_loops: usize,
}

/// Names for the ids that appear in messages.
struct Cx {
    people: HashMap<String, String>,
    channels: HashMap<String, String>,
}

impl Cx {
    fn person(&self, id: &str) -> String {
        self.people
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    fn channel(&self, id: &str) -> String {
        self.channels
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Author<'a> {
    Bot,
    Person(&'a str),
    System,
}

struct Msg<'a> {
    ts: Option<String>,
    author: Author<'a>,
    at: i64,
    body: Body<'a>,
    replies: Vec<Msg<'a>>,
}

enum Body<'a> {
    /// Blocks (or text) the bot posted; `edited` after a chat.update.
    Blocks {
        content: Value,
        edited: bool,
    },
    /// Shown to one person only.
    Ephemeral {
        to: &'a str,
        content: Value,
    },
    Command(&'a str),
    Note(String),
    Image {
        title: String,
        png: Option<&'a Vec<u8>>,
    },
}

struct Conversation<'a> {
    id: String,
    title: String,
    dm: Option<String>,
    messages: Vec<Msg<'a>>,
}

struct Modal<'a> {
    user: Option<&'a str>,
    at: i64,
    view: &'a Value,
    outcome: Option<&'a Value>,
}

struct Home<'a> {
    user: &'a str,
    at: i64,
    caption: String,
    view: &'a Value,
}

enum Line<'a> {
    Chapter(&'a str, i64),
    Did(i64, String),
}

/// The whole page.
pub fn page(t: &Transcript) -> String {
    let mut cx = Cx {
        people: t
            .people
            .iter()
            .map(|(id, n)| (id.to_string(), n.to_string()))
            .collect(),
        channels: t
            .channels
            .iter()
            .map(|(id, n)| (id.to_string(), n.to_string()))
            .collect(),
    };
    let mut conversations: Vec<Conversation> = Vec::new();
    let mut modals: Vec<Modal> = Vec::new();
    let mut homes: Vec<Home> = Vec::new();
    let mut lines: Vec<Line> = Vec::new();
    let mut last_actor: Option<&str> = None;
    let mut home_wanted: Option<(&str, String)> = None;
    let mut chapter = String::new();
    let mut loop_channel: Option<String> = None;

    for e in t.entries {
        match e {
            Entry::Chapter { title, at } => {
                chapter = title.clone();
                lines.push(Line::Chapter(title, *at));
            }
            Entry::Typed {
                user,
                channel,
                text,
                reply,
                at,
            } => {
                last_actor = Some(user);
                lines.push(Line::Did(
                    *at,
                    format!(
                        "<b>{}</b> typed <code>{}</code> in <a href=\"#{}\">{}</a>",
                        esc(&cx.person(user)),
                        esc(text),
                        anchor(channel),
                        esc(&label(&cx, channel))
                    ),
                ));
                let c = conversation(&mut conversations, &cx, channel);
                c.messages.push(Msg {
                    ts: None,
                    author: Author::Person(user),
                    at: *at,
                    body: Body::Command(text),
                    replies: Vec::new(),
                });
                if !reply.is_null() {
                    c.messages.push(Msg {
                        ts: None,
                        author: Author::Bot,
                        at: *at,
                        body: Body::Ephemeral {
                            to: user,
                            content: reply.clone(),
                        },
                        replies: Vec::new(),
                    });
                }
            }
            Entry::Pressed { user, label, at } => {
                last_actor = Some(user);
                lines.push(Line::Did(
                    *at,
                    format!(
                        "<b>{}</b> pressed <span class=\"btn small\">{}</span>",
                        esc(&cx.person(user)),
                        esc(label)
                    ),
                ));
            }
            Entry::Submitted {
                user,
                title,
                answer,
                at,
            } => {
                let refused = answer["response_action"] == "errors";
                lines.push(Line::Did(
                    *at,
                    format!(
                        "<b>{}</b> sent the <i>{}</i> form{}",
                        esc(&cx.person(user)),
                        esc(title),
                        if refused {
                            " and was asked to look again"
                        } else {
                            ""
                        }
                    ),
                ));
                if let Some(m) = modals
                    .iter_mut()
                    .rev()
                    .find(|m| m.user == Some(user.as_str()))
                {
                    if m.outcome.is_none() {
                        m.outcome = Some(answer);
                    }
                }
            }
            Entry::OpenedHome { user, at } => {
                last_actor = Some(user);
                lines.push(Line::Did(
                    *at,
                    format!(
                        "<b>{}</b> opened staffloop's <a href=\"#home\">App Home</a>",
                        esc(&cx.person(user))
                    ),
                ));
                home_wanted = Some((user, chapter.clone()));
            }
            Entry::Call {
                method,
                body,
                answer,
                at,
            } => match method.as_str() {
                // A channel of a loop from before the transcript (archived
                // by housekeeping meanwhile) is not part of this story.
                _ if is_other_channel(&cx, body) => {}
                "conversations.create" => {
                    let id = answer["channel"]["id"].as_str().unwrap_or_default();
                    let name = body["name"].as_str().unwrap_or_default();
                    cx.channels.insert(id.to_string(), name.to_string());
                    if loop_channel.is_none() {
                        loop_channel = Some(id.to_string());
                    }
                    let c = conversation(&mut conversations, &cx, id);
                    c.messages
                        .push(note(*at, "created this private channel".into()));
                }
                "conversations.invite" => {
                    let who: Vec<String> = body["users"]
                        .as_str()
                        .unwrap_or_default()
                        .split(',')
                        .map(|u| format!("@{}", cx.person(u.trim())))
                        .collect();
                    let id = body["channel"].as_str().unwrap_or_default();
                    let c = conversation(&mut conversations, &cx, id);
                    c.messages.push(note(
                        *at,
                        format!("added {} to the channel", who.join(", ")),
                    ));
                }
                "conversations.setTopic" => {
                    let id = body["channel"].as_str().unwrap_or_default();
                    let topic = body["topic"].as_str().unwrap_or_default().to_string();
                    let c = conversation(&mut conversations, &cx, id);
                    c.messages
                        .push(note(*at, format!("set the channel topic: {topic}")));
                }
                "conversations.archive" => {
                    let id = body["channel"].as_str().unwrap_or_default();
                    let c = conversation(&mut conversations, &cx, id);
                    c.messages.push(note(*at, "archived the channel".into()));
                }
                "chat.postMessage" => {
                    let id = body["channel"].as_str().unwrap_or_default();
                    let msg = Msg {
                        ts: answer["ts"].as_str().map(str::to_string),
                        author: Author::Bot,
                        at: *at,
                        body: Body::Blocks {
                            content: body.clone(),
                            edited: false,
                        },
                        replies: Vec::new(),
                    };
                    let c = conversation(&mut conversations, &cx, id);
                    post(c, body["thread_ts"].as_str(), msg);
                }
                "chat.update" => {
                    let id = body["channel"].as_str().unwrap_or_default();
                    let ts = body["ts"].as_str().unwrap_or_default();
                    let c = conversation(&mut conversations, &cx, id);
                    if let Some(m) = find_ts(&mut c.messages, ts) {
                        m.body = Body::Blocks {
                            content: body.clone(),
                            edited: true,
                        };
                    }
                }
                "chat.postEphemeral" => {
                    let id = body["channel"].as_str().unwrap_or_default();
                    let to = body["user"].as_str().unwrap_or_default();
                    let c = conversation(&mut conversations, &cx, id);
                    c.messages.push(Msg {
                        ts: None,
                        author: Author::Bot,
                        at: *at,
                        body: Body::Ephemeral {
                            to,
                            content: body.clone(),
                        },
                        replies: Vec::new(),
                    });
                }
                "files.completeUploadExternal" => {
                    let id = body["channel_id"].as_str().unwrap_or_default();
                    let file = &body["files"][0];
                    let png = file["id"].as_str().and_then(|f| t.uploads.get(f));
                    let msg = Msg {
                        ts: None,
                        author: Author::Bot,
                        at: *at,
                        body: Body::Image {
                            title: file["title"].as_str().unwrap_or("image").to_string(),
                            png,
                        },
                        replies: Vec::new(),
                    };
                    let c = conversation(&mut conversations, &cx, id);
                    post(c, body["thread_ts"].as_str(), msg);
                }
                "views.open" | "views.update" | "views.push" => modals.push(Modal {
                    user: last_actor,
                    at: *at,
                    view: &body["view"],
                    outcome: None,
                }),
                "views.publish" => {
                    let user = body["user_id"].as_str().unwrap_or_default();
                    if let Some((wanted, caption)) = &home_wanted {
                        if *wanted == user {
                            homes.push(Home {
                                user: wanted,
                                at: *at,
                                caption: caption.clone(),
                                view: &body["view"],
                            });
                            home_wanted = None;
                        }
                    }
                }
                _ => {}
            },
        }
    }

    let mut html = String::with_capacity(256 * 1024);
    html.push_str(HEAD);
    // The sidebar: channels, direct messages, the App Home.
    html.push_str(
        "<nav class=\"sidebar\"><div class=\"ws\">Example Co <span>(simulated)</span></div>",
    );
    html.push_str("<div class=\"navh\">Story</div><a href=\"#timeline\"># what happened</a>");
    html.push_str("<div class=\"navh\">Channels</div>");
    let first = |c: &&Conversation| Some(&c.id) != loop_channel.as_ref();
    let mut channels: Vec<&Conversation> =
        conversations.iter().filter(|c| c.dm.is_none()).collect();
    channels.sort_by_key(first);
    for c in channels {
        let _ = write!(html, "<a href=\"#{}\">{}</a>", anchor(&c.id), esc(&c.title));
    }
    html.push_str("<div class=\"navh\">Direct messages</div>");
    for c in conversations.iter().filter(|c| c.dm.is_some()) {
        let _ = write!(html, "<a href=\"#{}\">{}</a>", anchor(&c.id), esc(&c.title));
    }
    html.push_str("<div class=\"navh\">Apps</div><a href=\"#modals\">Modals as they opened</a><a href=\"#home\">staffloop · App Home</a></nav>");

    html.push_str("<main>");
    let _ = write!(
        html,
        "<header class=\"intro\"><h1>staffloop, start to finish</h1>\
         <p>A staff-engineer interview loop for <b>{}</b>, run by the real bot against a simulated Slack workspace: \
         no Slack, no tokens. Every message, modal and App Home below is drawn from the exact Block Kit the bot sent. \
         The people, the candidate and every word of evidence are invented. \
         Before this loop, {} past loops ran the same way, so that the weekly report and the calibration report have something to show.</p>\
         <p class=\"meta\">Cards stay locked and hidden until the debrief starts: look for what the channel hears before 16:30 on Wednesday (who sent a card, never what), and what it hears after.</p></header>",
        esc(t.candidate),
        t.past_loops
    );

    html.push_str(
        "<section id=\"timeline\" class=\"pane\"><h2>What happened</h2><ol class=\"timeline\">",
    );
    for line in &lines {
        match line {
            Line::Chapter(title, at) => {
                let _ = write!(
                    html,
                    "</ol><h3>{}</h3><p class=\"when\">{}</p><ol class=\"timeline\">",
                    esc(title),
                    when(*at)
                );
            }
            Line::Did(at, text) => {
                let _ = write!(
                    html,
                    "<li><span class=\"time\">{}</span> {text}</li>",
                    clock(*at)
                );
            }
        }
    }
    html.push_str("</ol></section>");

    // The candidate's channel first, then the other channels, then DMs.
    let mut order: Vec<&Conversation> = Vec::new();
    order.extend(
        conversations
            .iter()
            .filter(|c| Some(&c.id) == loop_channel.as_ref()),
    );
    order.extend(
        conversations
            .iter()
            .filter(|c| c.dm.is_none() && Some(&c.id) != loop_channel.as_ref()),
    );
    order.extend(conversations.iter().filter(|c| c.dm.is_some()));
    for c in order {
        let kind = if c.dm.is_some() {
            "Direct message"
        } else if Some(&c.id) == loop_channel.as_ref() {
            "The candidate's private channel"
        } else {
            "Channel"
        };
        let _ = write!(
            html,
            "<section id=\"{}\" class=\"pane\"><h2><span class=\"kind\">{kind}</span> {}</h2>",
            anchor(&c.id),
            esc(&c.title)
        );
        let mut day = String::new();
        for m in &c.messages {
            let d = datetime(m.at).format("%A %-d %B").to_string();
            if d != day {
                let _ = write!(html, "<div class=\"day\"><span>{d}</span></div>");
                day = d;
            }
            message(&mut html, m, &cx, c.dm.as_deref());
        }
        html.push_str("</section>");
    }

    html.push_str("<section id=\"modals\" class=\"pane\"><h2><span class=\"kind\">Modals</span> each as it opened</h2>");
    for m in &modals {
        let who = m.user.map(|u| cx.person(u)).unwrap_or_default();
        let _ = write!(
            html,
            "<div class=\"modal-wrap\"><p class=\"caption\">{} · opened for <b>{}</b>{}</p>",
            when(m.at),
            esc(&who),
            match m.outcome {
                Some(a) if a["response_action"] == "errors" =>
                    " · sent, and answered with the notes shown in red",
                Some(_) => " · sent",
                None => "",
            }
        );
        view(&mut html, m.view, &cx, m.outcome);
        html.push_str("</div>");
    }
    html.push_str("</section>");

    html.push_str("<section id=\"home\" class=\"pane\"><h2><span class=\"kind\">App Home</span> staffloop</h2>");
    for h in &homes {
        let _ = write!(
            html,
            "<p class=\"caption\">{}'s Home · {} · {}</p><div class=\"home\">",
            esc(&cx.person(h.user)),
            esc(&h.caption),
            when(h.at)
        );
        blocks(&mut html, &h.view["blocks"], &cx, None);
        html.push_str("</div>");
    }
    html.push_str("</section></main></body></html>\n");
    html
}

/// A call about a channel that is neither known (named, or created in the
/// transcript) nor a DM.
fn is_other_channel(cx: &Cx, body: &Value) -> bool {
    let id = body["channel"]
        .as_str()
        .or_else(|| body["channel_id"].as_str());
    id.is_some_and(|id| !id.starts_with('U') && !cx.channels.contains_key(id))
}

fn note<'a>(at: i64, text: String) -> Msg<'a> {
    Msg {
        ts: None,
        author: Author::System,
        at,
        body: Body::Note(text),
        replies: Vec::new(),
    }
}

/// A message at the top level, or in the thread of `thread_ts`.
fn post<'a>(c: &mut Conversation<'a>, thread_ts: Option<&str>, msg: Msg<'a>) {
    if let Some(parent) = thread_ts.and_then(|ts| find_ts(&mut c.messages, ts)) {
        parent.replies.push(msg);
    } else {
        c.messages.push(msg);
    }
}

fn find_ts<'m, 'a>(messages: &'m mut [Msg<'a>], ts: &str) -> Option<&'m mut Msg<'a>> {
    for m in messages.iter_mut() {
        if m.ts.as_deref() == Some(ts) {
            return Some(m);
        }
        if let Some(r) = find_ts(&mut m.replies, ts) {
            return Some(r);
        }
    }
    None
}

fn label(cx: &Cx, id: &str) -> String {
    if id.starts_with('U') {
        format!("a DM with {}", cx.person(id))
    } else {
        format!("#{}", cx.channel(id))
    }
}

fn conversation<'c, 'a>(
    all: &'c mut Vec<Conversation<'a>>,
    cx: &Cx,
    id: &str,
) -> &'c mut Conversation<'a> {
    if let Some(i) = all.iter().position(|c| c.id == id) {
        return &mut all[i];
    }
    let dm = id.starts_with('U').then(|| id.to_string());
    all.push(Conversation {
        id: id.to_string(),
        title: match &dm {
            Some(u) => format!("staffloop ↔ {}", cx.person(u)),
            None => format!("#{}", cx.channel(id)),
        },
        dm,
        messages: Vec::new(),
    });
    all.last_mut().expect("just pushed")
}

fn message(html: &mut String, m: &Msg, cx: &Cx, dm: Option<&str>) {
    let (name, initials, class) = match m.author {
        Author::Bot => ("staffloop".to_string(), "sl".to_string(), "bot"),
        Author::Person(u) => {
            let n = cx.person(u);
            let i: String = n
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .collect();
            (n, i, "person")
        }
        Author::System => {
            if let Body::Note(text) = &m.body {
                let _ = write!(
                    html,
                    "<div class=\"sys\"><span class=\"time\">{}</span> staffloop {}</div>",
                    clock(m.at),
                    esc(text)
                );
            }
            return;
        }
    };
    let ephemeral = matches!(m.body, Body::Ephemeral { .. });
    let _ = write!(
        html,
        "<div class=\"msg{}\"><div class=\"avatar {class}\">{}</div><div class=\"mbody\"><div class=\"mhead\"><b>{}</b>{}<span class=\"time\">{}</span></div>",
        if ephemeral { " ephemeral" } else { "" },
        esc(&initials),
        esc(&name),
        if class == "bot" { "<span class=\"app\">APP</span>" } else { "" },
        clock(m.at)
    );
    match &m.body {
        Body::Blocks { content, edited } => {
            content_html(html, content, cx);
            if *edited {
                html.push_str("<span class=\"edited\">(edited)</span>");
            }
        }
        Body::Ephemeral { to, content } => {
            let _ = write!(
                html,
                "<div class=\"only\">👁 Only visible to {}</div>",
                if dm == Some(to) {
                    "you".to_string()
                } else {
                    esc(&cx.person(to))
                }
            );
            content_html(html, content, cx);
        }
        Body::Command(text) => {
            let _ = write!(html, "<div class=\"command\">{}</div>", esc(text));
        }
        Body::Image { title, png } => {
            let _ = write!(
                html,
                "<div class=\"file\"><div class=\"ftitle\">{}</div>",
                esc(title)
            );
            if let Some(png) = png {
                let _ = write!(
                    html,
                    "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
                    esc(title),
                    base64::engine::general_purpose::STANDARD.encode(png)
                );
            }
            html.push_str("</div>");
        }
        Body::Note(_) => {}
    }
    if !m.replies.is_empty() {
        let _ = write!(
            html,
            "<div class=\"thread\"><div class=\"tcount\">{} {}</div>",
            m.replies.len(),
            if m.replies.len() == 1 {
                "reply"
            } else {
                "replies"
            }
        );
        for r in &m.replies {
            message(html, r, cx, dm);
        }
        html.push_str("</div>");
    }
    html.push_str("</div></div>");
}

/// A message's blocks, or its text when it has none.
fn content_html(html: &mut String, content: &Value, cx: &Cx) {
    match content["blocks"].as_array() {
        Some(b) if !b.is_empty() => blocks(html, &content["blocks"], cx, None),
        _ => {
            let _ = write!(
                html,
                "<div class=\"text\">{}</div>",
                mrkdwn(content["text"].as_str().unwrap_or_default(), cx)
            );
        }
    }
}

/// A modal: its title bar, blocks and buttons; `outcome` marks field errors.
fn view(html: &mut String, v: &Value, cx: &Cx, outcome: Option<&Value>) {
    let errors = outcome.filter(|a| a["response_action"] == "errors");
    let _ = write!(
        html,
        "<div class=\"modal\"><div class=\"mtitle\">{}</div><div class=\"mcontent\">",
        plain(v["title"]["text"].as_str().unwrap_or_default())
    );
    blocks(html, &v["blocks"], cx, errors.map(|e| &e["errors"]));
    html.push_str("</div><div class=\"mfoot\">");
    if let Some(close) = v["close"]["text"].as_str() {
        let _ = write!(html, "<span class=\"btn\">{}</span>", plain(close));
    }
    if let Some(submit) = v["submit"]["text"].as_str() {
        let _ = write!(html, "<span class=\"btn primary\">{}</span>", plain(submit));
    }
    html.push_str("</div></div>");
}

fn blocks(html: &mut String, blocks: &Value, cx: &Cx, errors: Option<&Value>) {
    html.push_str("<div class=\"blocks\">");
    for b in blocks.as_array().into_iter().flatten() {
        block(html, b, cx, errors);
    }
    html.push_str("</div>");
}

fn block(html: &mut String, b: &Value, cx: &Cx, errors: Option<&Value>) {
    match b["type"].as_str().unwrap_or_default() {
        "section" => {
            html.push_str("<div class=\"section\"><div class=\"stext\">");
            if !b["text"].is_null() {
                html.push_str(&text_obj(&b["text"], cx));
            }
            if let Some(fields) = b["fields"].as_array() {
                html.push_str("<div class=\"fields\">");
                for f in fields {
                    let _ = write!(html, "<div>{}</div>", text_obj(f, cx));
                }
                html.push_str("</div>");
            }
            html.push_str("</div>");
            if !b["accessory"].is_null() {
                let _ = write!(
                    html,
                    "<div class=\"accessory\">{}</div>",
                    element(&b["accessory"], cx)
                );
            }
            html.push_str("</div>");
        }
        "header" => {
            let _ = write!(
                html,
                "<div class=\"header\">{}</div>",
                plain(b["text"]["text"].as_str().unwrap_or_default())
            );
        }
        "divider" => html.push_str("<hr>"),
        "context" => {
            html.push_str("<div class=\"context\">");
            for e in b["elements"].as_array().into_iter().flatten() {
                if e["type"] == "image" {
                    html.push_str(&image(e));
                } else {
                    let _ = write!(html, "<span>{}</span>", text_obj(e, cx));
                }
            }
            html.push_str("</div>");
        }
        "actions" => {
            html.push_str("<div class=\"actions\">");
            for e in b["elements"].as_array().into_iter().flatten() {
                html.push_str(&element(e, cx));
            }
            html.push_str("</div>");
        }
        "input" => {
            let id = b["block_id"].as_str().unwrap_or_default();
            let _ = write!(
                html,
                "<div class=\"input\"><label>{}{}</label>{}",
                plain(b["label"]["text"].as_str().unwrap_or_default()),
                if b["optional"] == true {
                    " <span class=\"opt\">(optional)</span>"
                } else {
                    ""
                },
                element(&b["element"], cx)
            );
            if let Some(hint) = b["hint"]["text"].as_str() {
                let _ = write!(html, "<div class=\"hint\">{}</div>", plain(hint));
            }
            if let Some(e) = errors.and_then(|e| e[id].as_str()) {
                let _ = write!(html, "<div class=\"error\">⚠ {}</div>", esc(e));
            }
            html.push_str("</div>");
        }
        "image" => {
            html.push_str("<div class=\"image\">");
            if let Some(t) = b["title"]["text"].as_str() {
                let _ = write!(html, "<div class=\"ftitle\">{}</div>", plain(t));
            }
            html.push_str(&image(b));
            html.push_str("</div>");
        }
        "table" => table(html, b, cx),
        "data_visualization" => chart(html, b),
        "rich_text" => {
            let _ = write!(html, "<div class=\"rich\">{}</div>", rich_text(b, cx));
        }
        "markdown" => {
            let _ = write!(
                html,
                "<div class=\"text\">{}</div>",
                mrkdwn(b["text"].as_str().unwrap_or_default(), cx)
            );
        }
        other => {
            let _ = write!(html, "<div class=\"unknown\">[{} block]</div>", esc(other));
        }
    }
}

fn image(e: &Value) -> String {
    let url = e["image_url"].as_str().unwrap_or_default();
    let alt = e["alt_text"].as_str().unwrap_or_default();
    if url.starts_with("https://") || url.starts_with("data:image/") {
        format!("<img alt=\"{}\" src=\"{}\">", esc(alt), esc(url))
    } else {
        format!("<span class=\"imgalt\">[{}]</span>", esc(alt))
    }
}

fn text_obj(t: &Value, cx: &Cx) -> String {
    let text = t["text"].as_str().unwrap_or_default();
    if t["type"] == "plain_text" {
        plain(text)
    } else {
        mrkdwn(text, cx)
    }
}

fn option_text(o: &Value, cx: &Cx) -> String {
    text_obj(&o["text"], cx)
}

/// An interactive element, drawn as it looks (nothing here can be pressed).
fn element(e: &Value, cx: &Cx) -> String {
    let placeholder = |e: &Value| {
        format!(
            "<span class=\"ph\">{}</span>",
            plain(e["placeholder"]["text"].as_str().unwrap_or("Select"))
        )
    };
    match e["type"].as_str().unwrap_or_default() {
        "button" => format!(
            "<span class=\"btn {}\">{}</span>",
            esc(e["style"].as_str().unwrap_or_default()),
            plain(e["text"]["text"].as_str().unwrap_or_default())
        ),
        "static_select" | "external_select" => {
            let shown = if e["initial_option"].is_null() {
                placeholder(e)
            } else {
                option_text(&e["initial_option"], cx)
            };
            let options: Vec<String> = e["options"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|o| option_text(o, cx))
                .collect();
            let mut s =
                format!("<div class=\"select\">{shown}<span class=\"caret\">▾</span></div>");
            if !options.is_empty() {
                let _ = write!(
                    s,
                    "<div class=\"choices\">choices: {}</div>",
                    options.join(" · ")
                );
            }
            s
        }
        "radio_buttons" | "checkboxes" => {
            let mark = if e["type"] == "radio_buttons" {
                "◯"
            } else {
                "☐"
            };
            let mut s = String::from("<div class=\"choices-list\">");
            for o in e["options"].as_array().into_iter().flatten() {
                let _ = write!(
                    s,
                    "<div><span class=\"mark\">{mark}</span> {}",
                    option_text(o, cx)
                );
                if !o["description"].is_null() {
                    let _ = write!(
                        s,
                        "<div class=\"desc\">{}</div>",
                        text_obj(&o["description"], cx)
                    );
                }
                s.push_str("</div>");
            }
            s.push_str("</div>");
            s
        }
        "plain_text_input" | "url_text_input" | "email_text_input" | "number_input" => {
            let value = e["initial_value"].as_str();
            let class = if e["multiline"] == true {
                "field multi"
            } else {
                "field"
            };
            match (value, e["placeholder"]["text"].as_str()) {
                (Some(v), _) => format!("<div class=\"{class}\">{}</div>", esc(v)),
                (None, Some(p)) => format!(
                    "<div class=\"{class}\"><span class=\"ph\">{}</span></div>",
                    plain(p)
                ),
                (None, None) => format!("<div class=\"{class}\"></div>"),
            }
        }
        "users_select" => match e["initial_user"].as_str() {
            Some(u) => format!(
                "<div class=\"select\"><span class=\"chip\">@{}</span></div>",
                esc(&cx.person(u))
            ),
            None => format!("<div class=\"select\">{}</div>", placeholder(e)),
        },
        "multi_users_select" => {
            let users: Vec<String> = e["initial_users"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|u| u.as_str())
                .map(|u| format!("<span class=\"chip\">@{}</span>", esc(&cx.person(u))))
                .collect();
            if users.is_empty() {
                format!("<div class=\"select\">{}</div>", placeholder(e))
            } else {
                format!("<div class=\"select\">{}</div>", users.join(" "))
            }
        }
        "datetimepicker" => match e["initial_date_time"].as_i64() {
            Some(t) => format!("<div class=\"field\">📅 {}</div>", when(t)),
            None => "<div class=\"field\"><span class=\"ph\">📅 Pick a date and time</span></div>"
                .to_string(),
        },
        "datepicker" => format!(
            "<div class=\"field\">📅 {}</div>",
            esc(e["initial_date"].as_str().unwrap_or("Pick a date"))
        ),
        "overflow" => "<span class=\"btn\">⋯</span>".to_string(),
        "image" => image(e),
        other => format!("<span class=\"unknown\">[{}]</span>", esc(other)),
    }
}

/// Slack's table block: a grid of raw-text or rich-text cells.
fn table(html: &mut String, b: &Value, cx: &Cx) {
    let settings = b["column_settings"].as_array().cloned().unwrap_or_default();
    html.push_str("<div class=\"tablewrap\"><table class=\"sl\">");
    for (i, row) in b["rows"].as_array().into_iter().flatten().enumerate() {
        html.push_str("<tr>");
        for (j, cell) in row.as_array().into_iter().flatten().enumerate() {
            let tag = if i == 0 { "th" } else { "td" };
            let align = settings
                .get(j)
                .and_then(|s| s["align"].as_str())
                .unwrap_or("left");
            let content = match cell["type"].as_str() {
                Some("rich_text") => rich_text(cell, cx),
                _ => esc(cell["text"].as_str().unwrap_or_default()),
            };
            let _ = write!(
                html,
                "<{tag} style=\"text-align:{}\">{content}</{tag}>",
                esc(align)
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</table></div>");
}

fn rich_text(b: &Value, cx: &Cx) -> String {
    let mut s = String::new();
    for el in b["elements"].as_array().into_iter().flatten() {
        let inner = |el: &Value| {
            let mut s = String::new();
            for e in el["elements"].as_array().into_iter().flatten() {
                s.push_str(&rich_inline(e, cx));
            }
            s
        };
        match el["type"].as_str().unwrap_or_default() {
            "rich_text_section" => s.push_str(&inner(el)),
            "rich_text_quote" => {
                let _ = write!(s, "<blockquote>{}</blockquote>", inner(el));
            }
            "rich_text_preformatted" => {
                let _ = write!(s, "<pre>{}</pre>", inner(el));
            }
            "rich_text_list" => {
                s.push_str("<ul>");
                for item in el["elements"].as_array().into_iter().flatten() {
                    let _ = write!(s, "<li>{}</li>", inner(item));
                }
                s.push_str("</ul>");
            }
            _ => {}
        }
    }
    s
}

fn rich_inline(e: &Value, cx: &Cx) -> String {
    let text = match e["type"].as_str().unwrap_or_default() {
        "text" => esc(e["text"].as_str().unwrap_or_default()).replace('\n', "<br>"),
        "user" => format!(
            "<span class=\"mention\">@{}</span>",
            esc(&cx.person(e["user_id"].as_str().unwrap_or_default()))
        ),
        "channel" => format!(
            "<span class=\"mention\">#{}</span>",
            esc(&cx.channel(e["channel_id"].as_str().unwrap_or_default()))
        ),
        "link" => {
            let url = e["url"].as_str().unwrap_or_default();
            let label = e["text"].as_str().unwrap_or(url);
            link(url, &esc(label))
        }
        "emoji" => emoji(e["name"].as_str().unwrap_or_default())
            .map(str::to_string)
            .unwrap_or_default(),
        _ => String::new(),
    };
    let style = &e["style"];
    let mut out = text;
    if style["code"] == true {
        out = format!("<code>{out}</code>");
    }
    if style["bold"] == true {
        out = format!("<b>{out}</b>");
    }
    if style["italic"] == true {
        out = format!("<i>{out}</i>");
    }
    if style["strike"] == true {
        out = format!("<s>{out}</s>");
    }
    out
}

const COLOURS: [&str; 6] = [
    "#1264a3", "#e01e5a", "#2eb67d", "#ecb22e", "#7c3085", "#36c5f0",
];

/// Slack's chart block, drawn as inline SVG (line and bar charts; any other
/// kind as its data).
fn chart(html: &mut String, b: &Value) {
    let title = b["title"].as_str().unwrap_or_default();
    let chart = &b["chart"];
    let kind = chart["type"].as_str().unwrap_or("line");
    let categories: Vec<String> = chart["axis_config"]["categories"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(str::to_string))
        .collect();
    let series: Vec<(String, Vec<f64>)> = chart["series"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let values = s["data"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| d["value"].as_f64().unwrap_or(0.0))
                .collect();
            (s["name"].as_str().unwrap_or_default().to_string(), values)
        })
        .collect();
    let _ = write!(
        html,
        "<figure class=\"chart\"><figcaption>{}</figcaption>",
        esc(title)
    );
    let (w, h) = (640.0_f64, 260.0_f64);
    let (left, right, top, bottom) = (44.0, 12.0, 12.0, 46.0);
    let n = categories
        .len()
        .max(series.iter().map(|s| s.1.len()).max().unwrap_or(0))
        .max(1);
    let max = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(1.0)
        .ceil();
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let x = |i: usize| left + plot_w * (i as f64 + 0.5) / n as f64;
    let y = |v: f64| top + plot_h * (1.0 - v / max);
    let _ = write!(
        html,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    let ticks = (max as usize).clamp(1, 5);
    for t in 0..=ticks {
        let v = max * t as f64 / ticks as f64;
        let _ = write!(
            html,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#e8e8e8\"/><text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"#616061\">{}</text>",
            w - right,
            left - 6.0,
            y(v) + 4.0,
            fmt_num(v),
            y0 = y(v)
        );
    }
    for (i, c) in categories.iter().enumerate() {
        let _ = write!(
            html,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#616061\">{}</text>",
            x(i),
            h - bottom + 16.0,
            esc(c)
        );
    }
    if let Some(xl) = chart["axis_config"]["x_label"].as_str() {
        let _ = write!(
            html,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d1c1d\">{}</text>",
            left + plot_w / 2.0,
            h - 10.0,
            esc(xl)
        );
    }
    let k = series.len().max(1) as f64;
    for (si, (_, values)) in series.iter().enumerate() {
        let colour = COLOURS[si % COLOURS.len()];
        if kind == "bar" {
            let slot = plot_w / n as f64;
            let bw = (slot * 0.8 / k).max(1.0);
            for (i, v) in values.iter().enumerate() {
                let bx = left + slot * i as f64 + slot * 0.1 + bw * si as f64;
                let _ = write!(
                    html,
                    "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
                    y(*v),
                    top + plot_h - y(*v)
                );
            }
        } else {
            let points: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
                .collect();
            let _ = write!(
                html,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
                points.join(" ")
            );
            for p in &points {
                let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
                let _ = write!(
                    html,
                    "<circle cx=\"{px}\" cy=\"{py}\" r=\"2.5\" fill=\"{colour}\"/>"
                );
            }
        }
    }
    html.push_str("</svg><div class=\"legend\">");
    for (si, (name, _)) in series.iter().enumerate() {
        let _ = write!(
            html,
            "<span><i style=\"background:{}\"></i>{}</span>",
            COLOURS[si % COLOURS.len()],
            esc(name)
        );
    }
    html.push_str("</div></figure>");
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

/// Plain text: escaped, with `:emoji:` codes drawn.
fn plain(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(':') {
        out.push_str(&esc(&rest[..i]));
        let after = &rest[i + 1..];
        match after.find(':') {
            Some(j) if is_code(&after[..j]) && emoji(&after[..j]).is_some() => {
                out.push_str(emoji(&after[..j]).unwrap_or_default());
                rest = &after[j + 1..];
            }
            _ => {
                out.push(':');
                rest = after;
            }
        }
    }
    out.push_str(&esc(rest));
    out.replace('\n', "<br>")
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_+-".contains(c))
}

fn emoji(code: &str) -> Option<&'static str> {
    Some(match code {
        "warning" => "⚠️",
        "lock" => "🔒",
        "white_check_mark" => "✅",
        "heavy_check_mark" => "✔️",
        "page_facing_up" => "📄",
        "memo" => "📝",
        "hourglass" => "⌛",
        "hourglass_flowing_sand" => "⏳",
        "mag" => "🔍",
        "x" => "❌",
        "scales" => "⚖️",
        "rotating_light" => "🚨",
        "bar_chart" => "📊",
        "chart_with_upwards_trend" => "📈",
        "calendar" => "📅",
        "clipboard" => "📋",
        "bust_in_silhouette" => "👤",
        "busts_in_silhouette" => "👥",
        "eyes" => "👀",
        "tada" => "🎉",
        "ballot_box_with_ballot" => "🗳️",
        "speech_balloon" => "💬",
        "bell" => "🔔",
        "information_source" => "ℹ️",
        "grey_question" => "❔",
        "grey_exclamation" => "❕",
        "no_entry" => "⛔",
        "raised_hand" => "✋",
        "hourglass_done" => "⌛",
        _ => return None,
    })
}

/// Slack's mrkdwn: `*bold*`, `_italic_`, `~strike~`, `` `code` ``,
/// ```` ``` ```` blocks, `>` quotes, `<@U…>` mentions, `<#C…>` channels,
/// `<url|label>` links and `:emoji:`. The text arrives with `&`, `<` and `>`
/// escaped as Slack requires, so only Slack's own `<…>` tokens are markup.
fn mrkdwn(s: &str, cx: &Cx) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("```") {
        out.push_str(&lines(&rest[..i], cx));
        let after = &rest[i + 3..];
        match after.find("```") {
            Some(j) => {
                let _ = write!(out, "<pre>{}</pre>", slack_text(&after[..j]));
                rest = &after[j + 3..];
            }
            None => {
                out.push_str(&lines(&rest[i..], cx));
                rest = "";
            }
        }
    }
    out.push_str(&lines(rest, cx));
    out
}

fn lines(s: &str, cx: &Cx) -> String {
    let mut out = String::new();
    let mut quote = false;
    for (n, line) in s.split('\n').enumerate() {
        let (is_quote, body) = match line.strip_prefix("&gt;").or_else(|| line.strip_prefix('>')) {
            Some(b) => (true, b.strip_prefix(' ').unwrap_or(b)),
            None => (false, line),
        };
        if is_quote && !quote {
            out.push_str("<blockquote>");
        }
        if !is_quote && quote {
            out.push_str("</blockquote>");
        } else if n > 0 {
            out.push_str("<br>");
        }
        quote = is_quote;
        out.push_str(&inline(body, cx));
    }
    if quote {
        out.push_str("</blockquote>");
    }
    out
}

fn boundary(c: Option<&char>) -> bool {
    c.is_none_or(|c| !c.is_alphanumeric())
}

fn inline(s: &str, cx: &Cx) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let find = |from: usize, ch: char| {
            chars[from..]
                .iter()
                .position(|x| *x == ch)
                .map(|p| p + from)
        };
        match c {
            '<' => {
                if let Some(j) = find(i + 1, '>') {
                    let token: String = chars[i + 1..j].iter().collect();
                    out.push_str(&token_html(&token, cx));
                    i = j + 1;
                    continue;
                }
            }
            '`' => {
                if let Some(j) = find(i + 1, '`') {
                    let code: String = chars[i + 1..j].iter().collect();
                    let _ = write!(out, "<code>{}</code>", slack_text(&code));
                    i = j + 1;
                    continue;
                }
            }
            '*' | '_' | '~' if boundary(i.checked_sub(1).and_then(|p| chars.get(p))) => {
                let opens = chars
                    .get(i + 1)
                    .is_some_and(|n| !n.is_whitespace() && *n != c);
                let close = (i + 2..chars.len()).find(|&j| {
                    chars[j] == c && !chars[j - 1].is_whitespace() && boundary(chars.get(j + 1))
                });
                if let (true, Some(j)) = (opens, close) {
                    let inner: String = chars[i + 1..j].iter().collect();
                    let tag = match c {
                        '*' => "b",
                        '_' => "i",
                        _ => "s",
                    };
                    let _ = write!(out, "<{tag}>{}</{tag}>", inline(&inner, cx));
                    i = j + 1;
                    continue;
                }
            }
            ':' => {
                if let Some(j) = find(i + 1, ':') {
                    let code: String = chars[i + 1..j].iter().collect();
                    if is_code(&code) {
                        if let Some(e) = emoji(&code) {
                            out.push_str(e);
                            i = j + 1;
                            continue;
                        }
                    }
                }
            }
            '&' => {
                // Slack's own escapes, as one piece.
                let rest: String = chars[i..chars.len().min(i + 5)].iter().collect();
                if let Some(e) = ["&amp;", "&lt;", "&gt;"]
                    .into_iter()
                    .find(|e| rest.starts_with(e))
                {
                    out.push_str(e);
                    i += e.chars().count();
                    continue;
                }
            }
            _ => {}
        }
        out.push_str(&slack_text(&c.to_string()));
        i += 1;
    }
    out
}

/// Text in Slack's escaping (`&amp;`, `&lt;`, `&gt;`) made safe for HTML.
fn slack_text(s: &str) -> String {
    esc(&s
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&"))
}

fn token_html(token: &str, cx: &Cx) -> String {
    let (target, label) = match token.split_once('|') {
        Some((t, l)) => (t, Some(l)),
        None => (token, None),
    };
    if let Some(user) = target.strip_prefix('@') {
        return format!("<span class=\"mention\">@{}</span>", esc(&cx.person(user)));
    }
    if let Some(channel) = target.strip_prefix('#') {
        let name = label
            .map(str::to_string)
            .unwrap_or_else(|| cx.channel(channel));
        return format!("<span class=\"mention\">#{}</span>", slack_text(&name));
    }
    if let Some(special) = target.strip_prefix('!') {
        return match (special.split('^').next(), label) {
            (Some("date"), Some(fallback)) => slack_text(fallback),
            (Some("subteam"), Some(name)) => {
                format!("<span class=\"mention\">{}</span>", slack_text(name))
            }
            (Some(word), _) => format!("<span class=\"mention\">@{}</span>", esc(word)),
            _ => String::new(),
        };
    }
    let url = target
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    link(&url, &slack_text(label.unwrap_or(target)))
}

fn link(url: &str, label_html: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") || url.starts_with("mailto:") {
        format!(
            "<a href=\"{}\" rel=\"noreferrer\">{label_html}</a>",
            esc(url)
        )
    } else {
        label_html.to_string()
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn anchor(id: &str) -> String {
    format!("c-{}", id.to_lowercase())
}

fn datetime(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

fn clock(t: i64) -> String {
    datetime(t).format("%H:%M").to_string()
}

fn when(t: i64) -> String {
    datetime(t).format("%a %-d %b %Y, %H:%M UTC").to_string()
}

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>staffloop demo: a loop from start to finish</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:15px/1.46668 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1d1c1d;background:#fff;display:flex}
.sidebar{position:sticky;top:0;height:100vh;overflow:auto;width:250px;flex:none;background:#3f0e40;color:#cfc3cf;padding:12px 0}
.sidebar .ws{color:#fff;font-weight:900;font-size:18px;padding:4px 16px 12px;border-bottom:1px solid #522653}
.sidebar .ws span{font-weight:400;font-size:13px;color:#cfc3cf}
.sidebar .navh{padding:14px 16px 4px;font-size:13px;color:#bcabbc}
.sidebar a{display:block;color:#cfc3cf;text-decoration:none;padding:3px 16px 3px 26px;font-size:15px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sidebar a:hover{background:#350d36;color:#fff}
main{flex:1;min-width:0;max-width:980px;padding:0 28px 80px}
.intro{padding:24px 0 8px;border-bottom:1px solid #ddd}
.intro h1{margin:0 0 8px;font-size:26px}
.meta,.caption,.when{color:#616061;font-size:13px}
.pane{border-bottom:1px solid #ddd;padding:8px 0 20px}
.pane h2{font-size:20px;margin:18px 0 10px}
.pane h2 .kind{display:block;font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;color:#616061}
.pane h3{font-size:16px;margin:18px 0 0}
.timeline{margin:6px 0;padding-left:20px}
.timeline li{margin:3px 0}
.time{color:#616061;font-size:12px;margin:0 6px}
.msg{display:flex;gap:8px;padding:8px 8px 8px 4px;border-radius:6px}
.msg:hover{background:#f8f8f8}
.msg.ephemeral{background:#f8f8f8;border-left:3px solid #bbb}
.avatar{width:36px;height:36px;border-radius:6px;flex:none;display:flex;align-items:center;justify-content:center;color:#fff;font-weight:700;font-size:13px;text-transform:uppercase;background:#1264a3}
.avatar.bot{background:#2eb67d}
.mbody{flex:1;min-width:0}
.mhead b{font-weight:900}
.app{background:#e8e8e8;color:#616061;font-size:10px;font-weight:700;padding:1px 4px;border-radius:3px;margin-left:4px}
.only{font-size:12px;color:#616061;margin-bottom:2px}
.command{font-family:Menlo,Consolas,monospace;font-size:13px;background:#f4ede4;color:#1d1c1d;display:inline-block;padding:2px 8px;border-radius:4px}
.sys{color:#616061;font-size:13px;padding:4px 8px 4px 48px}
.edited{color:#616061;font-size:12px}
.day{text-align:center;border-top:1px solid #e8e8e8;margin:16px 0 6px;height:0}
.day span{position:relative;top:-12px;background:#fff;border:1px solid #e8e8e8;border-radius:12px;padding:2px 12px;font-size:13px;font-weight:700}
.thread{margin:6px 0 0;padding-left:12px;border-left:3px solid #e8e8e8}
.tcount{color:#1264a3;font-size:13px;font-weight:700}
.blocks>*{margin:4px 0}
.section{display:flex;gap:12px;align-items:flex-start}
.stext{flex:1;min-width:0;overflow-wrap:anywhere}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:6px 16px;margin-top:6px}
.header{font-weight:900;font-size:18px;margin-top:8px}
.context{color:#616061;font-size:12px;display:flex;gap:8px;flex-wrap:wrap;align-items:center}
.context img{width:16px;height:16px}
.actions{display:flex;gap:8px;flex-wrap:wrap}
.btn{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;font-size:14px;font-weight:700;background:#fff;color:#1d1c1d;white-space:nowrap}
.btn.small{font-size:12px;padding:0 6px}
.btn.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.btn.danger{color:#e01e5a;border-color:#e01e5a}
code{font-family:Menlo,Consolas,monospace;font-size:12px;background:#f6f6f6;border:1px solid #e8e8e8;border-radius:3px;padding:0 3px;color:#e01e5a}
pre{font-family:Menlo,Consolas,monospace;font-size:12px;background:#f8f8f8;border:1px solid #e8e8e8;border-radius:4px;padding:8px;white-space:pre-wrap}
blockquote{margin:2px 0;padding-left:10px;border-left:4px solid #ddd}
hr{border:0;border-top:1px solid #e8e8e8;margin:10px 0}
a{color:#1264a3}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
.tablewrap{overflow-x:auto}
table.sl{border-collapse:collapse;font-size:13px;margin:6px 0}
table.sl th,table.sl td{border:1px solid #ddd;padding:4px 8px}
table.sl th{background:#f8f8f8}
.chart{margin:8px 0;border:1px solid #e8e8e8;border-radius:6px;padding:8px;max-width:660px}
.chart figcaption{font-weight:700;margin-bottom:4px}
.chart svg{max-width:100%;height:auto}
.legend{display:flex;gap:14px;font-size:12px;flex-wrap:wrap}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.file{border:1px solid #e8e8e8;border-radius:6px;padding:6px;display:inline-block;max-width:100%}
.file img,.image img{max-width:100%}
.ftitle{font-size:13px;color:#616061}
.modal-wrap{margin:14px 0 22px}
.modal{width:520px;max-width:100%;border-radius:8px;box-shadow:0 0 0 1px rgba(0,0,0,.1),0 4px 14px rgba(0,0,0,.15);background:#fff}
.mtitle{font-weight:900;font-size:20px;padding:14px 20px;border-bottom:1px solid #e8e8e8}
.mcontent{padding:8px 20px 12px}
.mfoot{border-top:1px solid #e8e8e8;padding:12px 20px;display:flex;justify-content:flex-end;gap:8px}
.input{margin:12px 0}
.input label{display:block;font-weight:700;margin-bottom:4px}
.opt{color:#616061;font-weight:400}
.hint{color:#616061;font-size:12px;margin-top:4px}
.error{color:#e01e5a;font-size:13px;margin-top:4px}
.field,.select{border:1px solid #bbb;border-radius:4px;padding:6px 10px;min-height:36px;background:#fff;display:flex;align-items:center;gap:6px;flex-wrap:wrap}
.field.multi{min-height:72px;align-items:flex-start}
.caret{margin-left:auto;color:#616061}
.ph{color:#8d8d8d}
.chip{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 4px;font-size:14px}
.choices{color:#616061;font-size:12px;margin-top:3px}
.choices-list>div{margin:3px 0}
.mark{color:#616061}
.desc{color:#616061;font-size:12px;margin-left:20px}
.home{border:1px solid #e8e8e8;border-radius:8px;padding:12px 18px;margin-bottom:18px}
.unknown,.imgalt{color:#616061;font-style:italic}
</style></head><body>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Cx {
        Cx {
            people: [("U1".to_string(), "Hana Moreau".to_string())].into(),
            channels: [("C1".to_string(), "loop-avery".to_string())].into(),
        }
    }

    #[test]
    fn mrkdwn_draws_slack_markup_and_nothing_else() {
        let cx = cx();
        assert_eq!(
            mrkdwn("*Scope* 3 · _staff_ by <@U1> in <#C1>", &cx),
            "<b>Scope</b> 3 · <i>staff</i> by <span class=\"mention\">@Hana Moreau</span> in <span class=\"mention\">#loop-avery</span>"
        );
        assert_eq!(
            mrkdwn("a &lt;script&gt; &amp; <https://x.example/a?b=1&amp;c=2|the doc>", &cx),
            "a &lt;script&gt; &amp; <a href=\"https://x.example/a?b=1&amp;c=2\" rel=\"noreferrer\">the doc</a>"
        );
        assert_eq!(
            mrkdwn("> quoted\nplain", &cx),
            "<blockquote>quoted</blockquote>plain"
        );
        assert_eq!(
            mrkdwn("2*3*4 and snake_case_name", &cx),
            "2*3*4 and snake_case_name"
        );
        assert_eq!(mrkdwn(":lock: locked", &cx), "🔒 locked");
        assert_eq!(
            mrkdwn("<javascript:alert(1)|x>", &cx),
            "x",
            "only web links become links"
        );
    }

    #[test]
    fn a_line_chart_is_an_svg_with_a_line_per_series() {
        let mut html = String::new();
        let b = serde_json::json!({"type": "data_visualization", "title": "Decisions",
            "chart": {"type": "line", "axis_config": {"categories": ["a", "b"]},
              "series": [{"name": "At level", "data": [{"label": "a", "value": 1}, {"label": "b", "value": 3}]},
                         {"name": "No hire", "data": [{"label": "a", "value": 0}, {"label": "b", "value": 2}]}]}});
        chart(&mut html, &b);
        assert_eq!(html.matches("<polyline").count(), 2);
        assert!(html.contains("At level") && html.contains("<svg"));
    }
}
