//! The UI texts the areas share with each other and with the kernel (layout, navigation,
//! common words, errors), in both languages; each area keeps its own in
//! `pages/<area>/texts.rs`. Each key is written once with its English and Chinese text side
//! by side; a key missing in either language does not compile, so no page can fall back to
//! the other language.

use castellan_domain::{Conflict, DomainError, FieldErrorKind, Lang};

/// Declares a text catalog (`Messages`, `EN`, `ZH`, `catalog`) in the module that invokes
/// it: the central one here, and each area's own (`pages/<area>/texts.rs`).
macro_rules! text_catalog {
    ($($key:ident: $en:literal, $zh:literal;)*) => {
        /// The UI texts of one language.
        #[allow(missing_docs)]
        pub struct Messages {
            $(pub $key: &'static str,)*
        }

        /// English.
        pub static EN: Messages = Messages { $($key: $en,)* };
        /// Simplified Chinese.
        pub static ZH: Messages = Messages { $($key: $zh,)* };

        /// Every text as (key, English, Chinese), for checks that pages do not mix
        /// languages.
        pub fn catalog() -> Vec<(&'static str, &'static str, &'static str)> {
            vec![$((stringify!($key), $en, $zh),)*]
        }
    };
}

pub(crate) use text_catalog;

text_catalog! {
    // Product and layout
    product_tagline: "Information security management", "信息安全管理平台";
    nav_label: "Main navigation", "主导航";
    breadcrumbs: "Breadcrumbs", "当前位置";
    nav_group_overview: "Overview", "概览";
    nav_group_organization: "Organization", "组织";
    nav_group_governance: "Governance", "治理";
    nav_home: "Home", "首页";
    nav_approvals: "Waiting for me", "待我处理";
    department_head: "Department head", "部门负责人";
    nav_requests: "Requests & approvals", "申请与审批";
    nav_incidents: "Security incidents", "安全事件";
    nav_incident_deadlines: "Incident deadlines", "事件处置时限";
    nav_rectifications: "Rectification tasks", "整改任务";
    nav_documents: "Policies & documents", "制度文件";
    nav_training: "Security training", "安全培训";
    nav_inspections: "Inspections", "安全检查";
    nav_goals: "Security goals", "安全目标";
    nav_custody: "Password custody", "特权密码保管";
    nav_continuity: "Continuity", "业务连续性";
    documents_review_due: "Documents to review within 30 days", "30 天内需复审的文件";
    nav_chains: "Approval chains", "审批流程";
    nav_calendar: "Working-day calendar", "工作日历";
    nav_departments: "Departments", "部门";
    nav_users: "Users", "用户";
    nav_roles: "Roles & permissions", "角色与权限";
    nav_audit: "Audit log", "审计日志";
    nav_group_assets: "Assets & risk", "资产与风险";
    nav_assets: "Asset register", "资产台账";
    asset_code: "Asset ID", "资产编号";
    category: "Category", "类别";
    owner: "Responsible person", "责任人";
    custodian: "User / keeper", "使用人";
    location: "Location", "位置";
    zone: "Security zone", "安全域";
    classification: "Classification", "数据分级";
    confidentiality: "Confidentiality", "机密性";
    integrity: "Integrity", "完整性";
    availability: "Availability", "可用性";
    asset_value: "Value", "资产价值";
    value_level: "Value level", "价值等级";
    tags: "Tags", "标签";
    notes: "Notes", "备注";
    event_recorded: "The lifecycle event was recorded.", "生命周期事件已登记。";
    choose: "Choose…", "请选择…";
    ipd_value: "The cell holds “{value}”", "内容：「{value}」";
    ipd_first_line: "first on line {n}", "首次出现在第 {n} 行";
    ipd_allowed: "allowed: {list}", "可填：{list}";
    ipd_range: "allowed: {min} to {max}", "允许范围：{min}–{max}";
    ipd_max_chars: "at most {n} characters", "最多 {n} 个字符";
    ipd_min_chars: "at least {n} characters", "至少 {n} 个字符";
    ipd_cell: "cell {cell}", "单元格 {cell}";
    ipd_limit: "limit: {n}", "上限：{n}";
    ip_limit_part_size: "The workbook unpacks to more than the import accepts in one of its parts. Split the table into smaller files.", "工作簿中某一部分解压后超出导入允许的大小，请把表格拆分为几个较小的文件。";
    ip_limit_rows: "The table has more rows than one import accepts. Split it into smaller files.", "表格行数超出单次导入的上限，请拆分为几个较小的文件。";
    ip_limit_columns: "A row has more columns than the import accepts.", "某一行的列数超出导入允许的上限。";
    ip_limit_cell_length: "A cell holds more characters than a spreadsheet cell can.", "某个单元格的字符数超出电子表格单元格的上限。";
    ip_limit_shared_strings: "The workbook holds more different texts than the import accepts. Split it into smaller files.", "工作簿中不同文本的数量超出导入允许的上限，请拆分为几个较小的文件。";
    ip_limit_shared_strings_size: "The texts of the workbook unpack to more than the import accepts. Split it into smaller files.", "工作簿中的文本解压后超出导入允许的大小，请拆分为几个较小的文件。";
    ip_limit_row_size: "A row holds more text than the import accepts. Shorten its long texts or leave some out.", "某一行的文本总量超出导入允许的上限，请缩短其中的长文本或删去部分内容。";
    ip_limit_text_size: "The table holds more text than one import accepts. Split it into smaller files.", "表格的文本总量超出单次导入的上限，请拆分为几个较小的文件。";
    ip_required: "The cell is empty but required.", "必填项为空。";
    ip_unknown_value: "The value is not one of the allowed codes or labels.", "取值不在允许的代码或名称范围内。";
    ip_out_of_range: "The number is out of range (ratings are 1–5).", "数值超出范围（赋值为 1–5）。";
    ip_invalid: "The value is not valid.", "取值无效。";
    ip_too_long: "The text is too long.", "内容过长。";
    ip_too_short: "The text is too short.", "内容过短。";
    ip_duplicate_in_file: "This asset ID appears more than once in the file.", "资产编号在文件中重复出现。";
    ip_exists: "An asset with this ID is already registered.", "该资产编号已登记。";
    ip_no_such_department: "No department has this name or code.", "没有该名称或编码的部门。";
    ip_ambiguous_department: "Several departments have this name; use the department code.", "有多个同名部门，请填写部门编码。";
    ip_no_such_user: "No user has this username.", "没有该用户名的用户。";
    ip_forbidden: "You may not register or change assets in this department.", "您无权在该部门登记或修改资产。";
    ip_missing_column: "A required column is missing.", "缺少必需的列。";
    ip_unknown_column: "The column is not one of the asset columns.", "该列不是资产的列。";
    ip_duplicate_column: "The column appears twice.", "该列出现了两次。";
    ip_no_rows: "The file has a header row but no data.", "文件只有表头，没有数据行。";
    ip_empty_file: "The file is empty.", "文件为空。";
    ip_too_large: "The file is too large.", "文件过大。";
    ip_bad_encoding: "The text is neither UTF-8 nor GBK; save it again as \"CSV UTF-8\".", "文本既不是 UTF-8 也不是 GBK，请另存为“CSV UTF-8”后重试。";
    ip_malformed: "The CSV structure is broken (a stray quote or a wrong number of cells).", "CSV 格式有误（引号不匹配或列数不对）。";
    ip_formula: "The sheet contains formulas; paste it as values only.", "工作表含有公式，请“选择性粘贴为数值”后重试。";
    ip_merged_cells: "The sheet has merged cells; unmerge them and fill in every cell.", "工作表有合并单元格，请取消合并并填满每个单元格。";
    ip_bad_workbook: "The file is not a readable Excel workbook.", "文件不是可读取的 Excel 工作簿。";
    export_csv: "Export CSV", "导出 CSV";
    nav_account: "My account", "我的账号";
    sign_in: "Sign in", "登录";
    sign_out: "Sign out", "退出";
    language: "Language", "语言";
    pagination: "Pages", "分页";
    first_page: "First page", "第一页";
    next_page: "Next page", "下一页";
    prev_page: "Previous", "上一页";
    back_home: "Back to the home page", "返回首页";

    // Common words
    name: "Name", "名称";
    code: "Code", "编码";
    details: "Details", "基本信息";
    edit: "Edit", "编辑";
    save: "Save", "保存";
    cancel: "Cancel", "取消";
    search: "Search", "搜索";
    filter: "Filter", "筛选";
    clear: "Clear", "清除";
    status: "Status", "状态";
    created_at: "Created", "创建时间";
    updated_at: "Last changed", "最近修改";
    history: "History", "变更记录";
    history_empty: "Nothing recorded yet.", "暂无记录。";
    field: "Field", "字段";
    before: "Before", "修改前";
    after: "After", "修改后";
    nothing_found: "Nothing matches these filters.", "没有符合条件的记录。";
    nothing_found_hint: "Try fewer filters or another search text.", "请减少筛选条件或换一个关键词。";
    never: "Never", "从不";
    empty_value: "(empty)", "（空）";
    yes: "Yes", "是";
    total: "Total", "合计";
    no: "No", "否";

    // Sign-in
    username: "Username", "用户名";
    login_failed: "The username or password is not correct.", "用户名或密码不正确。";
    login_throttled: "Too many failed attempts. Try again in {n} minutes.", "失败次数过多，请在 {n} 分钟后重试。";
    session_expired: "Your session has ended. Please sign in again.", "会话已结束，请重新登录。";
    csrf_failed: "The form expired or did not come from this site. Reload the page and try again.", "表单已过期或来源不正确，请刷新页面后重试。";

    // Home
    greeting: "Welcome, {name}", "{name}，您好";
    home_intro: "Your security organization at a glance.", "安全管理组织概况。";
    my_roles: "My roles", "我的角色";
    no_roles_yet: "You hold no role yet. An administrator assigns roles.", "您尚未被分配角色，请联系系统管理员。";
    recent_activity: "Recent activity", "最近操作";
    open_audit_log: "Open the audit log", "查看审计日志";
    setup_title: "Set up your security organization", "建立安全管理组织";
    setup_departments: "Create the department tree", "建立部门结构";
    setup_departments_hint: "Company, departments and teams.", "公司、部门与团队。";
    setup_users: "Add the people", "添加人员";
    setup_users_hint: "Committee members, the security team and staff.", "领导小组成员、安全团队和员工。";
    setup_roles: "Review roles and permissions", "查看角色与权限";
    setup_roles_hint: "Who may do what, limited to a department where needed.", "明确各角色的权限，必要时限定部门范围。";
    setup_officer: "Name the security officer", "指定安全管理负责人";
    setup_officer_hint: "Give someone the security officer role: they run the ISMS processes and approve assessments.", "为某位人员分配“安全管理负责人”角色：负责运行信息安全管理流程并审批风险评估。";
    setup_valuation: "Choose how assets are valued", "选择资产赋值方法";
    setup_valuation_hint: "How confidentiality, integrity and availability make an asset's value.", "确定机密性、完整性、可用性如何计算资产价值。";
    setup_assets: "Import the asset register", "导入资产台账";
    setup_assets_hint: "From a spreadsheet (CSV or XLSX, Chinese or English headers).", "从电子表格导入（CSV 或 XLSX，中英文表头均可）。";
    valuation_title: "Asset valuation method", "资产赋值方法";
    scope_whole: "Whole organization", "全组织";
    scope_in: "Limited to {dept}", "限于：{dept}";

    // Departments
    parent_department: "Parent department", "上级部门";

    // Users
    all_departments: "All departments", "全部部门";
    all_statuses: "All statuses", "全部状态";
    display_name: "Name", "姓名";
    email: "E-mail", "邮箱";
    department: "Department", "部门";
    position: "Position", "职位";
    roles: "Roles", "角色";
    sort_by: "Sort by", "排序";

    // Roles
    roles_intro: "What each role may do. Assignments can be limited to a department and its sub-departments.", "各角色的权限。角色分配可以限定在某个部门及其下级部门。";
    resource: "Area", "对象";
    action: "Action", "操作";
    everyone: "every signed-in user", "所有登录用户";
    allowed: "Allowed", "允许";
    not_allowed: "Not allowed", "不允许";
    scope_explained: "A role limited to a department applies to that department and everything below it. Organization-wide matters (the audit log, top-level departments) need the role without a limit.", "限定部门的角色只对该部门及其下级部门有效；全组织范围的事项（如审计日志、顶级部门）需要不限部门的角色。";

    // Audit
    audit_intro: "Every change, who made it and when. Entries are chained by hashes, so an edit or a deletion is detected.", "记录每一次变更及其操作人和时间。各条记录以哈希值链接，任何篡改或删除都能被发现。";
    verify_chain: "Verify the chain", "校验完整性";
    chain_intact: "The audit log is intact.", "审计日志完整，未被篡改。";
    chain_intact_detail: "{n} entries checked. Last hash: {hash}", "已校验 {n} 条记录。最新哈希：{hash}";
    chain_broken: "The audit log has been tampered with.", "审计日志已被篡改！";
    chain_broken_detail: "First bad entry: #{seq}.", "第一条异常记录：#{seq}。";
    all_entities: "All records", "全部对象";
    all_actions: "All actions", "全部操作";
    record_id: "Record id", "记录编号";
    from: "From", "从";
    to: "to", "至";
    time: "Time", "时间";
    actor: "By", "操作人";
    entity: "Record", "对象";
    changes: "Changes", "变更内容";

    // Account
    token_prefix: "Begins with", "开头";
    expires: "Expires", "到期";
    last_used: "Last used", "最近使用";
    revoke: "Revoke", "吊销";

    // Notices after an action
    notice_created: "Created.", "已创建。";
    notice_saved: "Saved.", "已保存。";
    notice_deleted: "Deleted.", "已删除。";
    notice_password_set: "The new password is set; the user's sessions have ended.", "新密码已设置，该用户的会话均已结束。";
    notice_password_changed: "Your password is changed.", "密码已修改。";
    notice_token_revoked: "The token is revoked.", "令牌已吊销。";

    // Errors
    error_forbidden_title: "Not allowed", "无权访问";
    error_forbidden: "Your roles do not allow this.", "您的角色无权执行此操作。";
    error_not_found_title: "Not found", "未找到";
    error_not_found: "This page or record does not exist, or no longer does.", "该页面或记录不存在或已被删除。";
    error_conflict_title: "Cannot do that now", "暂时无法执行";
    error_stale: "Someone else changed this record after you opened it. Your changes were not saved; review the current version and try again.", "您打开后该记录已被他人修改，您的修改未保存。请查看最新内容后重试。";
    error_invalid: "Some fields need attention.", "部分内容需要修改。";
    error_bad_request: "The request could not be understood.", "无法处理该请求。";
    error_too_large: "What you sent is too large.", "提交的内容过大。";
    error_internal_title: "Something went wrong", "系统出错";
    error_internal: "Something went wrong on our side. The error was logged; please try again.", "系统内部出错，已记录日志，请稍后重试。";

    // Field errors
    fe_required: "This field is required.", "此项为必填项。";
    fe_too_short: "Use at least {n} characters.", "至少需要 {n} 个字符。";
    fe_too_long: "Use at most {n} characters.", "最多 {n} 个字符。";
    fe_unknown_value: "Choose one of the offered values.", "请从列表中选择。";
    fe_out_of_range: "Enter a number from {min} to {max}.", "请输入 {min} 到 {max} 之间的数字。";
    fe_taken: "This is already in use.", "该值已被使用。";
    fe_no_such_record: "The chosen record does not exist.", "所选记录不存在。";
    fe_password_contains_username: "The password must not contain the username.", "密码不能包含用户名。";
    fe_wrong_password: "This is not your current password.", "当前密码不正确。";
    fe_duplicate: "This is listed twice.", "存在重复项。";

    // Conflicts
    nav_assessments: "Risk assessments", "风险评估";
    nav_threats: "Threat catalog", "威胁库";
    phase: "Phase", "阶段";
    risk_method: "Method", "计算方法";
    planned_period: "Planned period", "计划时间";
    planned_start: "Planned start", "计划开始";
    planned_end: "Planned end", "计划结束";
    description: "Description", "说明";
    acceptance_threshold: "Acceptance threshold", "可接受风险阈值";
    team: "Assessment team", "评估小组";
    scope_departments: "Departments in scope", "评估范围（部门）";
    scope_assets: "Assets in scope", "评估范围（资产）";
    risk_register: "Risk register", "风险清单";
    comment: "Comment", "意见";
    risk_tables_version: "Risk tables", "风险分级表版本";
    created_by: "Created by", "创建人";
    heat_map: "Risk heat map", "风险热力图";
    residual_heat_map: "Residual risk", "残余风险分布";
    assessment_area: "Area", "测评内容";
    check_done: "Done", "已完成";
    workflow_timeline: "Workflow", "流转记录";
    register_order: "Highest risk first; unrated risks last.", "按风险从高到低排列，未评价的风险排在最后。";
    risk_level: "Risk level", "风险等级";
    asset: "Asset", "资产";
    threat: "Threat", "威胁";
    treatment: "Treatment", "处置方式";
    awaiting_committee: "Awaiting committee", "待领导小组批准";
    committee_approval: "Committee approval", "领导小组批准";
    threshold_rule: "Keeping or accepting a risk at or above the acceptance threshold needs the committee's approval.", "达到或超过可接受阈值的风险，若选择保持或接受，须经领导小组批准。";
    residual_acceptance: "Committee acceptance", "领导小组接受";
    residual_threat_frequency: "Residual T", "残余威胁频率 T";
    residual_vulnerability_severity: "Residual V", "残余脆弱性 V";
    threat_frequency: "Threat frequency", "威胁频率";
    vulnerability_severity: "Vulnerability severity", "脆弱性严重程度";
    threat_source: "Source", "威胁来源";
    threat_path: "Path", "威胁途径";
    threat_method: "Method", "威胁方式";
    notice_moved: "The assessment has moved on.", "评估已流转。";
    submitted_by: "Submitted by", "提交人";
    likelihood_value: "Likelihood value", "可能性值";
    likelihood_level: "Likelihood level", "可能性等级";
    loss_value: "Loss value", "损失值";
    loss_level: "Loss level", "损失等级";
    risk_value: "Risk value", "风险值";
    technique: "Technique", "测评方式";
    n_items: "{n} entries", "{n} 项";
    rp_title_assessment: "Risk assessment report", "风险评估报告";
    rp_title_treatment: "Risk treatment plan", "风险处置计划";
    rp_title_residual: "Residual risk assessment report", "残余风险评估报告";
    rp_generated: "Generated", "生成于";
    rp_overview: "1. Assessment overview", "一、评估概况";
    rp_method: "2. Method and grading tables", "二、评估方法与分级标准";
    rp_assets: "3. Assets and their values", "三、资产识别与赋值";
    rp_threats: "4. Threats", "四、威胁识别";
    rp_vulnerabilities: "5. Vulnerabilities", "五、脆弱性识别";
    rp_controls: "6. Existing security controls", "六、已有安全措施";
    rp_register: "7. Risk analysis", "七、风险分析";
    rp_approvals: "Approvals", "审批记录";
    rp_treatment_decisions: "2. Treatment decisions", "二、风险处置决策";
    rp_plan_items: "3. Treatment measures", "三、处置措施计划";
    rp_residual_register: "2. Residual risks", "二、残余风险评价";
    rp_likelihood_loss: "Likelihood \\ loss", "可能性 \\ 损失";
    rp_assets_count: "Assets covered", "涉及资产数";
    rp_risks_count: "Risks", "风险数";
    rp_method_multiplication: "Likelihood value = T × V and loss value = A × V, each graded by its table; risk value = likelihood level × loss level, graded by the risk table (GB/T 20984, Annex A).", "可能性值 = T × V，损失值 = A × V，分别按分级表定级；风险值 = 可能性等级 × 损失等级，按风险分级表定级（GB/T 20984 附录 A 相乘法）。";
    rp_method_matrix: "Likelihood value from the (V, T) matrix, loss value from the (V, A) matrix, each graded by its table; risk value from the (likelihood level, loss level) matrix, graded by the risk table (GB/T 20984 matrix method).", "可能性值由 (V, T) 矩阵得出，损失值由 (V, A) 矩阵得出，分别按分级表定级；风险值由 (可能性等级, 损失等级) 矩阵得出，按风险分级表定级（GB/T 20984 矩阵法）。";
    rp_method_sqrt: "Likelihood value = √(T × V) and loss value = √(A × V), rounded to two decimals, their levels rounded to whole numbers; risk value = likelihood value × loss value, graded by the risk table.", "可能性值 = √(T × V)，损失值 = √(A × V)，保留两位小数，其等级取四舍五入的整数；风险值 = 可能性值 × 损失值，按风险分级表定级。";
    rp_grading_tables: "Grading tables", "分级表";
    rp_level: "Level", "等级";
    rp_likelihood_matrix: "Likelihood matrix", "可能性矩阵";
    rp_loss_matrix: "Loss matrix", "损失矩阵";
    rp_risk_matrix: "Risk matrix", "风险矩阵";
    rp_step: "Step", "环节";
    rp_by: "By", "处理人";
    rp_at: "When", "时间";
    rp_finding: "Finding", "脆弱性";
    rp_severity: "Severity", "严重程度";
    rp_found_by: "Found by", "发现方式";
    rp_reference: "Reference", "编号";
    rp_control_kind: "Kind", "类型";
    rp_effectiveness: "Effectiveness", "有效性";
    rp_organization_wide: "Organization-wide", "全组织";
    rp_measure: "Measure", "处置措施";
    rp_responsible: "Responsible", "责任人";
    rp_due: "Due", "完成期限";
    rp_progress: "Progress", "进展";
    rp_overdue: "overdue", "已逾期";
    rp_original_level: "Level before treatment", "处置前等级";
    nav_tasks: "My treatment tasks", "我的处置任务";
    overdue: "Overdue", "已逾期";
    rp_committee_decisions: "Committee decisions on risks", "领导小组对风险的决定";
    rp_decision: "Decision", "决定";
    rp_asset_list: "Assets", "资产清单";
    rp_threat_list: "Threats", "威胁清单";
    rp_vulnerability_list: "Vulnerabilities", "脆弱性清单";
    rp_control_list: "Controls", "安全措施清单";
    rp_none: "none", "无";
    nav_vulnerabilities: "Vulnerabilities", "脆弱性";
    nav_controls: "Existing controls", "已有安全措施";
    open_assessments: "Risk assessments in progress", "进行中的风险评估";
    fe_role_required: "Choose someone who holds the role {roles}.", "请选择持有“{roles}”角色的人员。";
    fe_role_required_org: "Choose someone who holds the role {roles} for the whole organization: a role limited to a department does not reach organization-wide work such as a risk assessment.", "请选择在全组织范围持有“{roles}”角色的人员：限定部门的角色不适用于风险评估这类全组织范围的工作。";
}

/// Every text of the UI, the central catalog's and each area's, as (key, English, Chinese).
pub fn all_texts() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut all = catalog();
    for area in crate::ui::pages::AREA_TEXTS {
        all.extend(area());
    }
    all
}

