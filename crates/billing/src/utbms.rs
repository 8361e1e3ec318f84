//! UTBMS code sets (litigation task codes, activity codes, expense codes) kept as static data.

use serde::Serialize;

/// One UTBMS code with its official name; `parent` is the phase for task sub-codes (e.g. L110 → L100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UtbmsCode {
    pub code: &'static str,
    pub name: &'static str,
    pub parent: Option<&'static str>,
}

const fn phase(code: &'static str, name: &'static str) -> UtbmsCode {
    UtbmsCode { code, name, parent: None }
}

const fn task(code: &'static str, parent: &'static str, name: &'static str) -> UtbmsCode {
    UtbmsCode { code, name, parent: Some(parent) }
}

/// Litigation code set: phases L100–L500 and their tasks L110–L530.
pub const LITIGATION_TASK_CODES: &[UtbmsCode] = &[
    phase("L100", "Case Assessment, Development and Administration"),
    task("L110", "L100", "Fact Investigation/Development"),
    task("L120", "L100", "Analysis/Strategy"),
    task("L130", "L100", "Experts/Consultants"),
    task("L140", "L100", "Document/File Management"),
    task("L150", "L100", "Budgeting"),
    task("L160", "L100", "Settlement/Non-Binding ADR"),
    task("L190", "L100", "Other Case Assessment, Development and Administration"),
    phase("L200", "Pre-Trial Pleadings and Motions"),
    task("L210", "L200", "Pleadings"),
    task("L220", "L200", "Preliminary Injunctions/Provisional Remedies"),
    task("L230", "L200", "Court Mandated Conferences"),
    task("L240", "L200", "Dispositive Motions"),
    task("L250", "L200", "Other Written Motions and Submissions"),
    task("L260", "L200", "Class Action Certification and Notice"),
    phase("L300", "Discovery"),
    task("L310", "L300", "Written Discovery"),
    task("L320", "L300", "Document Production"),
    task("L330", "L300", "Depositions"),
    task("L340", "L300", "Expert Discovery"),
    task("L350", "L300", "Discovery Motions"),
    task("L390", "L300", "Other Discovery"),
    phase("L400", "Trial Preparation and Trial"),
    task("L410", "L400", "Fact Witnesses"),
    task("L420", "L400", "Expert Witnesses"),
    task("L430", "L400", "Written Motions and Submissions"),
    task("L440", "L400", "Other Trial Preparation and Support"),
    task("L450", "L400", "Trial and Hearing Attendance"),
    task("L460", "L400", "Post-Trial Motions and Submissions"),
    task("L470", "L400", "Enforcement"),
    phase("L500", "Appeal"),
    task("L510", "L500", "Appellate Motions and Submissions"),
    task("L520", "L500", "Appellate Briefs"),
    task("L530", "L500", "Oral Argument"),
];

/// Activity code set A101–A111.
pub const ACTIVITY_CODES: &[UtbmsCode] = &[
    phase("A101", "Plan and prepare for"),
    phase("A102", "Research"),
    phase("A103", "Draft/revise"),
    phase("A104", "Review/analyze"),
    phase("A105", "Communicate (in firm)"),
    phase("A106", "Communicate (with client)"),
    phase("A107", "Communicate (other outside counsel)"),
    phase("A108", "Communicate (other external)"),
    phase("A109", "Appear for/attend"),
    phase("A110", "Manage data/files"),
    phase("A111", "Other"),
];

/// Expense code set E101–E124.
pub const EXPENSE_CODES: &[UtbmsCode] = &[
    phase("E101", "Copying"),
    phase("E102", "Outside printing"),
    phase("E103", "Word processing"),
    phase("E104", "Facsimile"),
    phase("E105", "Telephone"),
    phase("E106", "Online research"),
    phase("E107", "Delivery services/messengers"),
    phase("E108", "Postage"),
    phase("E109", "Local travel"),
    phase("E110", "Out-of-town travel"),
    phase("E111", "Meals"),
    phase("E112", "Court fees"),
    phase("E113", "Subpoena fees"),
    phase("E114", "Witness fees"),
    phase("E115", "Deposition transcripts"),
    phase("E116", "Trial transcripts"),
    phase("E117", "Trial exhibits"),
    phase("E118", "Litigation support vendors"),
    phase("E119", "Experts"),
    phase("E120", "Private investigators"),
    phase("E121", "Arbitrators/mediators"),
    phase("E122", "Local counsel"),
    phase("E123", "Other professionals"),
    phase("E124", "Other"),
];

fn find(set: &'static [UtbmsCode], code: &str) -> Option<&'static UtbmsCode> {
    set.iter().find(|c| c.code.eq_ignore_ascii_case(code.trim()))
}

/// Looks up a litigation phase or task code (case-insensitive).
pub fn task_code(code: &str) -> Option<&'static UtbmsCode> {
    find(LITIGATION_TASK_CODES, code)
}

/// Looks up an activity code (case-insensitive).
pub fn activity_code(code: &str) -> Option<&'static UtbmsCode> {
    find(ACTIVITY_CODES, code)
}

/// Looks up an expense code (case-insensitive).
pub fn expense_code(code: &str) -> Option<&'static UtbmsCode> {
    find(EXPENSE_CODES, code)
}

/// The tasks that belong to a phase such as `L300`.
pub fn tasks_in_phase(phase_code: &str) -> impl Iterator<Item = &'static UtbmsCode> + '_ {
    LITIGATION_TASK_CODES
        .iter()
        .filter(move |c| c.parent.is_some_and(|p| p.eq_ignore_ascii_case(phase_code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_sets_have_the_expected_sizes_and_lookups() {
        assert_eq!(ACTIVITY_CODES.len(), 11);
        assert_eq!(EXPENSE_CODES.len(), 24);
        assert_eq!(LITIGATION_TASK_CODES.iter().filter(|c| c.parent.is_none()).count(), 5);
        assert_eq!(task_code("l510").map(|c| c.parent), Some(Some("L500")));
        assert_eq!(activity_code("A102").map(|c| c.name), Some("Research"));
        assert_eq!(expense_code("E110").map(|c| c.name), Some("Out-of-town travel"));
        assert!(expense_code("E125").is_none());
        assert_eq!(tasks_in_phase("L300").count(), 6);
    }

    #[test]
    fn every_task_parent_is_a_phase() {
        for code in LITIGATION_TASK_CODES {
            if let Some(parent) = code.parent {
                assert!(task_code(parent).is_some_and(|p| p.parent.is_none()), "{}", code.code);
            }
        }
    }
}
