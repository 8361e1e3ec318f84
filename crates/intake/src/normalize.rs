//! Name normalization: folds case, accents, scripts, punctuation, titles, number words and legal forms.
//!
//! The output keeps what was removed (titles, legal forms) so the scorer can explain itself and can
//! tell "Deutsche Bank AG" from "Deutsche Bank GmbH".

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of party a name belongs to. A hint only: the scorer works without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum NameKind {
    /// A natural person.
    Person,
    /// A company, organization, vessel or any other non-person.
    Organization,
    /// Not known; inferred from the name (a legal form means an organization).
    #[default]
    Unknown,
}

/// Legal-form classes. Spellings that mean the same thing share a class ("Ltd" and "Limited").
/// The index in this table is the bit in [`NormalizedName::legal_forms`].
const LEGAL_FORM_CLASSES: &[&str] = &[
    "co",
    "corp",
    "ltd",
    "llc",
    "jsc",
    "ag",
    "gmbh",
    "plc",
    "sa",
    "srl",
    "spzoo",
    "bv",
    "nv",
    "spa",
    "lp",
    "llp",
    "pty",
    "ab",
    "as",
    "sl",
    "pt",
    "kg",
    "se",
    "oy",
    "pc",
    "pa",
    "pte",
    "kk",
    "bvba",
    "sas",
    "sarl",
    "tbk",
    "group_holding",
];

/// Spellings of legal forms (as normalized token sequences) and their class.
/// Longer phrases are tried first so "limited liability company" is not read as "limited".
const LEGAL_FORM_PHRASES: &[(&str, &str)] = &[
    ("obshchestvo s ogranichennoi otvetstvennostiu", "llc"),
    ("societatea cu raspundere limitata", "srl"),
    ("societa a responsabilita limitata", "srl"),
    ("gesellschaft mit beschrankter haftung", "gmbh"),
    ("open joint stock company", "jsc"),
    ("closed joint stock company", "jsc"),
    ("public joint stock company", "jsc"),
    ("limited liability company", "llc"),
    ("limited liability partnership", "llp"),
    ("public limited company", "plc"),
    ("joint stock company", "jsc"),
    ("joint stock", "jsc"),
    ("limited partnership", "lp"),
    ("professional corporation", "pc"),
    ("sociedad anonima", "sa"),
    ("societe anonyme", "sa"),
    ("sp z o o", "spzoo"),
    ("sp z oo", "spzoo"),
    ("kabushiki kaisha", "kk"),
    ("aktiengesellschaft", "ag"),
    ("incorporated", "corp"),
    ("corporation", "corp"),
    ("company", "co"),
    ("limited", "ltd"),
    ("inc", "corp"),
    ("corp", "corp"),
    ("co", "co"),
    ("ltd", "ltd"),
    ("llc", "llc"),
    ("ooo", "llc"),
    ("jsc", "jsc"),
    ("ojsc", "jsc"),
    ("pjsc", "jsc"),
    ("cjsc", "jsc"),
    ("oao", "jsc"),
    ("zao", "jsc"),
    ("pao", "jsc"),
    ("ao", "jsc"),
    ("ag", "ag"),
    ("gmbh", "gmbh"),
    ("plc", "plc"),
    ("sa", "sa"),
    ("srl", "srl"),
    ("bv", "bv"),
    ("nv", "nv"),
    ("spa", "spa"),
    ("lp", "lp"),
    ("llp", "llp"),
    ("pty", "pty"),
    ("ab", "ab"),
    ("as", "as"),
    ("sl", "sl"),
    ("pt", "pt"),
    ("kg", "kg"),
    ("se", "se"),
    ("oy", "oy"),
    ("pc", "pc"),
    ("pte", "pte"),
    ("kk", "kk"),
    ("bvba", "bvba"),
    ("sas", "sas"),
    ("sarl", "sarl"),
    ("tbk", "tbk"),
];

/// Long legal-form words that are worth recognising with a typo ("Aktiengeselschaft").
const FUZZY_LEGAL_WORDS: &[(&str, &str)] = &[
    ("aktiengesellschaft", "ag"),
    ("incorporated", "corp"),
    ("corporation", "corp"),
    ("limited", "ltd"),
    ("company", "co"),
];

/// Honorifics, titles and vessel prefixes: dropped because they do not identify anyone.
const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "president",
    "prasident",
    "sir",
    "dame",
    "lord",
    "lady",
    "shaikh",
    "sheikh",
    "sheik",
    "hon",
    "honorable",
    "honourable",
    "judge",
    "justice",
    "rev",
    "reverend",
    "jr",
    "sr",
    "esq",
    "phd",
    "md",
    "mv",
    "mt",
    "ss",
    "the",
];

