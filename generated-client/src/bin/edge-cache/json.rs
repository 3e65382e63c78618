//! JSON on stdout that a terminal cannot act on. serde_json escapes the C0 controls, `"` and `\`;
//! this escapes the rest of what the library escapes in text (DEL, the C1 controls, the line
//! separators and bidirectional controls, `text.rs`) as `\u00XX` too. A JSON parser reads the
//! same string either way: `--json` keeps the server's text exact.

use std::io;

use serde::Serialize;
use serde_json::Value;

use crate::text::is_escaped;

/// `value` as one line of JSON, with every character [`is_escaped`] says as a `\uXXXX` escape.
pub fn line(value: &Value) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, Escaping);
    value.serialize(&mut serializer).expect("a JSON value serializes");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// serde_json's compact formatter, escaping more.
struct Escaping;

impl serde_json::ser::Formatter for Escaping {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest.char_indices().find(|(_, c)| is_escaped(*c)) {
            writer.write_all(&rest.as_bytes()[..at])?;
            // Every escaped character is in the Basic Multilingual Plane: one `\uXXXX` each.
            write!(writer, "\\u{:04x}", c as u32)?;
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn every_control_character_is_a_json_escape_and_the_text_reads_back_exact() {
        let hostile = "a\u{1b}[2J\u{7}\r\n\u{9b}\u{7f}\u{202e}é\"\\";
        let text = super::line(&json!({ "message": hostile }));
        assert_eq!(text, r#"{"message":"a\u001b[2J\u0007\r\n\u009b\u007f\u202eé\"\\"}"#);
        assert!(!text.chars().any(char::is_control));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["message"], hostile);
    }
}
