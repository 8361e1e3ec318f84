//! Synthetic email collections for benchmarks: a Zipfian vocabulary of made-up words with the
//! reviewers' favourite terms planted at realistic ranks, email headers from a pool of people,
//! families (attachments), and a few fixed phrases. Deterministic for a given seed.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::IndexDoc;

/// Real words planted in the vocabulary, with the Zipf rank each gets (1 is the most frequent).
pub const PLANTED: &[(&str, usize)] = &[
    ("the", 1),
    ("of", 2),
    ("and", 3),
    ("to", 4),
    ("price", 150),
    ("contract", 220),
    ("cost", 300),
    ("fixed", 400),
    ("license", 700),
    ("pricing", 800),
    ("fix", 900),
    ("costs", 1_100),
    ("licensing", 1_500),
    ("terminate", 2_000),
    ("agreement", 260),
    ("termination", 3_000),
    ("manipulated", 5_000),
    ("manipulate", 6_000),
    ("raptor", 8_000),
    ("chewco", 20_000),
];

/// Phrases inserted now and then, so phrase and proximity queries have true hits.
const PHRASES: &[&str] = &[
    "fixed price",
    "side letter",
    "price fixing",
    "terminate the contract",
    "cost was manipulated",
    "license agreement",
];

const FIRST: &[&str] = &[
    "jeff", "kenneth", "andrew", "sherron", "louise", "vince", "sally", "mark", "richard",
    "rebecca", "greg", "steven", "susan", "phillip", "john", "mary", "david", "karen", "james",
    "linda",
];
const LAST: &[&str] = &[
    "skilling", "lay", "fastow", "watkins", "kitchen", "kaminski", "beck", "frevert", "causey",
    "mark", "whalley", "kean", "bailey", "allen", "arnold", "hain", "delainey", "shankman", "buy",
    "derrick",
];

/// A generator of synthetic emails.
pub struct Synth {
    rng: StdRng,
    words: Vec<String>,
    cumulative: Vec<f64>,
    next_id: u64,
    last_parent: Option<String>,
}

impl std::fmt::Debug for Synth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Synth").field("vocabulary", &self.words.len()).finish_non_exhaustive()
    }
}

impl Synth {
    /// A vocabulary of `vocabulary` words with Zipf exponent 1.07 (close to English).
    pub fn new(seed: u64, vocabulary: usize) -> Synth {
        let mut rng = StdRng::seed_from_u64(seed);
        let syllables = [
            "ka", "lo", "mi", "ren", "dor", "ta", "vel", "sun", "pri", "mar", "zo", "bel", "quin",
            "ter", "ax", "ul", "ne", "ric", "fo", "gan", "hal", "ist", "jo", "ky",
        ];
        let mut words: Vec<String> = Vec::with_capacity(vocabulary);
        let mut seen = std::collections::HashSet::new();
        for (word, _) in PLANTED {
            seen.insert(word.to_string());
        }
        while words.len() < vocabulary {
            let n = rng.random_range(1..=4);
            let word: String =
                (0..n).map(|_| syllables[rng.random_range(0..syllables.len())]).collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        for (word, rank) in PLANTED {
            let at = (rank - 1).min(words.len());
            words.insert(at, word.to_string());
        }
        let mut cumulative = Vec::with_capacity(words.len());
        let mut total = 0.0;
        for rank in 1..=words.len() {
            total += 1.0 / (rank as f64).powf(1.07);
            cumulative.push(total);
        }
        for c in &mut cumulative {
            *c /= total;
        }
        Synth { rng, words, cumulative, next_id: 0, last_parent: None }
    }

    fn word(&mut self) -> &str {
        let u: f64 = self.rng.random();
        let at = self.cumulative.partition_point(|c| *c < u).min(self.words.len() - 1);
        &self.words[at]
    }

    fn words(&mut self, n: usize) -> String {
        let mut out = String::with_capacity(n * 7);
        for i in 0..n {
            if i > 0 {
                out.push(if i % 14 == 0 { '\n' } else { ' ' });
            }
            if self.rng.random_ratio(1, 400) {
                let phrase = PHRASES[self.rng.random_range(0..PHRASES.len())];
                out.push_str(phrase);
            } else {
                let w = self.word().to_string();
                out.push_str(&w);
            }
        }
        out
    }

    fn person(&mut self) -> String {
        let first = FIRST[self.rng.random_range(0..FIRST.len())];
        let last = LAST[self.rng.random_range(0..LAST.len())];
        let title = |s: &str| {
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
        };
        format!("{} {} <{first}.{last}@enron.example>", title(first), title(last))
    }

    /// The next document: an email (80%) or an attachment of the previous email (20%).
    pub fn next_doc(&mut self) -> IndexDoc {
        self.next_id += 1;
        let doc_id = format!("SYN-{:08}", self.next_id);
        let start: DateTime<Utc> =
            Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single().expect("valid");
        let date = start + Duration::seconds(self.rng.random_range(0..3 * 365 * 86_400));
        // Body length: mostly short emails, a long tail of long ones (about 190 words on average).
        let len = (40.0 * (1.0 / (1.0 - self.rng.random::<f64>() * 0.97)).powf(0.9)) as usize;
        let len = len.min(3_000);
        let attachment = self.last_parent.is_some() && self.rng.random_ratio(1, 5);
        if attachment {
            let parent = self.last_parent.clone().expect("checked");
            let name = self.words(2);
            return IndexDoc {
                doc_id,
                custodian: String::new(),
                filename: format!("{}.docx", name.replace(' ', "_")),
                file_ext: "docx".into(),
                family_id: parent,
                date_sent: Some(date),
                body: self.words(len * 2),
                ..IndexDoc::default()
            };
        }
        let custodian = {
            let last = LAST[self.rng.random_range(0..8)];
            format!("{last}-{}", &FIRST[self.rng.random_range(0..4)][..1])
        };
        let recipients = self.rng.random_range(1..4);
        let to = (0..recipients).map(|_| self.person()).collect::<Vec<_>>().join(", ");
        let cc = if self.rng.random_ratio(1, 3) { self.person() } else { String::new() };
        let subject_len = self.rng.random_range(2..7);
        let subject = self.words(subject_len);
        self.last_parent = Some(doc_id.clone());
        IndexDoc {
            filename: format!("{doc_id}.eml"),
            file_ext: "eml".into(),
            family_id: doc_id.clone(),
            from: self.person(),
            to,
            cc,
            subject,
            custodian,
            date_sent: Some(date),
            body: self.words(len),
            doc_id,
            ..IndexDoc::default()
        }
    }
}

impl Iterator for Synth {
    type Item = IndexDoc;

    fn next(&mut self) -> Option<IndexDoc> {
        Some(self.next_doc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_zipfian() {
        let a: Vec<IndexDoc> = Synth::new(7, 5_000).take(50).collect();
        let b: Vec<IndexDoc> = Synth::new(7, 5_000).take(50).collect();
        assert_eq!(a, b);
        let text: String = a.iter().map(|d| d.body.as_str()).collect::<Vec<_>>().join(" ");
        let count = |w: &str| text.split_whitespace().filter(|t| *t == w).count();
        assert!(count("the") > 5 * count("price").max(1), "rank 1 dwarfs rank 150");
        assert!(a.iter().any(|d| d.family_id != d.doc_id), "some attachments");
    }
}
