//! The checklist Castellan ships: a quarterly security inspection over the six areas the
//! seeds name (physical, network, systems, data, personnel, management), written for this
//! product in both languages. The migration that creates the inspection tables inserts it.

use super::CheckArea;

/// The shipped checklist's code.
pub const CODE: &str = "default";
/// Its name in English.
pub const NAME_EN: &str = "Quarterly security inspection";
/// Its name in Chinese.
pub const NAME_ZH: &str = "季度安全检查";

/// Its items: code, area, English text, Chinese text.
pub const ITEMS: &[(&str, CheckArea, &str, &str)] = &[
    (
        "PHY-01",
        CheckArea::Physical,
        "Machine room doors are locked; entries of visitors and staff are logged and the log was reviewed this quarter.",
        "机房门禁有效，人员和访客出入均有登记，本季度已检查登记记录。",
    ),
    (
        "PHY-02",
        CheckArea::Physical,
        "Temperature, humidity, fire suppression and the UPS of the machine room work and were tested as scheduled.",
        "机房温湿度、消防和 UPS 运行正常，并按计划进行了测试。",
    ),
    (
        "PHY-03",
        CheckArea::Physical,
        "Removable media and printed confidential papers are locked away; nothing sensitive is left on desks.",
        "移动介质和涉密纸质文件妥善锁存，办公桌面无敏感资料。",
    ),
    (
        "PHY-04",
        CheckArea::Physical,
        "Equipment leaving the premises or disposed of is recorded, and its storage was wiped first.",
        "设备带出或报废均有记录，存储介质已先行清除数据。",
    ),
    (
        "NET-01",
        CheckArea::Network,
        "The network diagram matches the network as found; every boundary has a firewall with reviewed rules.",
        "网络拓扑图与实际一致，各网络边界均有防火墙且规则经过复核。",
    ),
    (
        "NET-02",
        CheckArea::Network,
        "No firewall rule allows any-to-any traffic; rules no one asked for in the last year are removed.",
        "防火墙无全通策略，一年内无人申请的规则已清理。",
    ),
    (
        "NET-03",
        CheckArea::Network,
        "Remote access goes through the VPN with two-factor sign-in; no device is reachable from the Internet by remote desktop or SSH directly.",
        "远程访问统一经 VPN 并使用双因素认证，无设备直接向互联网开放远程桌面或 SSH。",
    ),
    (
        "NET-04",
        CheckArea::Network,
        "Wireless networks for guests are separated from the office network.",
        "访客无线网络与办公网络隔离。",
    ),
    (
        "SYS-01",
        CheckArea::Systems,
        "Servers and workstations received this quarter's security patches, or the exceptions are approved.",
        "服务器和终端已安装本季度安全补丁，未安装的有审批例外。",
    ),
    (
        "SYS-02",
        CheckArea::Systems,
        "Malware protection runs on every workstation and server with current signatures.",
        "所有终端和服务器运行防病毒软件，特征库为最新。",
    ),
    (
        "SYS-03",
        CheckArea::Systems,
        "Security logs of key systems are collected centrally and kept for at least six months.",
        "重要系统的安全日志集中收集并保存六个月以上。",
    ),
    (
        "SYS-04",
        CheckArea::Systems,
        "Default accounts are disabled or renamed, and administrative passwords of key systems were changed as scheduled.",
        "默认账号已禁用或改名，重要系统管理员口令已按期更换。",
    ),
    (
        "DAT-01",
        CheckArea::Data,
        "Backups of key systems ran as planned, and a restore was tested this quarter.",
        "重要系统按计划备份，本季度进行了恢复测试。",
    ),
    (
        "DAT-02",
        CheckArea::Data,
        "Confidential data is classified and stored encrypted or in access-controlled places only.",
        "敏感数据已分级，仅存放在加密或有访问控制的位置。",
    ),
    (
        "DAT-03",
        CheckArea::Data,
        "Data sent to outside parties is approved and recorded.",
        "对外提供数据经过审批并有记录。",
    ),
    (
        "DAT-04",
        CheckArea::Data,
        "Backup copies are kept off site or offline, protected from the systems they copy.",
        "备份副本异地或离线保存，不受被备份系统影响。",
    ),
    (
        "PER-01",
        CheckArea::Personnel,
        "Accounts of people who left or changed jobs were removed or adjusted within one working day.",
        "离职或转岗人员的账号权限已在一个工作日内删除或调整。",
    ),
    (
        "PER-02",
        CheckArea::Personnel,
        "User accounts and privileges of key systems were reviewed this quarter; shared accounts have a named owner.",
        "本季度已复核重要系统的用户账号和权限，共享账号有明确责任人。",
    ),
    (
        "PER-03",
        CheckArea::Personnel,
        "New staff signed the confidentiality agreement and took the security awareness training.",
        "新员工已签署保密协议并参加安全意识培训。",
    ),
    (
        "PER-04",
        CheckArea::Personnel,
        "Administrative passwords of key systems have a holder and a trained backup holder; handovers are recorded.",
        "重要系统管理员口令有保管人和经过培训的备份保管人，交接有记录。",
    ),
    (
        "MGT-01",
        CheckArea::Management,
        "Security policies in force were reviewed within their review interval and staff confirmed reading them.",
        "现行安全制度已在复审周期内复审，员工已确认阅读。",
    ),
    (
        "MGT-02",
        CheckArea::Management,
        "Changes and important operations this quarter went through approval.",
        "本季度的变更和重要操作均经过审批。",
    ),
    (
        "MGT-03",
        CheckArea::Management,
        "Security incidents were reported, handled and closed within their deadlines; lessons are recorded.",
        "安全事件均按时限报告、处置并关闭，总结了经验教训。",
    ),
    (
        "MGT-04",
        CheckArea::Management,
        "Rectification tasks from the last inspection are done and verified.",
        "上次检查的整改任务已完成并经验证。",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_checklist_covers_every_area_in_both_languages() {
        for area in CheckArea::ALL {
            assert!(ITEMS.iter().any(|i| i.1 == area), "{area:?}");
        }
        let mut codes: Vec<_> = ITEMS.iter().map(|i| i.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ITEMS.len());
        for (_, _, en, zh) in ITEMS {
            assert!(en.is_ascii());
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        }
    }
}
