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

/// The groups of the navigation, in the order the sidebar shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NavHeading {
    /// Home and one's own work.
    Overview,
    /// Departments, people, roles.
    Organization,
    /// Assets and risk.
    Assets,
    /// Oversight: the audit log.
    Governance,
}

impl NavHeading {
    fn label(self, t: &Messages) -> &'static str {
        match self {
            NavHeading::Overview => t.nav_group_overview,
            NavHeading::Organization => t.nav_group_organization,
            NavHeading::Assets => t.nav_group_assets,
            NavHeading::Governance => t.nav_group_governance,
        }
    }
}

/// One entry an area puts in the navigation (each area lists its own in `NAV`).
#[derive(Debug, Clone, Copy)]
pub struct NavEntry {
    /// The group it belongs to.
    pub heading: NavHeading,
    /// Its place within the group (smaller first).
    pub order: u16,
    /// Target.
    pub href: &'static str,
    /// Its label in the page's language.
    pub label: fn(&Messages) -> &'static str,
    /// The section it opens.
    pub section: Section,
    /// The permission it needs somewhere to be shown; `None`: everyone signed in.
    pub needs: Option<(Resource, Action)>,
}

/// The kernel's entries: home, the permission table, the audit log.
const NAV: &[NavEntry] = &[
    NavEntry {
        heading: NavHeading::Overview,
        order: 0,
        href: "/",
        label: |t| t.nav_home,
        section: Section::Home,
        needs: None,
    },
    NavEntry {
        heading: NavHeading::Organization,
        order: 90,
        href: "/roles",
        label: |t| t.nav_roles,
        section: Section::Roles,
        needs: None,
    },
    NavEntry {
        heading: NavHeading::Governance,
        order: 10,
        href: "/audit",
        label: |t| t.nav_audit,
        section: Section::Audit,
        needs: Some((Resource::AuditLog, Action::Read)),
    },
];

/// Every navigation entry: the kernel's and each area's.
const AREAS: &[&[NavEntry]] = &[
    NAV,
    super::pages::org::NAV,
    super::pages::asset::NAV,
    super::pages::risk::NAV,
    super::pages::request::NAV,
    super::pages::incident::NAV,
    super::pages::rectification::NAV,
    super::pages::document::NAV,
    super::pages::training::NAV,
    super::pages::inspection::NAV,
    super::pages::goal::NAV,
    super::pages::custody::NAV,
    super::pages::continuity::NAV,
];

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
    /// Everything waiting for the user.
    Approvals,
    /// Approval requests.
    Requests,
    /// Security incidents.
    Incidents,
    /// The incident deadlines.
    IncidentDeadlines,
    /// Rectification tasks.
    Rectifications,
    /// Controlled documents.
    Documents,
    /// Security training.
    Training,
    /// Inspections, their plans and checklists.
    Inspections,
    /// Security goals.
    Goals,
    /// Privileged-password custody.
    Custody,
    /// Backup plans, DR plans and drills.
    Continuity,
    /// Approval chains.
    ApprovalChains,
    /// The asset valuation method.
    Valuation,
    /// The working-day calendar.
    Calendar,
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
        let mut entries: Vec<&NavEntry> = AREAS
            .iter()
            .flat_map(|area| area.iter())
            .filter(|e| e.needs.is_none_or(|(r, a)| p.may_somewhere(r, a)))
            .collect();
        entries.sort_by_key(|e| (e.heading, e.order));
        let mut nav: Vec<NavGroup> = Vec::new();
        let mut current: Option<NavHeading> = None;
        for e in entries {
            let item = NavItem {
                href: e.href,
                label: (e.label)(t),
                active: section == Some(e.section),
            };
            match nav.last_mut() {
                Some(group) if current == Some(e.heading) => group.items.push(item),
                _ => {
                    current = Some(e.heading);
                    nav.push(NavGroup {
                        heading: e.heading.label(t),
                        items: vec![item],
                    });
                }
            }
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
