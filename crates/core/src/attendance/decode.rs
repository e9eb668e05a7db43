//! Turning a school system's export into text.
//!
//! School systems write UTF-8 with or without a byte-order mark, or the
//! Windows code page of Swedish Excel (Windows-1252), and they do not say
//! which. A BOM decides (UTF-8, or UTF-16 from Excel's "Unicode text");
//! otherwise bytes that are valid UTF-8 are UTF-8, and anything else is
//! read as Windows-1252, where every byte is some character. A file that
//! is really in another code page shows up as garbled headers, which the
//! column recognition then reports by name.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// The text of a file and the encoding it was read as.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub text: String,
    /// "UTF-8", "UTF-8 with BOM", "UTF-16LE with BOM", "windows-1252", …
    pub encoding: String,
}

pub(crate) fn decode(bytes: &[u8]) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding: format!("{} with BOM", encoding.name()),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: UTF_8.name().to_owned(),
        };
    }
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: WINDOWS_1252.name().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utf8_bom_is_removed_and_named() {
        let d = decode("\u{feff}Frånvaro".as_bytes());
        assert_eq!(d.text, "Frånvaro");
        assert_eq!(d.encoding, "UTF-8 with BOM");
    }

    #[test]
    fn utf8_without_a_bom_is_utf8() {
        let d = decode("Oanmäld frånvaro".as_bytes());
        assert_eq!(d.text, "Oanmäld frånvaro");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_windows_1252() {
        // "Från;Oanmäld" in Windows-1252: å = 0xE5, ä = 0xE4.
        let d = decode(b"Fr\xe5n;Oanm\xe4ld");
        assert_eq!(d.text, "Från;Oanmäld");
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn utf16_from_excel_is_read_by_its_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Vecka\tÅr".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let d = decode(&bytes);
        assert_eq!(d.text, "Vecka\tÅr");
        assert_eq!(d.encoding, "UTF-16LE with BOM");
    }
}
