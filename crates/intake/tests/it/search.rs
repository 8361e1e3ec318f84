//! Conflict-index searches: former clients under nicknames and reordered names, related organizations.

use intake::{
    ConflictIndex, ConflictKind, MatchRule, MatterId, MatterStatus, NameKind, PartyId, PartyRecord,
    PartyRole,
};

fn party(
    id: u64,
    name: &str,
    kind: NameKind,
    role: PartyRole,
    status: MatterStatus,
) -> PartyRecord {
    PartyRecord {
        party_id: PartyId(id),
        name: name.to_owned(),
        aliases: Vec::new(),
        kind,
        role,
        matter_id: MatterId(100 + id),
        matter_status: status,
        is_prospective: false,
        related_org_ids: Vec::new(),
    }
}

/// A small firm: a former client, current clients and adversaries, a corporate family, and noise
/// from the synthetic generator so that retrieval has to choose.
fn firm() -> ConflictIndex {
    let mut records = intake::bench::synthetic_records(5_000, 3);
    for (i, r) in records.iter_mut().enumerate() {
        // Keep the generated parties apart from the hand-written ids below.
        r.party_id = PartyId(1_000_000 + i as u64);
        r.related_org_ids.clear();
    }
    records.push(party(
        1,
        "Robert James Whitfield",
        NameKind::Person,
        PartyRole::Client,
        MatterStatus::Closed,
    ));
    let mut margaret =
        party(2, "Margaret Okonkwo", NameKind::Person, PartyRole::Client, MatterStatus::Open);
    margaret.aliases.push("Margaret Adeyemi".to_owned());
    records.push(margaret);
    records.push(party(
        3,
        "Globex Holdings Inc.",
        NameKind::Organization,
        PartyRole::Client,
        MatterStatus::Open,
    ));
    let mut subsidiary = party(
        4,
        "Globex Logistics GmbH",
        NameKind::Organization,
        PartyRole::AdverseParty,
        MatterStatus::Closed,
    );
    subsidiary.related_org_ids.push(PartyId(3));
    records.push(subsidiary);
    let mut consult =
        party(5, "Tobias Wrenfield", NameKind::Person, PartyRole::Other, MatterStatus::Closed);
    consult.is_prospective = true;
    records.push(consult);
    records.push(party(
        6,
        "Elif Zaragoza-Marsh",
        NameKind::Person,
        PartyRole::ImputedClient,
        MatterStatus::Open,
    ));
    ConflictIndex::build(records).expect("all fixture names have letters")
}

#[test]
fn former_client_is_found_under_a_nickname() {
    let report = firm().search("Bob Whitfield");
    let hits = report.hits(ConflictKind::FormerClient);
    let hit = hits
        .iter()
        .find(|h| h.party_id == PartyId(1))
        .expect("former client found under a nickname");
    assert_eq!(hit.matter_status, MatterStatus::Closed);
    assert!(hit.explanation.rules.contains(&MatchRule::Nickname), "{}", hit.explanation);
    assert!(
        report
            .groups
            .iter()
            .all(|g| g.kind != ConflictKind::FormerClient || g.rule.contains("1.9"))
    );
}

#[test]
fn former_client_is_found_under_a_reordered_name() {
    let report = firm().search("WHITFIELD, Robert J.");
    let hit = report
        .hits(ConflictKind::FormerClient)
        .iter()
        .find(|h| h.party_id == PartyId(1))
        .expect("former client found with surname first");
    assert!(hit.explanation.rules.contains(&MatchRule::TokenReorder), "{}", hit.explanation);
    assert!(hit.explanation.rules.contains(&MatchRule::Initials), "{}", hit.explanation);
}

#[test]
fn current_client_is_found_under_a_former_name_with_a_typo() {
    let report = firm().search("Margaret Adeyemy");
    let hit = report
        .hits(ConflictKind::DirectAdversity)
        .iter()
        .find(|h| h.party_id == PartyId(2))
        .expect("current client found by her former name");
    assert_eq!(hit.matched_name, "Margaret Adeyemi");
    let rules = &hit.explanation.rules;
    assert!(
        rules.contains(&MatchRule::EditDistance) || rules.contains(&MatchRule::Phonetic),
        "{}",
        hit.explanation
    );
}

#[test]
fn a_subsidiary_hit_surfaces_the_parent() {
    let report = firm().search("Globex Logistics");
    let sub = report.hits(ConflictKind::OtherInvolvement);
    assert!(
        sub.iter().any(|h| h.party_id == PartyId(4)),
        "subsidiary itself is a hit: {report:#?}"
    );
    let parent = report
        .hits(ConflictKind::RelatedOrganization)
        .iter()
        .find(|h| h.party_id == PartyId(3))
        .expect("parent surfaced through the subsidiary");
    assert_eq!(parent.via, Some(PartyId(4)));
    assert_eq!(parent.role, PartyRole::Client);
}

#[test]
fn a_parent_hit_surfaces_its_subsidiaries() {
    let report = firm().search("Globex Holdings Incorporated");
    assert!(report.hits(ConflictKind::DirectAdversity).iter().any(|h| h.party_id == PartyId(3)));
    let sub = report.hits(ConflictKind::RelatedOrganization);
    assert!(
        sub.iter().any(|h| h.party_id == PartyId(4) && h.via == Some(PartyId(3))),
        "{report:#?}"
    );
}

#[test]
fn prospective_and_imputed_clients_have_their_own_rules() {
    let index = firm();
    let report = index.search("Toby Wrenfield");
    assert!(report.hits(ConflictKind::ProspectiveClient).iter().any(|h| h.party_id == PartyId(5)));
    let group =
        report.groups.iter().find(|g| g.kind == ConflictKind::ProspectiveClient).expect("group");
    assert!(group.rule.contains("1.18"));
    let report = index.search("Elif Zaragoza Marsh");
    assert!(report.hits(ConflictKind::Imputed).iter().any(|h| h.party_id == PartyId(6)));
}

#[test]
fn an_unrelated_name_is_clear() {
    let report = firm().search("Xavier Quenneville-Bramstock");
    assert!(report.is_clear(), "{report:#?}");
}

#[test]
fn a_name_in_another_script_is_found_and_explained() {
    let records =
        vec![party(7, "Dmitri Voronin", NameKind::Person, PartyRole::Client, MatterStatus::Closed)];
    let index = ConflictIndex::build(records).expect("fixture names have letters");
    let report = index.search("Дмитрий Воронин");
    let hit = report.hits(ConflictKind::FormerClient).first().expect("found across scripts");
    assert!(hit.explanation.rules.contains(&MatchRule::Transliteration), "{}", hit.explanation);
}
