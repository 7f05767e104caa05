//! The API's JSON shapes. These are the contract (SPEC §2, §10.2), kept apart from the domain
//! types so the domain can change without changing the API by accident.

use castellan_domain::audit::AuditEntry;
use castellan_domain::org::{Department, TokenInfo, User};
use castellan_domain::values::UserStatus;
use castellan_domain::{Grant, Lang, Role, Timestamp};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

/// Deserializes a field that may be absent (`None`), `null` (`Some(None)`) or a value.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Deserializes an optional field that, when present, must not be `null`.
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)?.map(Some).ok_or_else(|| {
        serde::de::Error::custom("this field cannot be null; leave it out to keep the value")
    })
}

/// A schema naming the codes of a coded enum (`$codes` is its `ALL`), nullable or not.
macro_rules! codes {
    ($name:ident, $doc:literal, $codes:expr, $nullable:expr) => {
        #[doc = $doc]
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let mut codes: Vec<serde_json::Value> = $codes
                    .iter()
                    .map(|c| serde_json::Value::from(c.code()))
                    .collect();
                let ty = if $nullable {
                    codes.push(serde_json::Value::Null);
                    utoipa::openapi::schema::SchemaType::from_iter([
                        utoipa::openapi::schema::Type::String,
                        utoipa::openapi::schema::Type::Null,
                    ])
                } else {
                    utoipa::openapi::schema::SchemaType::Type(utoipa::openapi::schema::Type::String)
                };
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(ty)
                    .enum_values(Some(codes))
                    .description(Some($doc))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use codes;

macro_rules! code_schema {
    ($name:ident, $doc:literal, $codes:expr) => {
        #[doc = $doc]
        pub struct $name;
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let codes: Vec<&'static str> = $codes;
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(codes))
                    .description(Some($doc))
                    .into()
            }
        }
        impl ToSchema for $name {}
    };
}

code_schema!(
    RoleCode,
    "A role code (SPEC §1).",
    Role::ALL.iter().map(|r| r.code()).collect()
);
code_schema!(
    UserStatusCode,
    "Account status.",
    UserStatus::ALL.iter().map(|s| s.code()).collect()
);
code_schema!(
    LangCode,
    "A language of the product.",
    Lang::ALL.iter().map(|l| l.code()).collect()
);

/// A language code, or `null` to follow the browser.
pub struct NullableLangCode;

impl PartialSchema for NullableLangCode {
    fn schema() -> RefOr<Schema> {
        let mut codes: Vec<serde_json::Value> = Lang::ALL
            .iter()
            .map(|l| serde_json::Value::from(l.code()))
            .collect();
        codes.push(serde_json::Value::Null);
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .enum_values(Some(codes))
            .description(Some(
                "A language of the product, or null to follow the browser.",
            ))
            .into()
    }
}

impl ToSchema for NullableLangCode {}

/// A department.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    /// System id.
    pub id: i64,
    /// Name, unique among its siblings.
    pub name: String,
    /// Optional code, unique in the organization.
    pub code: Option<String>,
    /// Parent department, `null` for a root.
    pub parent_id: Option<i64>,
    /// The department's head (approves `department_head` steps), `null` for none.
    pub head_id: Option<i64>,
    /// Ids from the root down to this department.
    pub path: Vec<i64>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        DepartmentView {
            id: d.id.0,
            name: d.name,
            code: d.code,
            parent_id: d.parent_id.map(|p| p.0),
            head_id: d.head_id.map(|u| u.0),
            path: d.path.0.iter().map(|p| p.0).collect(),
            version: d.version,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }
}

/// A page of departments.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentList {
    /// The departments.
    pub items: Vec<DepartmentView>,
    /// Cursor of the next page, `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A new department.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentCreate {
    /// Name (1–100 characters).
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Optional code (letters, digits, `.`, `_`, `-`; up to 32).
    #[serde(default)]
    #[schema(max_length = 32, pattern = "^[A-Za-z0-9._-]*$")]
    pub code: Option<String>,
    /// Parent department.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

/// Changes to a department; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DepartmentUpdate {
    /// New name.
    #[serde(default, deserialize_with = "non_null")]
    pub name: Option<String>,
    /// New code, or `null` to remove it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    /// New parent, or `null` to make it a root (moves the subtree).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    /// New head (an active user), or `null` for none.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub head_id: Option<Option<i64>>,
}

/// A role held by a user, optionally limited to a department and its sub-departments.
#[derive(Debug, Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignment {
    /// Role code.
    #[schema(schema_with = RoleCode::schema)]
    pub role: String,
    /// Department the role is limited to; `null` for the whole organization.
    #[serde(default)]
    pub department_id: Option<i64>,
}

impl From<Grant> for RoleAssignment {
    fn from(g: Grant) -> Self {
        RoleAssignment {
            role: g.role.code().to_owned(),
            department_id: g.department_id.map(|d| d.0),
        }
    }
}

impl From<RoleAssignment> for castellan_app::org::users::GrantInput {
    fn from(r: RoleAssignment) -> Self {
        castellan_app::org::users::GrantInput {
            role: r.role,
            department_id: r.department_id,
        }
    }
}

