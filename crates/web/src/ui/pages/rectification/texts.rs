//! The rectification area's own UI texts, in both languages (a key missing in either does
//! not compile).

crate::ui::i18n::text_catalog! {
    intro: "What must be put right after an incident, by whom and by when. The responsible person reports it done; the verifier checks it, then closes it or sends it back.", "事件处置后需要整改的事项、责任人和完成期限。责任人完成后报告，验证人检查后验证通过或退回重新整改。";
    view_all: "All I can see", "我可查看的全部";
    view_mine: "Mine to put right", "我负责整改的";
    view_verify: "Mine to verify", "待我验证的";
    search: "Search code, source or description", "搜索编号、来源或整改内容";
    all_statuses: "All statuses", "全部状态";
    overdue_only: "Overdue only", "仅超期";
    empty: "No rectification tasks match. Tasks are opened from the page of an incident.", "没有符合条件的整改任务。整改任务可在安全事件页面中提出。";
    total_found: "Total {n}", "共 {n} 条";
    code: "Code", "编号";
    source: "Raised from", "来源";
    description: "What to put right", "整改内容";
    description_hint: "One task per thing to fix, e.g. “Enable multi-factor sign-in on the VPN gateway”.", "每项需整改的问题单独一项，如“VPN 网关启用多因素认证”。";
    responsible: "Responsible", "责任人";
    responsible_hint: "Name or username of the person who puts it right.", "负责整改的人员姓名或用户名。";
    verifier: "Verifier", "验证人";
    verifier_hint: "Who checks the result. Leave empty to verify it yourself; never the responsible person.", "负责检查整改结果的人员。留空则由您本人验证；不能是责任人本人。";
    due_on: "Due", "完成期限";
    status: "Status", "状态";
    overdue: "Overdue", "已超期";
    resolution: "What was done", "整改情况";
    done_at: "Reported done", "完成时间";
    verified_at: "Verified", "验证时间";
    opened_by: "Opened by", "提出人";
    opened_at: "Opened", "提出时间";
    on_source: "Rectification tasks", "整改任务";
    on_source_intro: "Open one task for each thing that must be put right; the responsible person reports it done and the verifier checks it.", "每项需整改的问题提出一项任务；责任人完成后报告，验证人检查验证。";
    on_source_empty: "No rectification task yet.", "尚无整改任务。";
    open_task: "Open a rectification task", "提出整改任务";
    open_submit: "Open task", "提出任务";
    done_heading: "Report it done", "报告整改完成";
    done_note: "What was done", "整改情况";
    done_hint: "Say what was changed and how it can be checked; the verifier reads this.", "说明做了哪些整改以及如何检查，验证人将据此验证。";
    done_submit: "Report done", "报告完成";
    verify_heading: "Check the result", "验证整改结果";
    verify_intro: "Verify when the problem is put right; otherwise send the task back with the reason.", "确认问题已整改到位后验证通过；否则说明原因并退回重新整改。";
    verify_submit: "Verify and close", "验证通过";
    confirm_verify: "Confirm that the problem has been put right?", "确认问题已整改到位？";
    reopen_reason: "Why it is not yet put right", "退回原因";
    reopen_submit: "Send back", "退回重新整改";
    confirm_reopen: "Send the task back to the responsible person to put right again?", "确认退回责任人重新整改？";
    plan_heading: "Change the plan", "调整整改安排";
    save_plan: "Save", "保存";
    history: "History", "处理记录";
    history_empty: "No moves yet.", "尚无处理记录。";
    task_verified_note: "Verified: this task is finished and its record is kept as it is.", "已验证通过：该任务已完成，记录按原样保留。";
}
