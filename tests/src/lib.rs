//! Shared helpers for the mock-server tests.
