//! The context every page template receives: language, texts, user, navigation, CSRF.

use super::assets::Assets;
use super::i18n::Messages;
use super::session::{Visitor, Web};
use castellan_domain::{Action, Lang, Resource};
use std::sync::Arc;

/// The signed-in user as the header shows them.
pub struct UserChip {
    /// Name shown.
    pub display_name: String,
    /// First letter, for the avatar.
    pub initial: String,
}

/// One navigation entry.
pub struct NavItem {
    /// Target.
    pub href: &'static str,
    /// Label.
    pub label: &'static str,
    /// The current section.
    pub active: bool,
}

/// A group of navigation entries with a heading.
pub struct NavGroup {
    /// Heading.
    pub heading: &'static str,
    /// Entries.
    pub items: Vec<NavItem>,
}

/// An entry of the language switch.
pub struct LangOption {
    /// Code.
    pub code: &'static str,
    /// Own name.
    pub name: &'static str,
    /// The current language.
    pub active: bool,
}

/// Sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Home.
    Home,
    /// Departments.
    Departments,
    /// Users.
    Users,
    /// The asset register.
    Assets,
    /// Risk assessments.
    Assessments,
    /// The threat catalog.
    Threats,
    /// The user's treatment tasks.
    Tasks,
    /// Vulnerability findings and existing controls.
    Findings,
    /// Roles and permissions.
    Roles,
    /// Audit log.
    Audit,
    /// Own account.
    Account,
}

/// The shared part of every page.
pub struct Page {
    /// Language.
    pub lang: Lang,
    /// Texts.
    pub t: &'static Messages,
    /// Signed-in user.
    pub user: Option<UserChip>,
    /// Navigation (only what the user may open).
    pub nav: Vec<NavGroup>,
    /// CSRF token for forms.
    pub csrf: String,
    /// This page's path and query (for the language switch to come back).
    pub current_path: String,
    /// The language switch.
    pub languages: Vec<LangOption>,
    /// A notice after a successful action.
    pub notice: Option<String>,
    /// Asset paths.
    pub assets: Arc<Assets>,
}

fn languages(current: Lang) -> Vec<LangOption> {
    Lang::ALL
        .iter()
        .map(|l| LangOption {
            code: l.code(),
            name: l.native_name(),
            active: *l == current,
        })
        .collect()
}

impl Page {
    /// The page context of a signed-in user.
    pub fn new(web: &Web, section: Option<Section>, notice: Option<&str>) -> Page {
        let t = web.t();
        let p = &web.auth.principal;
        let item = |href, label, s: Section| NavItem {
            href,
            label,
            active: section == Some(s),
        };
        let overview = vec![
            item("/", t.nav_home, Section::Home),
            item("/tasks", t.nav_tasks, Section::Tasks),
        ];
        let mut organization = Vec::new();
        if p.may_somewhere(Resource::Department, Action::Read) {
            organization.push(item(
                "/departments",
                t.nav_departments,
                Section::Departments,
            ));
        }
        if p.may_somewhere(Resource::User, Action::Read) {
            organization.push(item("/users", t.nav_users, Section::Users));
        }
        organization.push(item("/roles", t.nav_roles, Section::Roles));
        let mut risk = Vec::new();
        if p.may_somewhere(Resource::Asset, Action::Read) {
            risk.push(item("/assets", t.nav_assets, Section::Assets));
        }
        if p.may_somewhere(Resource::Assessment, Action::Read) {
            risk.push(item(
                "/assessments",
                t.nav_assessments,
                Section::Assessments,
            ));
        }
        if p.may_somewhere(Resource::Vulnerability, Action::Read) {
            risk.push(item(
                "/vulnerabilities",
                t.nav_vulnerabilities,
                Section::Findings,
            ));
        }
        if p.may_somewhere(Resource::Threat, Action::Read) {
            risk.push(item("/threats", t.nav_threats, Section::Threats));
        }
        let mut governance = Vec::new();
        if p.may_somewhere(Resource::AuditLog, Action::Read) {
            governance.push(item("/audit", t.nav_audit, Section::Audit));
        }
        let mut nav = vec![
            NavGroup {
                heading: t.nav_group_overview,
                items: overview,
            },
            NavGroup {
                heading: t.nav_group_organization,
                items: organization,
            },
        ];
        if !risk.is_empty() {
            nav.push(NavGroup {
                heading: t.nav_group_assets,
                items: risk,
            });
        }
        if !governance.is_empty() {
            nav.push(NavGroup {
                heading: t.nav_group_governance,
                items: governance,
            });
        }
        let name = p.display_name.clone();
        Page {
            lang: web.lang(),
            t,
            user: Some(UserChip {
                initial: name
                    .chars()
                    .next()
                    .map(|c| c.to_uppercase().collect())
                    .unwrap_or_default(),
                display_name: name,
            }),
            nav,
            csrf: web.auth.csrf_token.clone().unwrap_or_default(),
            current_path: web.visitor.path.clone(),
            languages: languages(web.lang()),
            notice: notice.map(str::to_owned),
            assets: web.visitor.assets.clone(),
        }
    }

    /// The page context of a visitor who is not signed in.
    pub fn anonymous(visitor: &Visitor, csrf: &str) -> Page {
        Page {
            lang: visitor.lang,
            t: visitor.t,
            user: None,
            nav: Vec::new(),
            csrf: csrf.to_owned(),
            current_path: visitor.path.clone(),
            languages: languages(visitor.lang),
            notice: None,
            assets: visitor.assets.clone(),
        }
    }
}
