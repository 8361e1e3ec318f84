//! Use cases for providers, virtual assistants and agreements; routing work items to a channel; LPO batches, reviewer queues, SLAs, QC and the dashboard.

use crate::{App, Result};

/// Adds this capability's part of the demo firm (called at the end of `App::load_demo`).
pub(crate) async fn demo(_app: &App, _firm: &crate::demo::DemoFirm) -> Result<()> {
    Ok(())
}