/// Number words and ordinals folded to digits, so "Brigade Forty-Four" meets "Brigade 44".
const UNITS: &[(&str, u32)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("first", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
    ("ninth", 9),
    ("tenth", 10),
];
const TENS: &[(&str, u32)] = &[
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fourty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// A name reduced to comparable tokens, remembering what normalization removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizedName {
    /// The name as given.
    pub original: String,
    /// Lower-case ASCII tokens in their original order, titles and legal forms removed.
    pub tokens: Vec<String>,
    /// Bit set of legal-form classes found (see [`NormalizedName::legal_form_names`]).
    pub legal_forms: u64,
    /// Titles and honorifics removed ("mr", "dr", "the").
    pub titles: Vec<String>,
    /// The name used a non-Latin script or letters beyond accents that were transliterated.
    pub transliterated: bool,
    /// The schema hint, or `Organization` when a legal form was found.
    pub kind: NameKind,
}

impl NormalizedName {
    /// The canonical legal-form classes found, e.g. `["ltd"]` for "Crystalord Limited".
    pub fn legal_form_names(&self) -> Vec<&'static str> {
        LEGAL_FORM_CLASSES
            .iter()
            .enumerate()
            .filter(|(bit, _)| self.legal_forms & (1u64 << bit) != 0)
            .map(|(_, name)| *name)
            .collect()
    }

    /// Rebuilds a normalized name from stored parts without redoing normalization (used by the index).
    pub fn from_parts(tokens: &str, legal_forms: u64, kind: NameKind) -> Self {
        Self {
            original: String::new(),
            tokens: tokens.split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            legal_forms,
            titles: Vec::new(),
            transliterated: false,
            kind,
        }
    }

    /// Tokens joined by single spaces.
    pub fn joined(&self) -> String {
        self.tokens.join(" ")
    }
}

impl fmt::Display for NormalizedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.joined())?;
        let forms = self.legal_form_names();
        if !forms.is_empty() {
            write!(f, " [{}]", forms.join(","))?;
        }
        if !self.titles.is_empty() {
            write!(f, " (titles: {})", self.titles.join(","))?;
        }
        Ok(())
    }
}

fn legal_class_bit(class: &str) -> u64 {
    LEGAL_FORM_CLASSES
        .iter()
        .position(|c| *c == class)
        .map(|i| 1u64 << i)
        .expect("every legal-form phrase maps to a listed class")
}

/// The bit of the generic "co"/"company" class, which coexists with any other form ("Co., Ltd.").
pub(crate) fn generic_company_bit() -> u64 {
    legal_class_bit("co")
}

/// Normalizes a name. `kind` is a hint; pass [`NameKind::Unknown`] when not known.
pub fn normalize(name: &str, kind: NameKind) -> NormalizedName {
    let folded = fold_to_ascii(name);
    let transliterated = !name.is_ascii() && has_non_latin_letters(name);
    let mut tokens = tokenize(&folded);
    tokens = fold_numbers(tokens);

    let mut titles = Vec::new();
    let mut legal_forms = 0u64;
    strip_affixes(&mut tokens, &mut titles, &mut legal_forms);
    // Repeated words ("Sergey Sergey Shoigu") are a data-entry artefact, not a different name.
    tokens.dedup();

    let kind = match kind {
        NameKind::Unknown if legal_forms != 0 => NameKind::Organization,
        other => other,
    };
    NormalizedName { original: name.to_owned(), tokens, legal_forms, titles, transliterated, kind }
}

fn has_non_latin_letters(name: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    // Accented Latin letters decompose to ASCII plus combining marks; anything left is another script.
    name.nfd().any(|c| c.is_alphabetic() && !c.is_ascii())
}

/// Transliterates to ASCII and lower-cases; keeps punctuation for the tokenizer to interpret.
fn fold_to_ascii(name: &str) -> String {
    // Typographic apostrophes and possessives would otherwise split "People's" into two words.
    let pre: String = name
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
            '&' => '+',
            '\u{30FB}' | '\u{00B7}' => ' ',
            c => c,
        })
        .collect();
    let ascii = if pre.is_ascii() {
        pre
    } else {
        // Han and Hangul characters stay as they are, one token each: their transliterations collapse
        // different names into homophones (高石早苗 and 高市早苗 both read "Gao Shi Zao Miao").
        let mut out = String::with_capacity(pre.len() * 2);
        let mut run = String::new();
        for c in pre.chars() {
            if is_han_or_hangul(c) {
                out.push_str(&deunicode::deunicode(&run));
                run.clear();
                out.push(' ');
                out.push(c);
                out.push(' ');
            } else {
                run.push(c);
            }
        }
        out.push_str(&deunicode::deunicode(&run));
        out
    };
    ascii.to_lowercase().replace("'s ", " ").replace('+', " and ")
}

