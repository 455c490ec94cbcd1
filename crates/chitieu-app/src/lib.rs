//! chitieu's use cases over a [`chitieu_store::Store`]: what the command line, the web app and
//! the reports share. Pure logic stays in `chitieu-core`; this layer fetches what a use case
//! needs from storage, calls the core, and presents the result in Vietnamese.

pub mod exchange;
pub mod import;
pub mod ingest;
pub mod ntm;
pub mod present;
pub mod series;
pub mod status;
pub mod task_ingest;
pub mod tasks;
