//! Private-channel names for loops: `loop-<candidate-slug>`, Slack-safe
//! (lowercase ASCII letters, digits and `-`, at most 80 characters).

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Slack's limit on channel names, in characters.
pub const MAX_CHANNEL_NAME_CHARS: usize = 80;
const PREFIX: &str = "loop-";
/// Room kept for a `-NNNN` suffix when the name is taken.
const SUFFIX_RESERVE_CHARS: usize = 5;
/// Used when nothing of the name survives folding (e.g. a name in a
/// non-Latin script).
const FALLBACK_SLUG: &str = "candidate";

/// Letters that do not decompose into a base letter plus accents.
fn fold_special(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ø' | 'Ø' => "o",
        'ł' | 'Ł' => "l",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        _ => return None,
    })
}

/// The slug for a candidate's name: accents folded, everything else that is
/// not a letter or digit turned into single dashes.
pub fn candidate_slug(name: &str) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    let push = |piece: &str, out: &mut String, pending_dash: &mut bool| {
        if *pending_dash && !out.is_empty() {
            out.push('-');
        }
        *pending_dash = false;
        out.push_str(piece);
    };
    for c in name.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            let lower = c.to_ascii_lowercase();
            push(lower.encode_utf8(&mut [0; 4]), &mut out, &mut pending_dash);
        } else if let Some(folded) = fold_special(c) {
            push(folded, &mut out, &mut pending_dash);
        } else {
            pending_dash = true;
        }
    }
    let max_slug = MAX_CHANNEL_NAME_CHARS - PREFIX.len() - SUFFIX_RESERVE_CHARS;
    out.truncate(max_slug);
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        FALLBACK_SLUG.to_string()
    } else {
        trimmed.to_string()
    }
}

/// The channel name for the `attempt`-th try: the first is bare, later ones
/// carry `-2`, `-3`, ...
pub fn channel_name(slug: &str, attempt: u32) -> String {
    let name = if attempt <= 1 {
        format!("{PREFIX}{slug}")
    } else {
        format!("{PREFIX}{slug}-{attempt}")
    };
    debug_assert!(name.len() <= MAX_CHANNEL_NAME_CHARS);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_slack_safe(name: &str) -> bool {
        name.len() <= MAX_CHANNEL_NAME_CHARS
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }

    #[test]
    fn folds_accents() {
        assert_eq!(
            channel_name(&candidate_slug("José Núñez"), 1),
            "loop-jose-nunez"
        );
        assert_eq!(candidate_slug("Zoë O'Brien-Smith"), "zoe-o-brien-smith");
        assert_eq!(candidate_slug("Jürgen Groß"), "jurgen-gross");
        assert_eq!(candidate_slug("Søren Łukasz"), "soren-lukasz");
    }

    #[test]
    fn hostile_names_stay_safe() {
        for name in [
            "<!channel> <@U123>",
            &"a".repeat(300),
            "🙂🙂 Ana 🚀",
            "مريم الحسن",
            "---",
            "Ω≈ç√∫",
        ] {
            let slug = candidate_slug(name);
            for attempt in [1, 2, 9999] {
                let n = channel_name(&slug, attempt);
                assert!(is_slack_safe(&n), "{n:?} from {name:?}");
            }
        }
        assert_eq!(candidate_slug("<!channel>"), "channel");
        assert_eq!(candidate_slug("مريم"), "candidate");
        assert_eq!(candidate_slug("🙂🙂 Ana 🚀"), "ana");
        assert_eq!(channel_name("jose", 2), "loop-jose-2");
    }
}