/// CJK ideographs and Hangul syllables: scripts where one character is one name syllable.
pub(crate) fn is_han_or_hangul(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}')
}

/// Splits into word tokens. Dotted initialisms ("J.P.", "U.S.", "G.m.b.H.") are joined into one word;
/// apostrophes are removed ("Qa'ida" is "qaida"); all other punctuation separates words.
fn tokenize(folded: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for raw in
        folded.split(|c: char| c.is_whitespace() || c == '-' || c == ',' || c == '(' || c == ')')
    {
        let raw: String = raw.chars().filter(|c| *c != '\'' && *c != '"').collect();
        let raw = raw.replace('/', "");
        if raw.is_empty() {
            continue;
        }
        let parts: Vec<&str> = raw.split('.').filter(|p| !p.is_empty()).collect();
        let is_initialism =
            parts.len() >= 2 && parts.iter().all(|p| p.chars().count() == 1) && raw.contains('.');
        if is_initialism {
            tokens.push(parts.concat());
            continue;
        }
        for part in parts {
            for word in part.split(|c: char| !(c.is_ascii_alphanumeric() || is_han_or_hangul(c))) {
                if !word.is_empty() {
                    tokens.push(unleet(word));
                }
            }
        }
    }
    tokens
}

/// Reads digits inside words as the letters they imitate ("I9or Sech1n"), but keeps ordinals ("1st").
fn unleet(word: &str) -> String {
    let has_digit = word.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = word.bytes().any(|b| b.is_ascii_alphabetic());
    if !(has_digit && has_alpha) {
        return word.to_owned();
    }
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    let rest = &word[digits.len()..];
    if !digits.is_empty() && matches!(rest, "st" | "nd" | "rd" | "th") {
        return digits;
    }
    if word.chars().filter(|c| c.is_ascii_alphabetic()).count() < 2 {
        return word.to_owned();
    }
    word.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'i',
            '3' => 'e',
            '4' => 'a',
            '5' => 's',
            '7' => 't',
            '8' => 'b',
            '9' => 'g',
            c => c,
        })
        .collect()
}

fn unit_value(token: &str) -> Option<u32> {
    UNITS.iter().find(|(w, _)| *w == token).map(|(_, v)| *v)
}

fn tens_value(token: &str) -> Option<u32> {
    TENS.iter().find(|(w, _)| *w == token).map(|(_, v)| *v)
}

/// Replaces number words with digits, joining "forty four" into "44".
fn fold_numbers(tokens: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let Some(tens) = tens_value(&tokens[i]) {
            let unit = tokens.get(i + 1).and_then(|t| unit_value(t)).filter(|u| *u < 10);
            match unit {
                Some(u) => {
                    out.push((tens + u).to_string());
                    i += 2;
                }
                None => {
                    out.push(tens.to_string());
                    i += 1;
                }
            }
            continue;
        }
        // Both sides of a comparison fold the same way, so "One Equity Partners" meeting itself is safe.
        match unit_value(&tokens[i]) {
            Some(v) => out.push(v.to_string()),
            None => out.push(tokens[i].clone()),
        }
        i += 1;
    }
    out
}

fn phrase_at(tokens: &[String], start: usize, phrase: &str) -> bool {
    let words: Vec<&str> = phrase.split(' ').collect();
    start + words.len() <= tokens.len() && words.iter().zip(&tokens[start..]).all(|(w, t)| w == t)
}

fn fuzzy_legal_word(token: &str) -> Option<&'static str> {
    FUZZY_LEGAL_WORDS
        .iter()
        .find(|(word, _)| token.len() >= 6 && strsim::damerau_levenshtein(token, word) <= 1)
        .map(|(_, class)| *class)
}

