//! What every handler can reach.

use crate::metrics::Metrics;
use crate::ui::assets::Assets;
use castellan_app::App;
use std::sync::Arc;

/// Shared state of the web layer.
#[derive(Clone)]
pub struct AppState {
    /// The application services.
    pub app: App,
    /// Request counters and timings.
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document, rendered once.
    pub openapi_json: Arc<String>,
    /// Stylesheet and script with their fingerprinted names.
    pub assets: Arc<Assets>,
}
