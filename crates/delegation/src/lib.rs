//! Routing work to in-house staff, virtual assistants or LPO providers: cost engine, routing, SLAs, QC and the advisor.

pub mod advisor;
pub mod batching;
pub mod charts;
pub mod cost;
pub mod model;
pub mod pdf;
pub mod routing;
pub mod sla;
