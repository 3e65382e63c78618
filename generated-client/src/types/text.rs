//! Text a server sent is data: before it is shown (an error's `Display`, a trace, the CLI's
//! output), every character a terminal would act on is replaced by a visible escape, so that an
//! error message cannot clear the screen, set the window's title, ring the bell, move the cursor
//! or print a line that looks like the program's own.
//!
//! Escaped: the C0 controls (U+0000 to U+001F: NUL, BEL, BS, TAB, LF, CR, ESC, ...), DEL
//! (U+007F), the C1 controls (U+0080 to U+009F, CSI U+009B among them), the line and paragraph
//! separators (U+2028, U+2029) and the bidirectional formatting characters (U+061C, U+200E,
//! U+200F, U+202A to U+202E, U+2066 to U+2069), which reorder what a terminal shows. LF, CR and
//! TAB become `\n`, `\r` and `\t`; any other becomes `\u{..}` in lowercase hex, as Rust's
//! `escape_debug` writes it (ESC is `\u{1b}`, CSI `\u{9b}`). Everything else is kept as it is,
//! backslashes and quotes too: escaping only writes printable characters, so escaping text twice
//! changes nothing more. The price is that text which already read `\u{1b}` is not told apart
//! from an ESC, which is why the exact text stays where it is data (the fields of `ApiError`,
//! the CLI's `--json` output).
//!
//! The CLI includes this file too (`#[path]`), for its JSON output.

use std::fmt;

/// Whether `c` is escaped (see the module documentation).
pub(crate) fn is_escaped(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c, '\u{2028}' | '\u{2029}')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every escaped character written as a visible escape, when shown with `{}`.
#[derive(Clone, Copy)]
pub(crate) struct Escaped<'a>(pub(crate) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some((at, c)) = rest.char_indices().find(|(_, c)| is_escaped(*c)) {
            f.write_str(&rest[..at])?;
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c => write!(f, "\\u{{{:x}}}", c as u32)?,
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// `text`, escaped (see [`Escaped`]).
pub(crate) fn escape(text: &str) -> String {
    Escaped(text).to_string()
}

/// The first `max_chars` characters of `text`, escaped, and `…` when there were more: how a
/// message shows text from elsewhere that may be long.
pub(crate) fn escape_start(text: &str, max_chars: usize) -> String {
    let mut out = escape(&text.chars().take(max_chars).collect::<String>());
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_character_is_escaped_visibly_and_the_rest_is_kept() {
        let hostile = "a\u{1b}[2Jb\u{1b}]0;pwned\u{7}c\r\nerror: fake\td\u{9b}31me\u{7f}f\u{0}\u{202e}g\u{2028}";
        assert_eq!(
            escape(hostile),
            r"a\u{1b}[2Jb\u{1b}]0;pwned\u{7}c\r\nerror: fake\td\u{9b}31me\u{7f}f\u{0}\u{202e}g\u{2028}"
        );
        assert!(!escape(hostile).chars().any(is_escaped));
        // Printable text, quotes, backslashes and other scripts are left alone.
        let plain = r#"The token may not purge "my-site" \ été 東京 🚀"#;
        assert_eq!(escape(plain), plain);
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        for text in ["\u{1b}[2J", "a\r\nb", "\u{9b}\u{7f}", "plain", r"already \u{1b}"] {
            assert_eq!(escape(&escape(text)), escape(text), "{text:?}");
        }
    }

    #[test]
    fn every_c0_and_c1_control_and_del_is_escaped() {
        let controls = (0u32..0x20).chain([0x7f]).chain(0x80..0xa0).filter_map(char::from_u32);
        for c in controls {
            assert!(is_escaped(c), "{c:?}");
            let shown = escape(&c.to_string());
            assert!(shown.starts_with('\\') && shown.chars().all(|c| c.is_ascii_graphic()), "{c:?} -> {shown}");
        }
        assert!(!is_escaped(' ') && !is_escaped('~') && !is_escaped('\u{a0}'));
    }
}
