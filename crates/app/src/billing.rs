//! Use cases for time, expenses, rates, the billing cycle, payments, trust accounting and LEDES export.

use crate::{App, Result};

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`).
pub(crate) async fn demo(_app: &App, _firm: &crate::demo::DemoFirm) -> Result<()> {
    Ok(())
}
