//! First start: when the database has no user, create the administrator (SPEC §10.1).

use crate::error::Result;
use crate::org::users::{self, GrantInput, NewUserInput};
use crate::{App, Ctx, RequestMeta, secret};
use castellan_store::org::users as store;

/// The administrator created on first start.
#[derive(Debug, Clone)]
pub struct CreatedAdmin {
    /// Their username.
    pub username: String,
    /// The generated password, when none was configured (show it once, never log it).
    pub generated_password: Option<String>,
}

/// Creates the first administrator if the database has no user yet. Uses
/// `admin_user`/`admin_password` from the settings, or generates a password.
pub async fn ensure_admin(app: &App) -> Result<Option<CreatedAdmin>> {
    {
        let mut conn = app.db().read().await?;
        if store::count(&mut conn).await? > 0 {
            return Ok(None);
        }
    }
    let settings = app.settings();
    let (password, generated) = match &settings.admin_password {
        Some(p) => (p.clone(), None),
        None => {
            let p = secret::new_password();
            (p.clone(), Some(p))
        }
    };
    let input = NewUserInput {
        username: settings.admin_user.clone(),
        display_name: "Administrator".into(),
        password,
        roles: vec![GrantInput {
            role: "admin".into(),
            department_id: None,
        }],
        ..NewUserInput::default()
    };
    let ctx = Ctx::system(RequestMeta::default());
    let user = match users::create(app, &ctx, &input).await {
        Ok(user) => user,
        // Another instance created it first.
        Err(crate::Error::Domain(castellan_domain::DomainError::Conflict(_))) => return Ok(None),
        Err(crate::Error::Domain(castellan_domain::DomainError::Validation(errors)))
            if errors.get("username") == Some(&castellan_domain::FieldErrorKind::Taken) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    Ok(Some(CreatedAdmin {
        username: user.username,
        generated_password: generated,
    }))
}
