//! The threat catalog: the list with its filters, the organization's own threats, and
//! the export.

use super::*;

#[derive(Deserialize, Default)]
pub struct ThreatParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    method: String,
}

struct ThreatRow {
    code: String,
    name: String,
    description: String,
    source: String,
    path: String,
    method: String,
    active: bool,
    builtin: bool,
}

#[derive(Template)]
#[template(path = "threats/list.html")]
struct ThreatsPage {
    page: Page,
    tx: &'static texts::Messages,
    q: String,
    any_filter: bool,
    sources: Vec<CodeOption>,
    paths: Vec<CodeOption>,
    methods: Vec<CodeOption>,
    rows: Vec<ThreatRow>,
    can_add: bool,
    form: ThreatForm,
    form_sources: Vec<CodeOption>,
    form_paths: Vec<CodeOption>,
    form_methods: Vec<CodeOption>,
    errors: FormErrors,
    error: Option<String>,
}

/// The custom-threat form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ThreatForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    description_en: String,
    #[serde(default)]
    description_zh: String,
}

/// `GET /threats`: the whole catalog (a few hundred entries at most), filtered.
pub async fn threat_catalog(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ThreatParams>,
) -> Result<Response, Response> {
    threats_page(
        &state,
        &web,
        p,
        ThreatForm::default(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn threats_page(
    state: &AppState,
    web: &Web,
    p: ThreatParams,
    form: ThreatForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let lang = web.lang();
    let all = threats::all(&state.app, &web.ctx(), false)
        .await
        .map_err(|e| web.fail(e))?;
    let q = p.q.trim().to_lowercase();
    let rows = all
        .into_iter()
        .filter(|x| p.source.is_empty() || x.source.code() == p.source)
        .filter(|x| p.path.is_empty() || x.path.code() == p.path)
        .filter(|x| p.method.is_empty() || x.method.code() == p.method)
        .filter(|x| {
            q.is_empty()
                || x.code.to_lowercase().contains(&q)
                || x.name.en.to_lowercase().contains(&q)
                || x.name.zh.contains(&q)
                || x.description.get(lang).to_lowercase().contains(&q)
        })
        .map(|x| ThreatRow {
            code: x.code.clone(),
            name: x.name.get(lang).to_owned(),
            description: x.description.get(lang).to_owned(),
            source: x.source.label().get(lang).to_owned(),
            path: x.path.label().get(lang).to_owned(),
            method: x.method.label().get(lang).to_owned(),
            active: x.active,
            builtin: x.builtin,
        })
        .collect();
    Ok(render::page_response(
        status,
        &ThreatsPage {
            page: Page::new(web, Some(Section::Threats), None),
            tx: tx(web.lang()),
            any_filter: !(p.q.is_empty()
                && p.source.is_empty()
                && p.path.is_empty()
                && p.method.is_empty()),
            sources: code_options(
                &ThreatSource::ALL,
                ThreatSource::code,
                ThreatSource::label,
                lang,
                &p.source,
            ),
            paths: code_options(
                &ThreatPath::ALL,
                ThreatPath::code,
                ThreatPath::label,
                lang,
                &p.path,
            ),
            methods: code_options(
                &ThreatMethod::ALL,
                ThreatMethod::code,
                ThreatMethod::label,
                lang,
                &p.method,
            ),
            q: p.q,
            rows,
            can_add: web.auth.principal.is_allowed(
                Resource::Threat,
                Action::Create,
                castellan_domain::Target::Global,
            ),
            form_sources: code_options(
                &ThreatSource::ALL,
                ThreatSource::code,
                ThreatSource::label,
                lang,
                &form.source,
            ),
            form_paths: code_options(
                &ThreatPath::ALL,
                ThreatPath::code,
                ThreatPath::label,
                lang,
                &form.path,
            ),
            form_methods: code_options(
                &ThreatMethod::ALL,
                ThreatMethod::code,
                ThreatMethod::label,
                lang,
                &form.method,
            ),
            form,
            errors,
            error,
        },
    ))
}

/// `POST /threats`: a threat of the organization's own.
pub async fn add_threat(
    State(state): State<AppState>,
    form: CsrfForm<ThreatForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = castellan_app::risk::threats::ThreatInput {
        code: f.code.clone(),
        source: f.source.clone(),
        path: f.path.clone(),
        method: f.method.clone(),
        name_en: f.name_en.clone(),
        name_zh: f.name_zh.clone(),
        description_en: f.description_en.clone(),
        description_zh: f.description_zh.clone(),
        active: Some(true),
    };
    match threats::create(&state.app, &web.ctx(), &input).await {
        Ok(t) => Ok(Redirect::to(&format!(
            "/threats?q={}",
            crate::ui::session::urlencode(&t.code)
        ))
        .into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, message)) => {
                threats_page(
                    &state,
                    &web,
                    ThreatParams::default(),
                    f,
                    errors,
                    message,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct ExportParams {
    #[serde(default)]
    format: String,
}

/// `GET /threats/export?format=csv|yaml`: the catalog as a file.
pub async fn export_threats(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ExportParams>,
) -> Result<Response, Response> {
    use axum::http::{HeaderValue, header};
    use castellan_app::risk::threat_transfer::{self, CatalogFormat};
    let format = CatalogFormat::from_code(if p.format.is_empty() {
        "csv"
    } else {
        &p.format
    })
    .ok_or_else(|| {
        web.error_page(
            StatusCode::NOT_FOUND,
            web.t().error_not_found,
            web.t().error_not_found,
        )
    })?;
    let bytes = threat_transfer::export(&state.app, &web.ctx(), format)
        .await
        .map_err(|e| web.fail(e))?;
    let (content_type, name) = match format {
        CatalogFormat::Csv => ("text/csv; charset=utf-8", "threats.csv"),
        CatalogFormat::Yaml => ("application/yaml", "threats.yaml"),
    };
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
