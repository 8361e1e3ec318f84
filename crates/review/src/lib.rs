//! Document review algorithms: query language, de-duplication, near-duplicates and email threading.
