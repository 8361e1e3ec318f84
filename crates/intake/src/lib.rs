//! Client intake and conflict-of-interest name matching: normalization, scoring, a conflict index.
//!
//! Pure logic, no IO. Start with [`score_names`] for two names, or build a [`ConflictIndex`] from the
//! firm's parties and [`ConflictIndex::search`] it with a prospective client's or adverse party's name.

pub mod bench;
pub mod index;
pub mod normalize;
pub mod score;
pub mod variants;

pub use index::{
    ConflictGroup, ConflictHit, ConflictIndex, ConflictKind, ConflictReport, IndexError, MatterId,
    MatterStatus, PartyId, PartyRecord, PartyRole, SearchOptions,
};
pub use normalize::{NameKind, NormalizedName, normalize};
pub use score::{
    DEFAULT_THRESHOLD, MatchExplanation, MatchRule, TokenMatch, score_names, score_normalized,
};