/// The texts of `lang`.
pub fn messages(lang: Lang) -> &'static Messages {
    match lang {
        Lang::En => &EN,
        Lang::ZhCn => &ZH,
    }
}

/// Replaces `{name}` in a text.
pub fn fill(text: &str, name: &str, value: impl std::fmt::Display) -> String {
    text.replace(&format!("{{{name}}}"), &value.to_string())
}

/// A field error in `lang`.
pub fn field_error(lang: Lang, kind: &FieldErrorKind) -> String {
    let t = messages(lang);
    match kind {
        FieldErrorKind::Required => t.fe_required.into(),
        FieldErrorKind::TooShort { min } => fill(t.fe_too_short, "n", min),
        FieldErrorKind::TooLong { max } => fill(t.fe_too_long, "n", max),
        FieldErrorKind::Invalid { hint } => sentence(lang, hint.get(lang)),
        FieldErrorKind::UnknownValue { .. } => t.fe_unknown_value.into(),
        FieldErrorKind::OutOfRange { min, max } => {
            fill(&fill(t.fe_out_of_range, "min", min), "max", max)
        }
        FieldErrorKind::Taken => t.fe_taken.into(),
        FieldErrorKind::NoSuchRecord => t.fe_no_such_record.into(),
        FieldErrorKind::PasswordContainsUsername => t.fe_password_contains_username.into(),
        FieldErrorKind::WrongPassword => t.fe_wrong_password.into(),
        FieldErrorKind::RoleRequired {
            roles,
            organization_wide,
        } => {
            let names: Vec<&str> = roles.iter().map(|r| r.name(lang)).collect();
            let sep = match lang {
                Lang::En => " or ",
                Lang::ZhCn => "或",
            };
            let text = if *organization_wide {
                t.fe_role_required_org
            } else {
                t.fe_role_required
            };
            fill(text, "roles", names.join(sep))
        }
        FieldErrorKind::Duplicate => t.fe_duplicate.into(),
    }
}

