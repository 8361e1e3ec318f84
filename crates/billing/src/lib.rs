//! Time, billing, trust accounting and LEDES e-billing logic.
