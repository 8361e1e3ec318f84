//! A small labelled fixture of our own, so the scorer's accuracy is tested without ../shared.

use intake::{DEFAULT_THRESHOLD, NameKind, score_names};

/// (name, name, kind, same party?)
const PAIRS: &[(&str, &str, NameKind, bool)] = &[
    ("William Henry Gates", "Bill Gates", NameKind::Person, true),
    ("Elizabeth Warren", "Liz Warren", NameKind::Person, true),
    ("Robert Smith", "Bob Smith", NameKind::Person, true),
    ("J. R. Tolkien", "John Ronald Tolkien", NameKind::Person, true),
    ("Tolkien, John", "John Tolkien", NameKind::Person, true),
    ("Katarzyna Nowakowska", "Katarzyna Nowakowski", NameKind::Person, true),
    ("Jose Muñoz", "JOSE MUNOZ", NameKind::Person, true),
    ("Jonathan Smyth", "Jonathan Smith", NameKind::Person, true),
    ("Mohammed al-Rashid", "Muhammad Al Rashid", NameKind::Person, true),
    ("Acme Widgets, Inc.", "ACME WIDGETS INCORPORATED", NameKind::Organization, true),
    ("Acme Widgets LLC", "Acme Widgets L.L.C.", NameKind::Organization, true),
    ("Blue Harbor Shipping Ltd", "Blue Harbour Shipping Limited", NameKind::Organization, true),
    ("International Business Machines", "IBM", NameKind::Organization, true),
    ("Margaret Thompson", "Margaret Johnson", NameKind::Person, false),
    ("John Smith", "Jane Smithers", NameKind::Person, false),
    ("Michael Jordan", "Michael Brown", NameKind::Person, false),
    ("Daniel Cooper", "Donald Cooper", NameKind::Person, false),
    ("Acme Widgets Inc.", "Apex Gadgets Inc.", NameKind::Organization, false),
    ("Northwind Traders", "Northwind Travel", NameKind::Organization, false),
    ("Sarah Connor", "Kyle Reese", NameKind::Person, false),
];

#[test]
fn own_fixture_is_classified_correctly() {
    let mut wrong = Vec::new();
    for (a, b, kind, same) in PAIRS {
        let e = score_names(a, b, *kind);
        if e.is_match(DEFAULT_THRESHOLD) != *same {
            wrong.push(format!("{a} | {b}: {e}"));
        }
    }
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
}
