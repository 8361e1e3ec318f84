//! Integration tests for the docket crate: rule vectors, properties, the shared FRCP 6 corpus, iCalendar.

mod corpus;
mod ical;
mod properties;
mod tracking;
mod vectors;
