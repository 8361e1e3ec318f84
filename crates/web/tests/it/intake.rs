//! Web tests for intake: its pages and API through the router, and its rows in the authorization matrix.
