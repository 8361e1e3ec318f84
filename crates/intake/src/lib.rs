//! Client intake and conflict-of-interest name matching.
