//! Use cases for document collections: ingest, processing jobs, the search index and review workflows.

use crate::{App, Result};

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`).
pub(crate) async fn demo(_app: &App, _firm: &crate::demo::DemoFirm) -> Result<()> {
    Ok(())
}