/// Removes titles anywhere and legal forms at either end, repeatedly ("OJSC X Corporation").
/// Never removes the last remaining token: "The Company" stays a name.
fn strip_affixes(tokens: &mut Vec<String>, titles: &mut Vec<String>, legal_forms: &mut u64) {
    if tokens.len() > 1 {
        let mut kept = Vec::with_capacity(tokens.len());
        for t in tokens.drain(..) {
            if TITLES.contains(&t.as_str()) {
                titles.push(t);
            } else {
                kept.push(t);
            }
        }
        if kept.is_empty() {
            // Only titles: keep them as the name rather than returning nothing.
            kept = std::mem::take(titles);
        }
        *tokens = kept;
    }
    loop {
        let mut changed = false;
        for (phrase, class) in LEGAL_FORM_PHRASES {
            let n = phrase.split(' ').count();
            if tokens.len() <= n {
                continue;
            }
            let end = tokens.len() - n;
            if phrase_at(tokens, end, phrase) {
                tokens.truncate(end);
                *legal_forms |= legal_class_bit(class);
                changed = true;
                break;
            }
            if phrase_at(tokens, 0, phrase) {
                tokens.drain(..n);
                *legal_forms |= legal_class_bit(class);
                changed = true;
                break;
            }
        }
        if !changed && tokens.len() > 1 {
            let last = tokens.len() - 1;
            if let Some(class) = fuzzy_legal_word(&tokens[last]) {
                tokens.truncate(last);
                *legal_forms |= legal_class_bit(class);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(input: &str, expected: Expect) {
        expected.assert_eq(&normalize(input, NameKind::Unknown).to_string());
    }

    #[test]
    fn case_and_accents() {
        check("Nicolás MADURO", expect![[r#"nicolas maduro"#]]);
        check("Crédit Agricole S.A.", expect![[r#"credit agricole [sa]"#]]);
    }

    #[test]
    fn punctuation_and_hyphens() {
        check("Jean-Marie Le Pen", expect![[r#"jean marie le pen"#]]);
        check("Al Qa'ida", expect![[r#"al qaida"#]]);
        check("\"Smith, John\"", expect![[r#"smith john"#]]);
        check("Deutsche Bank's AG", expect![[r#"deutsche bank [ag]"#]]);
    }

    #[test]
    fn dotted_initialisms_are_joined_but_spaced_initials_are_not() {
        check("J.P. Morgan & Co.", expect![[r#"jp morgan and [co]"#]]);
        check("J. R. Smith", expect![[r#"j r smith"#]]);
        check("J.-C. Juncker", expect![[r#"j c juncker"#]]);
        check("U.S. Department of State", expect![[r#"us department of state"#]]);
    }

    #[test]
    fn legal_forms_are_removed_but_remembered() {
        check("Acme Inc.", expect![[r#"acme [corp]"#]]);
        check("Acme, L.L.C.", expect![[r#"acme [llc]"#]]);
        check("Volkswagen Bank G.m.b.H.", expect![[r#"volkswagen bank [gmbh]"#]]);
        check("OJSC Tactical Missiles Corporation", expect![[r#"tactical missiles [corp,jsc]"#]]);
        check("Samsung Electronics Co., Ltd.", expect![[r#"samsung electronics [co,ltd]"#]]);
        check("Banca S.p.A.", expect![[r#"banca [spa]"#]]);
        check("Shell N.V.", expect![[r#"shell [nv]"#]]);
        check(
            "Lloyds Banking Group Public Limited Company",
            expect![[r#"lloyds banking group [plc]"#]],
        );
        check("Siemens Aktiengeselschaft", expect![[r#"siemens [ag]"#]]);
        check("Stripe Limited Liability Company", expect![[r#"stripe [llc]"#]]);
    }

    #[test]
    fn a_name_that_is_only_a_legal_form_word_is_kept() {
        check("Company", expect![[r#"company"#]]);
    }

    #[test]
    fn titles_are_dropped() {
        check("Mr. Recep Tayyip Erdoğan", expect![[r#"recep tayyip erdogan (titles: mr)"#]]);
        check("The World Bank", expect![[r#"world bank (titles: the)"#]]);
        check("MV Hellenic Spirit", expect![[r#"hellenic spirit (titles: mv)"#]]);
    }

    #[test]
    fn numbers_and_ordinals() {
        check("Brigade Forty-Four", expect![[r#"brigade 44"#]]);
        check("1st International Bank", expect![[r#"1 international bank"#]]);
        check("First International Bank", expect![[r#"1 international bank"#]]);
        check("3 Percenters", expect![[r#"3 percenters"#]]);
    }

    #[test]
    fn digits_imitating_letters() {
        check("I9or Sech1n", expect![[r#"igor sechin"#]]);
        check("Trust 2004-1", expect![[r#"trust 2004 1"#]]);
    }

    #[test]
    fn transliteration() {
        check("Владимир Путин", expect![[r#"vladimir putin"#]]);
        check("ბარაკ ობამა", expect![[r#"barak obama"#]]);
        check("习近平", expect![[r#"习 近 平"#]]);
        assert!(normalize("Владимир", NameKind::Unknown).transliterated);
        assert!(!normalize("Nicolás", NameKind::Unknown).transliterated);
    }

    #[test]
    fn repeated_words_collapse() {
        check("Sergey Sergey Shoigu", expect![[r#"sergey shoigu"#]]);
    }

    #[test]
    fn kind_is_inferred_from_a_legal_form() {
        assert_eq!(normalize("Acme Ltd", NameKind::Unknown).kind, NameKind::Organization);
        assert_eq!(normalize("John Smith", NameKind::Unknown).kind, NameKind::Unknown);
    }
}
