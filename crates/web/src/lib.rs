//! The lawdesk web server: HTML pages, the JSON API and its OpenAPI document.
