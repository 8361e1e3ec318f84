//! Use cases for the public intake form, the lead pipeline, conflict checks over every stored party and saved conflict reports.

use crate::{App, Result};

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`).
pub(crate) async fn demo(_app: &App, _firm: &crate::demo::DemoFirm) -> Result<()> {
    Ok(())
}