/// A rule's hint as a sentence of its own: capitalized, with a full stop.
fn sentence(lang: Lang, hint: &str) -> String {
    let mut chars = hint.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    match lang {
        Lang::En if !out.ends_with('.') => out.push('.'),
        Lang::ZhCn if !out.ends_with('。') => out.push('。'),
        _ => {}
    }
    out
}

/// A conflict in `lang` (each area declares its conflicts' messages in both languages).
pub fn conflict(lang: Lang, c: Conflict) -> &'static str {
    c.message().get(lang)
}

/// A one-line message for a domain error (forms show field errors separately).
pub fn domain_error(lang: Lang, e: &DomainError) -> String {
    let t = messages(lang);
    match e {
        DomainError::Validation(_) => t.error_invalid.into(),
        DomainError::BadRequest(_) => t.error_bad_request.into(),
        DomainError::NotFound { .. } => t.error_not_found.into(),
        DomainError::Conflict(c) => conflict(lang, *c).into(),
        DomainError::StaleVersion { .. } | DomainError::PreconditionRequired => {
            t.error_stale.into()
        }
        DomainError::Unauthenticated => t.session_expired.into(),
        DomainError::InvalidCredentials => t.login_failed.into(),
        DomainError::Forbidden { .. } => t.error_forbidden.into(),
        DomainError::Throttled { retry_after_secs } => {
            fill(t.login_throttled, "n", retry_after_secs.div_ceil(60).max(1))
        }
        DomainError::PayloadTooLarge { .. } => t.error_too_large.into(),
    }
}

