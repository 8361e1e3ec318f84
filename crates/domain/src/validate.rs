//! Field-level input checks shared by forms, the API and CSV import, so all three say the same thing.

use crate::DomainError;

/// Trims and checks a required text field.
pub fn required(field: &'static str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, "this field is required"));
    }
    optional(field, value, max_chars)
}

/// Trims and checks an optional text field (empty is fine).
pub fn optional(field: &'static str, value: &str, max_chars: usize) -> Result<String, DomainError> {
    let value = value.trim();
    if value.chars().count() > max_chars {
        return Err(DomainError::invalid(field, format!("use at most {max_chars} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(DomainError::invalid(field, "contains control characters"));
    }
    Ok(value.to_string())
}

/// Splits a list typed as lines or separated by semicolons, dropping blanks and repeats.
pub fn list(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in value.split(['\n', ';']).map(str::trim).filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(item)) {
            out.push(item.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_and_dedupe() {
        assert_eq!(list("a; b\nA\n\n c "), vec!["a", "b", "c"]);
    }

    #[test]
    fn required_fields_reject_blank_and_control_characters() {
        assert!(required("name", "  ", 10).is_err());
        assert!(required("name", "a\u{0}b", 10).is_err());
        assert_eq!(required("name", " ok ", 10).unwrap(), "ok");
        assert!(optional("x", "abcdef", 3).is_err());
    }
}