/// A user account (never its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// System id.
    pub id: i64,
    /// Login name (lower case).
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Department.
    pub department_id: Option<i64>,
    /// Job title.
    pub position: Option<String>,
    /// `active` or `disabled`.
    #[schema(schema_with = UserStatusCode::schema)]
    pub status: String,
    /// Roles held.
    pub roles: Vec<RoleAssignment>,
    /// Preferred language, `null` to follow the browser.
    #[schema(schema_with = NullableLangCode::schema)]
    pub language: Option<String>,
    /// Last successful sign-in.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<Timestamp>,
    /// Version for `If-Match`.
    pub version: i64,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Last change.
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id.0,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            department_id: u.department_id.map(|d| d.0),
            position: u.position,
            status: u.status.code().to_owned(),
            roles: u.roles.into_iter().map(RoleAssignment::from).collect(),
            language: u.language.map(|l| l.code().to_owned()),
            last_login_at: u.last_login_at,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// The users.
    pub items: Vec<UserView>,
    /// Cursor of the next page, `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    /// Login name: 2–64 of a–z, 0–9, `.`, `_`, `-` (upper case is folded to lower case).
    #[schema(
        min_length = 2,
        max_length = 64,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._-]+$"
    )]
    pub username: String,
    /// Name shown to others.
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Department.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// Job title.
    #[serde(default)]
    pub position: Option<String>,
    /// Initial password (write-only): at least 12 characters, not containing the username.
    #[schema(write_only, format = Password, min_length = 12, max_length = 1024)]
    pub password: String,
    /// Roles.
    #[serde(default)]
    pub roles: Vec<RoleAssignment>,
    /// Preferred language.
    #[serde(default)]
    #[schema(schema_with = NullableLangCode::schema)]
    pub language: Option<String>,
}

/// Changes to a user; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    /// Name shown to others.
    #[serde(default, deserialize_with = "non_null")]
    pub display_name: Option<String>,
    /// E-mail, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Department, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    /// Job title, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub position: Option<Option<String>>,
    /// `active` or `disabled`; disabling ends all sessions and tokens at once.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(schema_with = UserStatusCode::schema)]
    pub status: Option<String>,
    /// Preferred language, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = NullableLangCode::schema)]
    pub language: Option<Option<String>>,
    /// The complete new list of roles.
    #[serde(default, deserialize_with = "non_null")]
    pub roles: Option<Vec<RoleAssignment>>,
}

/// A new password set by an administrator.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordSet {
    /// The new password (at least 12 characters, not containing the username).
    #[schema(write_only, format = Password)]
    pub password: String,
}

/// Sign-in with username and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username.
    pub username: String,
    /// Password.
    #[schema(write_only, format = Password)]
    pub password: String,
}

/// A bearer token for `Authorization: Bearer <token>`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// The token; shown once.
    pub token: String,
    /// When it stops working.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    /// The signed-in user.
    pub user: UserView,
}

/// Changes to one's own profile.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MeUpdate {
    /// Name shown to others.
    #[serde(default, deserialize_with = "non_null")]
    pub display_name: Option<String>,
    /// E-mail, or `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Preferred language, or `null` to follow the browser.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = NullableLangCode::schema)]
    pub language: Option<Option<String>>,
}

/// A change of one's own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    #[schema(write_only, format = Password)]
    pub current_password: String,
    /// The new password.
    #[schema(write_only, format = Password)]
    pub new_password: String,
}

/// A personal API token (never its secret after creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// System id.
    pub id: i64,
    /// Name given at creation.
    pub name: Option<String>,
    /// First characters of the secret, to recognise it.
    pub prefix: String,
    /// Creation time.
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Expiry, `null` for none.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    /// Last use (updated at most once a minute).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<Timestamp>,
    /// Revocation time.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> Self {
        TokenView {
            id: t.id.0,
            name: t.name,
            prefix: t.prefix,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// The caller's personal tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    /// Newest first.
    pub items: Vec<TokenView>,
    /// Always `null`: the list is complete.
    pub next_cursor: Option<String>,
}

/// A new personal API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    /// A name to recognise it (1–80 characters).
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    /// Days until it expires (1–730); absent for no expiry.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 730)]
    pub expires_in_days: Option<i64>,
}

/// A token just created: the secret is shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    /// The secret, for `Authorization: Bearer`.
    pub token: String,
    /// Its facts.
    pub info: TokenView,
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub at: String,
    /// Acting user id, `null` for the system.
    pub actor_id: Option<i64>,
    /// Acting username.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// Kind of record.
    pub entity_type: String,
    /// Record id.
    pub entity_id: Option<String>,
    /// Snapshot before.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// Snapshot after.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// Client address.
    pub client_ip: Option<String>,
    /// Request id.
    pub request_id: Option<String>,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// Hash of this entry.
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditEntryView {
            seq: e.seq,
            at: e.at,
            actor_id: e.actor_id,
            actor: e.actor,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            before: parse(e.before),
            after: parse(e.after),
            client_ip: e.client_ip,
            request_id: e.request_id,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
}

/// A page of audit entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    /// The entries.
    pub items: Vec<AuditEntryView>,
    /// Cursor of the next (older) page.
    pub next_cursor: Option<String>,
}

/// A text in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct Translated {
    /// English.
    pub en: String,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
}

impl From<castellan_domain::Text> for Translated {
    fn from(t: castellan_domain::Text) -> Self {
        Translated {
            en: t.en.to_owned(),
            zh_cn: t.zh.to_owned(),
        }
    }
}

/// One permission: an action on a resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionView {
    /// Resource code.
    pub resource: String,
    /// Action code.
    pub action: String,
}

/// A role with what it may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleView {
    /// Role code.
    #[schema(schema_with = RoleCode::schema)]
    pub code: String,
    /// Name.
    pub name: Translated,
    /// What the role is for.
    pub summary: Translated,
    /// Everything the role allows (without a department limit).
    pub permissions: Vec<PermissionView>,
}

/// The role catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleList {
    /// Every role.
    pub items: Vec<RoleView>,
    /// Always `null`.
    pub next_cursor: Option<String>,
}

/// Liveness or readiness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable`.
    pub status: String,
}
