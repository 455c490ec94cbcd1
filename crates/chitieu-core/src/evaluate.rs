//! (being written: see ARCHITECTURE.md)