/// The label of a stored audit action (declared by the kernel or an area,
/// `castellan_domain::audit::actions`); a code nobody declares shows as it is.
pub fn audit_action(lang: Lang, code: &str) -> String {
    castellan_domain::audit::action_label(code)
        .map_or_else(|| code.to_owned(), |l| l.get(lang).to_owned())
}

/// The label of a stored kind of audited record (`castellan_domain::audit::records`).
pub fn audit_entity(lang: Lang, code: &str) -> String {
    castellan_domain::audit::record_label(code)
        .map_or_else(|| code.to_owned(), |l| l.get(lang).to_owned())
}

/// The general explanation of an import problem, by its code.
pub fn import_problem(t: &Messages, code: &str) -> Option<&'static str> {
    Some(match code {
        "required" => t.ip_required,
        "unknown_value" => t.ip_unknown_value,
        "out_of_range" => t.ip_out_of_range,
        "invalid" => t.ip_invalid,
        "too_long" => t.ip_too_long,
        "too_short" => t.ip_too_short,
        "duplicate_in_file" => t.ip_duplicate_in_file,
        "exists" => t.ip_exists,
        "no_such_department" => t.ip_no_such_department,
        "ambiguous_department" => t.ip_ambiguous_department,
        "no_such_user" => t.ip_no_such_user,
        "forbidden" => t.ip_forbidden,
        "missing_column" => t.ip_missing_column,
        "unknown_column" => t.ip_unknown_column,
        "duplicate_column" => t.ip_duplicate_column,
        "no_rows" => t.ip_no_rows,
        "empty_file" => t.ip_empty_file,
        "too_large" => t.ip_too_large,
        "bad_encoding" => t.ip_bad_encoding,
        "malformed" => t.ip_malformed,
        "formula" => t.ip_formula,
        "merged_cells" => t.ip_merged_cells,
        "bad_workbook" => t.ip_bad_workbook,
        "limit_part_size" => t.ip_limit_part_size,
        "limit_rows" => t.ip_limit_rows,
        "limit_columns" => t.ip_limit_columns,
        "limit_cell_length" => t.ip_limit_cell_length,
        "limit_shared_strings" => t.ip_limit_shared_strings,
        "limit_shared_strings_size" => t.ip_limit_shared_strings_size,
        "limit_row_size" => t.ip_limit_row_size,
        "limit_text_size" => t.ip_limit_text_size,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages_and_placeholders_match() {
        for (key, en, zh) in all_texts() {
            assert!(
                !en.trim().is_empty() && !zh.trim().is_empty(),
                "{key} is empty"
            );
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_owned()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(en), holes(zh), "{key}: placeholders differ");
            // The Chinese text is really Chinese (no untranslated English sentence).
            if zh.chars().any(|c| c.is_ascii_alphabetic())
                && !zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            {
                assert!(
                    en == zh || zh.len() < 8,
                    "{key}: Chinese text looks untranslated: {zh}"
                );
            }
        }
    }

    #[test]
    fn domain_hints_are_translated() {
        use castellan_domain::values::{Email, Username, clean_text, parse_department_code};
        let cases = [
            Username::parse("_x").unwrap_err(),
            Email::parse("x").unwrap_err(),
            parse_department_code("a b").unwrap_err(),
            clean_text("a\u{1}", 1, 9).unwrap_err(),
        ];
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for kind in cases {
            let (zh, en) = (field_error(Lang::ZhCn, &kind), field_error(Lang::En, &kind));
            assert!(cjk(&zh) && zh.ends_with('。'), "{kind:?}: {zh}");
            assert!(!cjk(&en) && en.ends_with('.'), "{kind:?}: {en}");
            assert!(en.starts_with(|c: char| c.is_uppercase()), "{en}");
        }
    }
}
