//! The goal area's own UI texts, in both languages (a key missing in either does not
//! compile).

crate::ui::i18n::text_catalog! {
    intro: "The year's security goal, broken down into department and position goals; each is published once the owner of the goal above approves it.", "年度安全目标逐级分解到部门和岗位；每个目标经上级目标负责人批准后发布。";
    year: "Year", "年度";
    show_year: "Show", "查看";
    tree: "Goal breakdown", "目标分解";
    tree_empty: "No goal for this year yet.", "本年度尚无安全目标。";
    coverage: "Coverage", "覆盖情况";
    coverage_line: "{n} of {m} departments have a goal", "{m} 个部门中已有 {n} 个制定目标";
    uncovered: "Without a goal", "尚无目标的部门";
    all_covered: "Every department has a goal.", "所有部门均已制定目标。";
    level: "Level", "层级";
    goal: "Goal", "目标";
    metric: "Metric", "衡量指标";
    target: "Target", "目标值";
    owner: "Owner", "负责人";
    owner_hint: "A username; leave empty to own it yourself.", "填写用户名；留空则由您本人负责。";
    department: "Department", "部门";
    position: "Position", "岗位";
    status: "Status", "状态";
    progress: "Progress", "完成进度";
    progress_note: "What it stands on", "进展说明";
    report_progress: "Report progress", "报告进展";
    new_company: "Set the company goal", "制定公司目标";
    break_down: "Add my goal below", "制定我的下级目标";
    break_down_intro: "Your own goal under this one; you submit it and the owner of this goal approves it.", "在本目标下制定由您负责的目标，提交后由本目标负责人审批。";
    create: "Create", "创建";
    edit: "Change the goal", "修改目标";
    save: "Save", "保存";
    above: "Goal above", "上级目标";
    below: "Goals below", "下级目标";
    below_none: "Not broken down yet.", "尚未分解。";
    submit_heading: "Submit for approval", "提交审批";
    submit_intro_company: "The committee publishes the company's goal.", "公司目标由安全领导小组审批发布。";
    submit_intro: "The owner of the goal above publishes it or returns it.", "由上级目标负责人审批发布或退回。";
    submit: "Submit", "提交审批";
    decide_heading: "Your decision", "审批意见";
    publish: "Publish", "批准发布";
    return_reason: "Why it goes back", "退回原因";
    return_submit: "Return for changes", "退回修改";
    decisions: "Decisions and moves", "审批与流转记录";
    decisions_empty: "Nothing yet.", "暂无记录。";
    published_by: "Published", "发布";
}
