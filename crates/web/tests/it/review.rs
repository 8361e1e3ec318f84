//! Web tests for review: its pages and API through the router, and its rows in the authorization matrix.
