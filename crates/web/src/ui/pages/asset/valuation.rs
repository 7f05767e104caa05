//! The asset valuation method (SPEC §3.1) on a page: everyone signed in sees which method
//! turns C, I and A into an asset's value; the administrator and the security officer
//! change it, which revalues every asset at once.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::settings;
use castellan_domain::asset::ValuationMethod;
use castellan_domain::permission::Target;
use castellan_domain::{Action, Resource};
use serde::Deserialize;

/// A method to choose.
pub struct MethodOption {
    code: &'static str,
    label: &'static str,
    hint: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "assets/valuation.html")]
struct ValuationPage {
    page: Page,
    tx: &'static texts::Messages,
    methods: Vec<MethodOption>,
    current: String,
    weights: [String; 3],
    version: i64,
    can_update: bool,
    errors: FormErrors,
    error: Option<String>,
    revalued: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    revalued: Option<u64>,
}

fn options(web: &Web, selected: &str) -> Vec<MethodOption> {
    let lang = web.lang();
    let tx = tx(lang);
    [
        (ValuationMethod::default(), tx.valuation_weighted_hint),
        (ValuationMethod::Max, tx.valuation_max_hint),
        (ValuationMethod::Gbt20984, tx.valuation_gbt_hint),
    ]
    .into_iter()
    .map(|(m, hint)| MethodOption {
        code: m.code(),
        label: m.label().get(lang),
        hint,
        selected: m.code() == selected,
    })
    .collect()
}

#[allow(clippy::too_many_arguments)]
async fn render_page(
    state: &AppState,
    web: &Web,
    chosen: Option<(&str, [String; 3])>,
    errors: FormErrors,
    error: Option<String>,
    revalued: Option<u64>,
    status: StatusCode,
) -> Result<Response, Response> {
    let (method, version) = settings::get_valuation(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?;
    let current_weights = match method {
        ValuationMethod::WeightedMean { weights } => weights.map(|w| w.to_string()),
        _ => ["1".into(), "1".into(), "1".into()],
    };
    let (code, weights) = chosen.unwrap_or((method.code(), current_weights));
    let tx = tx(web.lang());
    Ok(render::page_response(
        status,
        &ValuationPage {
            page: Page::new(web, Some(Section::Valuation), None),
            tx,
            methods: options(web, code),
            current: method.label().get(web.lang()).to_owned(),
            weights,
            version,
            can_update: web.auth.principal.is_allowed(
                Resource::Setting,
                Action::Update,
                Target::Global,
            ),
            errors,
            error,
            revalued: revalued.map(|n| tx.valuation_revalued.replace("{n}", &n.to_string())),
        },
    ))
}

/// `GET /settings/valuation`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<Params>,
) -> Result<Response, Response> {
    render_page(
        &state,
        &web,
        None,
        FormErrors::none(),
        None,
        p.revalued,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct ValuationForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    weight_c: String,
    #[serde(default)]
    weight_i: String,
    #[serde(default)]
    weight_a: String,
    #[serde(default)]
    version: String,
}

/// `POST /settings/valuation`: changes the method and revalues every asset.
pub async fn update(
    State(state): State<AppState>,
    form: CsrfForm<ValuationForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let parse = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    let weights = [parse(&f.weight_c), parse(&f.weight_i), parse(&f.weight_a)];
    let version = f.version.trim().parse().unwrap_or(-1);
    match settings::set_valuation(&state.app, &web.ctx(), &f.method, weights, version).await {
        Ok(r) => Ok(
            Redirect::to(&format!("/settings/valuation?revalued={}", r.revalued)).into_response(),
        ),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((mut errors, message)) => {
                // The weights are checked together under `method`.
                if let Some(m) = errors.get("method").map(str::to_owned)
                    && f.method == "weighted_mean"
                {
                    errors.set("weights", &m);
                }
                render_page(
                    &state,
                    &web,
                    Some((
                        f.method.as_str(),
                        [f.weight_c.clone(), f.weight_i.clone(), f.weight_a.clone()],
                    )),
                    errors,
                    message,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}
