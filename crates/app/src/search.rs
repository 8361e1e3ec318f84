//! Use cases for searching a matter's document collection: indexing reviewed documents and running
//! reviewers' queries with the matter's visibility rules applied.
