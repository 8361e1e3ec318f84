//! Hand-checked vectors for every shipped rule: trigger, date and service in, due dates (and trails) out.

use chrono::NaiveDate;
use docket::{CourtCalendar, DocketError, RuleSet, Service, compute, render_trail};
use expect_test::{Expect, expect};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

fn calendar() -> CourtCalendar {
    CourtCalendar::federal("S.D.N.Y.", chrono_tz::America::New_York)
}

/// One line per deadline: due date with weekday, rule id, citation.
fn check(rules: &str, trigger: &str, date: &str, service: &str, expect: Expect) {
    let rule_set = RuleSet::builtin(rules).expect("builtin rule set");
    let service: Service = service.parse().expect("service");
    let deadlines = compute(&rule_set, trigger, d(date), service, &calendar()).expect("computes");
    let actual: String = deadlines
        .iter()
        .map(|c| {
            format!(
                "{} {} {} [{}]\n",
                c.due_date().format("%a"),
                c.due_date(),
                c.rule_id,
                c.citation
            )
        })
        .collect();
    expect.assert_eq(&actual);
}

#[test]
fn answer_21_days_rolls_off_independence_day_and_weekend() {
    // Raw Fri 2026-07-03 is Independence Day observed, then Sat and Sun: Mon 07-06. Mail service of process
    // adds nothing (Rule 4 service).
    check(
        "frcp",
        "complaint served",
        "2026-06-12",
        "mail",
        expect![[r#"
            Mon 2026-07-06 answer [FRCP 12(a)(1)(A)(i)]
        "#]],
    );
}

#[test]
fn cli_example_renders_the_trail() {
    let rule_set = RuleSet::builtin("frcp").expect("frcp");
    let deadlines =
        compute(&rule_set, "complaint served", d("2026-06-12"), Service::Mail, &calendar())
            .expect("computes");
    expect![[r#"
        frcp / complaint served: Fri 2026-06-12, served by mail (America/New_York)

        Mon 2026-07-06  Answer to complaint (or Rule 12 motion)  [FRCP 12(a)(1)(A)(i)]
          21 days after complaint served (raw Fri 2026-07-03)
          1. counted 21 days after 2026-06-12, excluding the day of the event and counting every day -> 2026-07-03 (Fri) [FRCP 6(a)(1)(A)-(B)]
          2. 2026-07-03 is Independence Day (observed): rolled forward to the next day -> 2026-07-04 (Sat) [FRCP 6(a)(1)(C), 6(a)(5); FRCP 6(a)(6)(A); 5 U.S.C. 6103]
          3. 2026-07-04 is a Saturday: rolled forward to the next day -> 2026-07-05 (Sun) [FRCP 6(a)(1)(C), 6(a)(5)]
          4. 2026-07-05 is a Sunday: rolled forward to the next day -> 2026-07-06 (Mon) [FRCP 6(a)(1)(C), 6(a)(5)]
          5. no days added for service by mail: a summons and complaint are served under Rule 4, and FRCP 6(d) reaches only service under Rule 5(b) [FRCP 6(d)]
          Note: A timely Rule 12 motion postpones the answer until 14 days after the court acts on it (FRCP 12(a)(4)).
    "#]].assert_eq(&render_trail(&deadlines));
}

#[test]
fn service_of_process_deadline_versions() {
    check(
        "frcp",
        "complaint filed",
        "2015-11-30",
        "none",
        expect![[r#"
            Tue 2016-03-29 serve-summons [FRCP 4(m) (before December 1, 2015)]
        "#]],
    );
    check(
        "frcp",
        "complaint filed",
        "2026-06-12",
        "none",
        expect![[r#"
            Thu 2026-09-10 serve-summons [FRCP 4(m)]
        "#]],
    );
}

#[test]
fn waiver_and_united_states_answers() {
    check(
        "frcp",
        "waiver of service requested",
        "2026-01-05",
        "mail",
        expect![[r#"
        Fri 2026-03-06 answer-after-waiver [FRCP 12(a)(1)(A)(ii)]
    "#]],
    );
    check(
        "frcp",
        "complaint served on United States",
        "2026-01-05",
        "personal",
        expect![[r#"
        Fri 2026-03-06 answer-united-states [FRCP 12(a)(2)]
    "#]],
    );
}

#[test]
fn counterclaim_answer_gets_three_days_for_mail_only() {
    check(
        "frcp",
        "counterclaim served",
        "2026-03-02",
        "electronic",
        expect![[r#"
        Mon 2026-03-23 answer-counterclaim [FRCP 12(a)(1)(B)]
    "#]],
    );
    check(
        "frcp",
        "counterclaim served",
        "2026-03-02",
        "mail",
        expect![[r#"
        Thu 2026-03-26 answer-counterclaim [FRCP 12(a)(1)(B)]
    "#]],
    );
}

#[test]
fn electronic_service_added_three_days_before_december_2016() {
    check(
        "frcp",
        "counterclaim served",
        "2016-11-01",
        "electronic",
        expect![[r#"
        Fri 2016-11-25 answer-counterclaim [FRCP 12(a)(1)(B)]
    "#]],
    );
}

#[test]
fn answer_served_jury_demand_and_amendment() {
    check(
        "frcp",
        "answer filed",
        "2026-11-02",
        "mail",
        expect![[r#"
        Thu 2026-11-19 jury-demand [FRCP 38(b)(1)]
        Fri 2026-11-27 amend-as-of-course [FRCP 15(a)(1)(B)]
    "#]],
    );
}

#[test]
fn motion_served_and_hearing() {
    check(
        "frcp",
        "motion served",
        "2026-05-04",
        "electronic",
        expect![[r#"
        Tue 2026-05-26 amend-as-of-course [FRCP 15(a)(1)(B)]
    "#]],
    );
    // Counting back from a hearing rolls backward over weekends and holidays (FRCP 6(a)(5)).
    check(
        "frcp",
        "motion hearing set",
        "2026-07-17",
        "none",
        expect![[r#"
        Thu 2026-07-02 serve-motion [FRCP 6(c)(1)]
        Fri 2026-07-10 opposing-affidavits [FRCP 6(c)(2)]
    "#]],
    );
    check(
        "frcp",
        "rule 12 motion denied",
        "2026-05-04",
        "mail",
        expect![[r#"
        Mon 2026-05-18 responsive-pleading [FRCP 12(a)(4)(A)]
    "#]],
    );
    check(
        "frcp",
        "more definite statement served",
        "2026-05-04",
        "mail",
        expect![[r#"
        Thu 2026-05-21 responsive-pleading [FRCP 12(a)(4)(B)]
    "#]],
    );
}

#[test]
fn rule_26_conference_and_disclosures() {
    check(
        "frcp",
        "scheduling conference set",
        "2026-09-28",
        "none",
        expect![[r#"
        Fri 2026-09-04 rule-26f-conference [FRCP 26(f)(1)]
    "#]],
    );
    check(
        "frcp",
        "rule 26(f) conference held",
        "2026-12-11",
        "none",
        expect![[r#"
        Mon 2026-12-28 discovery-plan [FRCP 26(f)(2)]
        Mon 2026-12-28 initial-disclosures [FRCP 26(a)(1)(C)]
    "#]],
    );
}

#[test]
fn trial_date_disclosures() {
    check(
        "frcp",
        "trial date set",
        "2027-03-01",
        "none",
        expect![[r#"
        Tue 2026-12-01 expert-disclosures [FRCP 26(a)(2)(D)(i)]
        Fri 2027-01-29 pretrial-disclosures [FRCP 26(a)(3)(B)]
    "#]],
    );
    check(
        "frcp",
        "expert disclosure made",
        "2026-12-01",
        "mail",
        expect![[r#"
        Thu 2026-12-31 rebuttal-expert-disclosures [FRCP 26(a)(2)(D)(ii)]
    "#]],
    );
    check(
        "frcp",
        "pretrial disclosures made",
        "2027-01-29",
        "none",
        expect![[r#"
        Fri 2027-02-12 pretrial-objections [FRCP 26(a)(3)(B)]
    "#]],
    );
}

#[test]
fn discovery_responses() {
    check(
        "frcp",
        "interrogatories served",
        "2026-10-16",
        "mail",
        expect![[r#"
        Thu 2026-11-19 interrogatory-answers [FRCP 33(b)(2)]
    "#]],
    );
    check(
        "frcp",
        "document requests served",
        "2026-10-16",
        "electronic",
        expect![[r#"
        Mon 2026-11-16 production-responses [FRCP 34(b)(2)(A)]
    "#]],
    );
    check(
        "frcp",
        "requests for admission served",
        "2026-10-16",
        "clerk",
        expect![[r#"
        Thu 2026-11-19 admission-responses [FRCP 36(a)(3)]
    "#]],
    );
    check(
        "frcp",
        "discovery closed",
        "2026-12-23",
        "none",
        expect![[r#"
        Fri 2027-01-22 summary-judgment [FRCP 56(b)]
    "#]],
    );
}

#[test]
fn post_judgment_deadlines() {
    check(
        "frcp",
        "judgment entered",
        "2026-11-13",
        "none",
        expect![[r#"
        Fri 2026-11-27 attorney-fees [FRCP 54(d)(2)(B)(i)]
        Fri 2026-12-11 alter-amend-judgment [FRCP 59(e)]
        Fri 2026-12-11 amended-findings [FRCP 52(b)]
        Fri 2026-12-11 new-trial [FRCP 59(b)]
        Fri 2026-12-11 renewed-jmol [FRCP 50(b)]
        Mon 2026-12-14 notice-of-appeal [FRAP 4(a)(1)(A)]
        Mon 2027-11-15 relief-from-judgment-1-3 [FRCP 60(c)(1)]
    "#]],
    );
    check(
        "frcp",
        "new trial motion served",
        "2026-12-01",
        "mail",
        expect![[r#"
        Fri 2026-12-18 new-trial-opposing-affidavits [FRCP 59(c)]
    "#]],
    );
    check(
        "frcp",
        "magistrate judge recommendation served",
        "2026-12-01",
        "electronic",
        expect![[r#"
        Tue 2026-12-15 objections [FRCP 72(a), 72(b)(2)]
    "#]],
    );
}

#[test]
fn appellate_deadlines() {
    check(
        "frap",
        "judgment entered",
        "2026-06-03",
        "none",
        expect![[r#"
        Mon 2026-07-06 notice-of-appeal [FRAP 4(a)(1)(A)]
    "#]],
    );
    check(
        "frap",
        "judgment entered, united states a party",
        "2026-06-03",
        "none",
        expect![[r#"
        Mon 2026-08-03 notice-of-appeal [FRAP 4(a)(1)(B)]
    "#]],
    );
    check(
        "frap",
        "post-judgment motion decided",
        "2026-06-03",
        "none",
        expect![[r#"
        Mon 2026-07-06 notice-of-appeal [FRAP 4(a)(4)(A)]
    "#]],
    );
    check(
        "frap",
        "notice of appeal filed",
        "2026-12-10",
        "none",
        expect![[r#"
        Thu 2026-12-24 cross-appeal [FRAP 4(a)(3)]
    "#]],
    );
    check(
        "frap",
        "appeal time expired",
        "2026-07-06",
        "none",
        expect![[r#"
        Wed 2026-08-05 extension-motion [FRAP 4(a)(5)(A)(i)]
    "#]],
    );
}

#[test]
fn declared_closure_rolls_a_deadline() {
    // 2019-12-24 was closed by executive order; the statutory calendar alone would not roll.
    check(
        "frcp",
        "requests for admission served",
        "2019-11-24",
        "electronic",
        expect![[r#"
        Thu 2019-12-26 admission-responses [FRCP 36(a)(3)]
    "#]],
    );
}

#[test]
fn errors_are_explained() {
    let frcp = RuleSet::builtin("frcp").expect("frcp");
    assert!(matches!(RuleSet::builtin("nope"), Err(DocketError::UnknownRuleSet(_))));
    let unknown = compute(&frcp, "complaint sneezed", d("2026-01-05"), Service::Mail, &calendar());
    assert!(matches!(unknown, Err(DocketError::UnknownTrigger { .. })));
    let early = compute(&frcp, "complaint served", d("2009-11-30"), Service::Mail, &calendar());
    assert!(matches!(early, Err(DocketError::RuleSetNotInEffect { .. })));
}

#[test]
fn every_builtin_rule_set_loads_and_computes_every_trigger() {
    for name in RuleSet::builtin_names() {
        let rule_set = RuleSet::builtin(name).expect("loads");
        assert!(!rule_set.triggers().is_empty());
        for trigger in rule_set.triggers() {
            let deadlines =
                compute(&rule_set, &trigger.name, d("2026-06-12"), Service::Mail, &calendar())
                    .expect("computes");
            assert!(!deadlines.is_empty(), "{name}/{} produced nothing", trigger.name);
            for alias in &trigger.aliases {
                assert_eq!(rule_set.trigger(alias).expect("alias").name, trigger.name);
            }
        }
    }
}
