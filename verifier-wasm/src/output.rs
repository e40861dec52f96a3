//! How a verified run's public output is shown to people: hex always, text
//! only when the bytes are printable UTF-8 (so a binary output never garbles
//! a terminal or a page).

use alloc::string::String;

/// Lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// The output as text, if it is valid UTF-8 made only of printable
/// characters and ordinary whitespace (newline, carriage return, tab).
pub fn printable_text(bytes: &[u8]) -> Option<&str> {
    let text = core::str::from_utf8(bytes).ok()?;
    text.chars()
        .all(|c| matches!(c, '\n' | '\r' | '\t') || !c.is_control())
        .then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_of_bytes() {
        assert_eq!(to_hex(&[]), "");
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn text_only_when_printable() {
        assert_eq!(printable_text(b"hello\n\tworld"), Some("hello\n\tworld"));
        assert_eq!(printable_text("héllo ✓".as_bytes()), Some("héllo ✓"));
        assert_eq!(printable_text(b""), Some(""));
        assert_eq!(printable_text(&[0xff, 0xfe]), None, "invalid UTF-8");
        assert_eq!(printable_text(b"a\x00b"), None, "NUL is a control");
        assert_eq!(printable_text(b"\x1b[31mred"), None, "escape sequences");
    }
}
