//! Matter numbering schemes: a small template language firms configure, e.g. `{YYYY}-{SEQ:4}`.
//!
//! Placeholders: `{YYYY}` and `{YY}` (year opened), `{CLIENT}` (client code), `{SEQ}` or
//! `{SEQ:N}` (the sequence, zero-padded to N digits). Everything else is copied as is.

use crate::DomainError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberScheme {
    template: String,
}

impl NumberScheme {
    pub const DEFAULT: &'static str = "{YYYY}-{SEQ:4}";

    pub fn parse(template: &str) -> Result<NumberScheme, DomainError> {
        let scheme = NumberScheme { template: template.to_string() };
        // Rendering twice with different sequences proves the template is well formed and
        // that distinct sequences give distinct numbers.
        let a = scheme.render(2026, "C", 1)?;
        let b = scheme.render(2026, "C", 2)?;
        if a == b {
            return Err(DomainError::invalid("scheme", "the template must contain {SEQ}"));
        }
        Ok(scheme)
    }

    pub fn template(&self) -> &str {
        &self.template
    }

    pub fn render(&self, year: i32, client_code: &str, seq: u64) -> Result<String, DomainError> {
        let mut out = String::new();
        let mut rest = self.template.as_str();
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}').ok_or_else(|| {
                DomainError::invalid("scheme", "a '{' in the template is never closed")
            })? + start;
            let field = &rest[start + 1..end];
            match field {
                "YYYY" => out.push_str(&format!("{year:04}")),
                "YY" => out.push_str(&format!("{:02}", year.rem_euclid(100))),
                "CLIENT" => out.push_str(client_code),
                "SEQ" => out.push_str(&seq.to_string()),
                _ => match field.strip_prefix("SEQ:").map(str::parse::<usize>) {
                    Some(Ok(width)) if width <= 12 => out.push_str(&format!("{seq:0width$}")),
                    _ => {
                        return Err(DomainError::invalid(
                            "scheme",
                            format!("unknown placeholder {{{field}}}"),
                        ));
                    }
                },
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Whether the sequence restarts each year (the template mentions the year).
    pub fn per_year(&self) -> bool {
        self.template.contains("{YYYY}") || self.template.contains("{YY}")
    }

    /// Whether the sequence is kept per client.
    pub fn per_client(&self) -> bool {
        self.template.contains("{CLIENT}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders() {
        let s = NumberScheme::parse("{YYYY}-{SEQ:4}").unwrap();
        assert_eq!(s.render(2026, "ACME", 7).unwrap(), "2026-0007");
        let s = NumberScheme::parse("{CLIENT}.{YY}.{SEQ}").unwrap();
        assert_eq!(s.render(2026, "ACME", 12).unwrap(), "ACME.26.12");
        assert!(s.per_client() && s.per_year());
    }

    #[test]
    fn rejects_bad_templates() {
        assert!(NumberScheme::parse("{YYYY}").is_err());
        assert!(NumberScheme::parse("{SEQ").is_err());
        assert!(NumberScheme::parse("{FOO}-{SEQ}").is_err());
    }
}
