//! Escaping user text for Slack's mrkdwn, so that a candidate called
//! `<!channel>` renders as text and pings nobody.

/// Escapes `&`, `<` and `>` the way Slack asks: the only three characters
/// that carry control meaning (mentions, links, special commands).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Undoes `escape`: the text a person typed, from what Slack sent.
pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The user a word of a command names: a mention (`<@U123|name>` or
/// `<@U123>`) or a bare id.
pub fn mentioned_user(word: &str) -> Option<crate::domain::UserId> {
    let inner = word
        .strip_prefix("<@")
        .and_then(|w| w.strip_suffix('>'))
        .map(|w| w.split('|').next().unwrap_or_default())
        .unwrap_or(word);
    crate::domain::UserId::parse(inner)
}

/// Cuts `text` to at most `max` characters, marking the cut with an ellipsis.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A user mention; ids are validated newtypes, so this cannot inject markup.
pub fn user(id: &crate::domain::UserId) -> String {
    format!("<@{id}>")
}

/// A date Slack renders in each reader's own time zone, with a UTC fallback.
pub fn date(unix_seconds: i64) -> String {
    let fallback = chrono::DateTime::from_timestamp(unix_seconds, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    format!("<!date^{unix_seconds}^{{date_short_pretty}} at {{time}}|{fallback}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_control_sequences() {
        assert_eq!(
            escape("<!channel> & <@U1>"),
            "&lt;!channel&gt; &amp; &lt;@U1&gt;"
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert!(date(0).starts_with("<!date^0^"));
    }
}
