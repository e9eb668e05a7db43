//! Checks on free text from users.

use crate::error::{Error, ReasonCode, Result};

/// Longest free text accepted in one field: a long home-visit note is a few
/// thousand characters; this bound only stops pasted accidents.
pub const MAX_CHARS: usize = 50_000;

/// Trims `value` and refuses it when empty or too long.
pub(crate) fn required(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(
            Error::invalid(ReasonCode::TextEmpty, format!("{field} is empty")).with("field", field),
        );
    }
    bounded(field, trimmed)
}

/// Trims `value` and refuses it only when too long.
pub(crate) fn bounded(field: &str, value: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.chars().count() > MAX_CHARS {
        return Err(Error::invalid(
            ReasonCode::TextTooLong,
            format!("{field} is longer than {MAX_CHARS} characters"),
        )
        .with("field", field)
        .with("max", MAX_CHARS));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_empty_and_whitespace_is_trimmed() {
        assert!(required("text", "  \n ").is_err());
        assert_eq!(required("text", " hej ").expect("ok"), "hej");
        assert_eq!(bounded("text", "  ").expect("ok"), "");
    }

    #[test]
    fn overlong_text_is_refused_with_the_field_name() {
        let long = "a".repeat(MAX_CHARS + 1);
        let e = required("text", &long).expect_err("must fail");
        assert!(e.to_string().contains("text"));
    }
}
