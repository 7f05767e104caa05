//! The default threat catalog of a risk assessment (SPEC §4, GB/T 20984 style): each threat
//! is classified by its source, the path by which it reaches an asset and the method it uses,
//! and carries a short name and a description in both languages. An assessment starts from
//! this list; codes `T001`, `T002`, … are stable and never reused.

use crate::lang::Text;
use crate::macros::coded_enum;

coded_enum! {
    /// Where a threat comes from.
    pub enum ThreatSource {
        /// People acting on purpose: outside attackers, dishonest insiders, fraudsters.
        HumanMalicious => ("human_malicious", "Human, malicious", "人为恶意"),
        /// People making mistakes or being careless, without intending harm.
        HumanAccidental => ("human_accidental", "Human, accidental", "人为无意"),
        /// Nature and the physical surroundings: weather, earthquakes, dust, damp.
        Environmental => ("environmental", "Environmental", "环境因素"),
        /// Failure of the facilities, equipment, software or services the organization relies on.
        InfrastructureFailure => ("infrastructure_failure", "Infrastructure failure", "基础设施故障"),
    }
}

coded_enum! {
    /// The way a threat reaches an asset.
    pub enum ThreatPath {
        /// Over a network: the internet, internal networks, wireless links.
        Network => ("network", "Network", "网络"),
        /// By physical presence or contact: premises, equipment, media, paper.
        Physical => ("physical", "Physical", "物理"),
        /// Through telephone calls, voice messages or video meetings.
        VoiceVideo => ("voice_video", "Voice or video", "语音视频"),
        /// Through suppliers, service providers and the products they deliver.
        SupplyChain => ("supply_chain", "Supply chain", "供应链"),
        /// Any other way, or no particular path (such as a system failing by itself).
        Other => ("other", "Other", "其他"),
    }
}

coded_enum! {
    /// What a threat does, or how it does it.
    pub enum ThreatMethod {
        /// Viruses, worms, trojans, ransomware and other harmful code.
        Malware => ("malware", "Malicious code", "恶意代码"),
        /// Spam, junk calls and illegal or harmful content.
        AbnormalContent => ("abnormal_content", "Spam and abnormal content", "垃圾信息与异常内容"),
        /// Probing for weaknesses and capturing traffic.
        ScanningSniffing => ("scanning_sniffing", "Scanning and sniffing", "扫描与嗅探"),
        /// Active attacks on systems over a network: denial of service, exploits, injection.
        NetworkAttack => ("network_attack", "Network attack", "网络攻击"),
        /// Using or obtaining rights beyond what is needed or granted.
        PrivilegeAbuse => ("privilege_abuse", "Privilege abuse", "权限滥用"),
        /// Denying an action or message one took part in.
        Repudiation => ("repudiation", "Repudiation", "抵赖"),
        /// Using computing, network or storage resources for unauthorized purposes.
        ResourceAbuse => ("resource_abuse", "Resource abuse", "资源滥用"),
        /// Letting information reach people who should not have it.
        InformationDisclosure => ("information_disclosure", "Information disclosure", "信息泄露"),
        /// Changing data, software, settings or equipment without authorization.
        Tampering => ("tampering", "Tampering", "篡改"),
        /// Deceiving people into acting against the organization's interest.
        SocialEngineering => ("social_engineering", "Social engineering", "社会工程"),
        /// Mistakes in operation, administration or maintenance.
        OperationalError => ("operational_error", "Operational error", "操作失误"),
        /// Disasters caused by people, such as fire through negligence or sabotage of facilities.
        HumanDisaster => ("human_disaster", "Human-caused disaster", "人为灾害"),
        /// Floods, earthquakes, lightning, storms and other natural events.
        NaturalDisaster => ("natural_disaster", "Natural disaster", "自然灾害"),
        /// Outage of power, cooling, telecom lines or other supporting services.
        InfrastructureFailure => ("infrastructure_failure", "Infrastructure failure", "基础设施中断"),
        /// Faults in hardware or software.
        HardwareSoftwareFailure => ("hardware_software_failure", "Hardware or software failure", "软硬件故障"),
        /// Taking equipment, media or documents away.
        Theft => ("theft", "Theft", "盗窃"),
        /// Destroying hardware, software or data.
        Destruction => ("destruction", "Destruction", "破坏"),
        /// Anything that fits no other method.
        Other => ("other", "Other", "其他"),
    }
}

/// One threat of the default catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogThreat {
    /// Stable code: `T001`, `T002`, …
    pub code: &'static str,
    /// Where the threat comes from.
    pub source: ThreatSource,
    /// How it reaches an asset.
    pub path: ThreatPath,
    /// What it does, or how.
    pub method: ThreatMethod,
    /// Short name.
    pub name: Text,
    /// What happens and what it does to the asset's confidentiality, integrity or
    /// availability, in a sentence or two.
    pub description: Text,
}

/// The default threat catalog, in code order.
pub const CATALOG: &[CatalogThreat] = &[
    CatalogThreat {
        code: "T001",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::Malware,
        name: Text {
            en: "Ransomware infection",
            zh: "勒索软件感染",
        },
        description: Text {
            en: "Ransomware gets onto a host, encrypts its files and the shares it can reach, and demands payment for the key; business data becomes unavailable and may also be leaked.",
            zh: "勒索软件侵入主机后，加密本机文件及其可访问的共享目录并索要赎金，业务数据无法使用，部分团伙还会窃取数据并威胁公开。",
        },
    },
    CatalogThreat {
        code: "T002",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::Malware,
        name: Text {
            en: "Trojan or backdoor",
            zh: "木马或后门植入",
        },
        description: Text {
            en: "An attacker plants a trojan or backdoor that gives remote control of the system, then steals or alters data while staying unnoticed for a long time.",
            zh: "攻击者在系统中植入木马或后门，借此远程控制主机，长期潜伏并窃取或篡改数据。",
        },
    },
    CatalogThreat {
        code: "T003",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::Malware,
        name: Text {
            en: "Worm outbreak",
            zh: "蠕虫病毒爆发",
        },
        description: Text {
            en: "A worm spreads by itself from host to host across the internal network, saturating links and systems and disrupting services.",
            zh: "蠕虫利用漏洞在内网主机之间自动传播，大量占用网络带宽和系统资源，造成业务中断。",
        },
    },
    CatalogThreat {
        code: "T004",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::Malware,
        name: Text {
            en: "Malware on removable media",
            zh: "移动介质带毒",
        },
        description: Text {
            en: "A USB stick or other removable medium carries malicious code into an internal or isolated system as soon as it is plugged in.",
            zh: "U盘等移动存储介质一经接入，便将恶意代码带进内网或物理隔离的系统，破坏数据完整性和系统可用性。",
        },
    },
    CatalogThreat {
        code: "T005",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::SupplyChain,
        method: ThreatMethod::Malware,
        name: Text {
            en: "Poisoned software update",
            zh: "升级包被植入恶意代码",
        },
        description: Text {
            en: "A vendor's build system or update channel is compromised, so an official, trusted update delivers malicious code to every customer who installs it.",
            zh: "供应商的构建环境或升级渠道被攻破，恶意代码混入官方升级包，随正常升级进入所有用户的系统。",
        },
    },
    CatalogThreat {
        code: "T006",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::SupplyChain,
        method: ThreatMethod::Malware,
        name: Text {
            en: "Malicious open-source package",
            zh: "恶意开源组件",
        },
        description: Text {
            en: "Developers pull in an open-source library that is malicious or has been taken over by an attacker, and its code then runs inside the organization's own software.",
            zh: "开发人员引入了恶意或已被攻击者接管的开源组件，恶意代码随之在自研软件中运行。",
        },
    },
    CatalogThreat {
        code: "T007",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::AbnormalContent,
        name: Text {
            en: "Spam flood",
            zh: "垃圾邮件泛滥",
        },
        description: Text {
            en: "Large volumes of unsolicited e-mail fill mailboxes and overload the mail gateway, burying or delaying legitimate messages.",
            zh: "大量垃圾邮件涌入，塞满邮箱并拖垮邮件网关，正常邮件被淹没或延误。",
        },
    },
    CatalogThreat {
        code: "T008",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::AbnormalContent,
        name: Text {
            en: "Harmful content posted",
            zh: "发布违法有害信息",
        },
        description: Text {
            en: "Someone posts illegal, offensive or false content through the organization's website, comment forms or official accounts, damaging its reputation and exposing it to legal liability.",
            zh: "有人借助单位网站、留言板或官方账号发布违法、不良或虚假信息，损害单位声誉，并可能使单位承担法律责任。",
        },
    },
    CatalogThreat {
        code: "T009",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::VoiceVideo,
        method: ThreatMethod::AbnormalContent,
        name: Text {
            en: "Nuisance call flood",
            zh: "骚扰电话轰炸",
        },
        description: Text {
            en: "Floods of automated or harassing calls tie up hotlines and switchboards, so customers and staff cannot get through.",
            zh: "大量自动拨号或骚扰电话占满热线和总机，客户和员工的电话无法接通。",
        },
    },
    CatalogThreat {
        code: "T010",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::ScanningSniffing,
        name: Text {
            en: "Port and vulnerability scanning",
            zh: "端口与漏洞扫描",
        },
        description: Text {
            en: "An attacker probes exposed addresses for open ports, service versions and known weaknesses, mapping out targets for a later attack.",
            zh: "攻击者对暴露在外的地址探测开放端口、服务版本和已知漏洞，为后续攻击摸清目标。",
        },
    },
    CatalogThreat {
        code: "T011",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::ScanningSniffing,
        name: Text {
            en: "Sniffing of unencrypted traffic",
            zh: "明文流量嗅探",
        },
        description: Text {
            en: "Someone on the same network segment or link captures traffic sent in clear text and reads passwords and business data from it.",
            zh: "与目标处于同一网段或链路的人员截获明文传输的流量，从中获取口令和业务数据。",
        },
    },
    CatalogThreat {
        code: "T012",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::ScanningSniffing,
        name: Text {
            en: "Rogue device on the internal network",
            zh: "私接设备监听内网",
        },
        description: Text {
            en: "An intruder plugs a small device into a spare network port in an office to capture internal traffic and open a channel from the outside.",
            zh: "攻击者将小型设备接入办公区空闲网口，借此监听内网流量，并建立从外部进入的通道。",
        },
    },
    CatalogThreat {
        code: "T013",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::VoiceVideo,
        method: ThreatMethod::ScanningSniffing,
        name: Text {
            en: "Interception of voice calls",
            zh: "语音通话被窃听",
        },
        description: Text {
            en: "Unencrypted internet phone calls are captured in transit and played back, exposing everything that was said.",
            zh: "未加密的网络电话在传输途中被截获并还原，通话内容随之泄露。",
        },
    },
    CatalogThreat {
        code: "T014",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::NetworkAttack,
        name: Text {
            en: "Distributed denial of service",
            zh: "分布式拒绝服务攻击",
        },
        description: Text {
            en: "Traffic floods from many sources exhaust bandwidth or server capacity, so legitimate users can no longer reach the service.",
            zh: "攻击者操纵大量主机发起流量洪泛，耗尽带宽或服务器资源，正常用户无法访问业务。",
        },
    },
    CatalogThreat {
        code: "T015",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::NetworkAttack,
        name: Text {
            en: "Web application attack",
            zh: "Web 应用攻击",
        },
        description: Text {
            en: "An attacker sends crafted input, such as SQL injection or cross-site scripting, to a web application in order to read, change or delete the data behind it.",
            zh: "攻击者利用 SQL 注入、跨站脚本等手法向 Web 应用提交恶意请求，进而读取、篡改或删除后台数据。",
        },
    },
    CatalogThreat {
        code: "T016",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::NetworkAttack,
        name: Text {
            en: "Exploitation of unpatched vulnerabilities",
            zh: "利用未修补漏洞入侵",
        },
        description: Text {
            en: "A known flaw in an operating system, middleware or device firmware that was never patched is used to run code on the system and take control of it.",
            zh: "攻击者利用操作系统、中间件或设备固件中迟迟未修补的已知漏洞执行代码，进而控制系统。",
        },
    },
    CatalogThreat {
        code: "T017",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::NetworkAttack,
        name: Text {
            en: "Password guessing",
            zh: "口令暴力破解",
        },
        description: Text {
            en: "Automated tools try large numbers of passwords, or credential pairs leaked elsewhere, against login pages and remote access services until one works.",
            zh: "攻击者用自动化工具对登录页面和远程访问服务反复尝试大量口令或外泄的账号密码组合，直至登录成功。",
        },
    },
    CatalogThreat {
        code: "T018",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::SupplyChain,
        method: ThreatMethod::NetworkAttack,
        name: Text {
            en: "Compromised service provider",
            zh: "经外包服务商入侵",
        },
        description: Text {
            en: "An attacker first breaks into an outsourced IT or maintenance provider and then uses its remote access to reach the organization's systems.",
            zh: "攻击者先攻破外包运维或技术服务商，再借其远程维护通道进入本单位系统。",
        },
    },
    CatalogThreat {
        code: "T019",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Other,
        method: ThreatMethod::PrivilegeAbuse,
        name: Text {
            en: "Insider abuse of privileges",
            zh: "内部人员滥用权限",
        },
        description: Text {
            en: "An employee uses access granted for their job to look up or change records they have no business reason to touch.",
            zh: "内部员工利用工作所需的访问权限，查询或修改与本职工作无关的数据。",
        },
    },
    CatalogThreat {
        code: "T020",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::PrivilegeAbuse,
        name: Text {
            en: "Misuse of administrator accounts",
            zh: "管理员账号滥用",
        },
        description: Text {
            en: "A shared or loosely controlled administrator account is used to bypass approvals, create hidden accounts or weaken security settings.",
            zh: "共用或管控不严的管理员账号被用来绕过审批、创建隐藏账号或降低安全配置。",
        },
    },
    CatalogThreat {
        code: "T021",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::PrivilegeAbuse,
        name: Text {
            en: "Privilege escalation",
            zh: "权限提升",
        },
        description: Text {
            en: "A user or attacker holding an ordinary account exploits a flaw in access control to obtain rights that were never granted.",
            zh: "持有普通账号的用户或攻击者利用访问控制缺陷，获取本不该拥有的更高权限。",
        },
    },
    CatalogThreat {
        code: "T022",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::PrivilegeAbuse,
        name: Text {
            en: "Use of orphaned accounts",
            zh: "利用残留账号",
        },
        description: Text {
            en: "Accounts left active after someone left or changed roles are used, by that person or by others, to reach systems and data.",
            zh: "人员离职或转岗后未及时停用的账号，被本人或他人继续用来访问系统和数据。",
        },
    },
    CatalogThreat {
        code: "T023",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::SupplyChain,
        method: ThreatMethod::PrivilegeAbuse,
        name: Text {
            en: "Abuse of access by vendor staff",
            zh: "供应商人员滥用权限",
        },
        description: Text {
            en: "Engineers of a supplier or outsourcing partner use the accounts opened for support work to view or copy data beyond their task.",
            zh: "供应商或外包方工程师利用为运维支持开通的账号，查看或拷贝超出工作范围的数据。",
        },
    },
    CatalogThreat {
        code: "T024",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Other,
        method: ThreatMethod::Repudiation,
        name: Text {
            en: "Denial of performed actions",
            zh: "否认已执行的操作",
        },
        description: Text {
            en: "A user denies having approved a transaction or made a change, and without reliable records nobody can prove otherwise.",
            zh: "用户否认曾审批某项业务或执行过某次变更，由于缺少可信的操作记录，责任无从认定。",
        },
    },
    CatalogThreat {
        code: "T025",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::Repudiation,
        name: Text {
            en: "Denial of sent or received messages",
            zh: "抵赖收发的电子信息",
        },
        description: Text {
            en: "A party claims it never sent, or never received, an electronic order, contract or notice, casting doubt on the integrity of business records.",
            zh: "一方声称从未发出或从未收到电子订单、合同或通知，业务往来记录的真实性因此遭到质疑。",
        },
    },
    CatalogThreat {
        code: "T026",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::ResourceAbuse,
        name: Text {
            en: "Unauthorized crypto mining",
            zh: "非法挖矿",
        },
        description: Text {
            en: "Servers or cloud accounts are hijacked to mine cryptocurrency, eating up computing capacity, driving up costs and slowing business systems.",
            zh: "服务器或云账号被劫持用于挖矿，大量消耗计算资源、推高费用，拖慢业务系统。",
        },
    },
    CatalogThreat {
        code: "T027",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Other,
        method: ThreatMethod::ResourceAbuse,
        name: Text {
            en: "Non-business use of resources",
            zh: "私用公司资源",
        },
        description: Text {
            en: "Staff use company bandwidth, storage or systems for personal purposes such as large downloads or side businesses, crowding out business use and bringing in security risks.",
            zh: "员工将公司带宽、存储或系统挪作私用，如大流量下载或从事个人经营，挤占正常业务资源并带来安全隐患。",
        },
    },
    CatalogThreat {
        code: "T028",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Data exfiltration by insider",
            zh: "内部人员外泄数据",
        },
        description: Text {
            en: "An employee or contractor sends sensitive data out through personal e-mail, cloud drives or messaging apps, for their own gain or for a competitor.",
            zh: "员工或外包人员通过私人邮箱、网盘或即时通讯工具外传敏感数据，以谋私利或提供给竞争对手。",
        },
    },
    CatalogThreat {
        code: "T029",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Shoulder surfing",
            zh: "偷窥屏幕",
        },
        description: Text {
            en: "Someone nearby watches a screen or keyboard in the office, on public transport or in a café and picks up passwords or confidential content.",
            zh: "他人在办公室、公共交通或咖啡馆等场所偷看屏幕或键盘输入，获取口令或机密内容。",
        },
    },
    CatalogThreat {
        code: "T030",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::VoiceVideo,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Eavesdropping on online meetings",
            zh: "线上会议被旁听",
        },
        description: Text {
            en: "An uninvited participant slips into a poorly protected online meeting and listens in, or a recording is passed around too widely, exposing what was discussed.",
            zh: "未受邀者混入缺乏防护的线上会议旁听，或会议录像被随意转发，导致会议内容外泄。",
        },
    },
    CatalogThreat {
        code: "T031",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::Tampering,
        name: Text {
            en: "Tampering with logs",
            zh: "篡改日志",
        },
        description: Text {
            en: "An intruder or insider deletes or edits log records to cover their tracks, so incidents can be neither detected nor investigated.",
            zh: "入侵者或内部人员删除、修改日志记录以掩盖行迹，安全事件因此难以发现和追查。",
        },
    },
    CatalogThreat {
        code: "T032",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::Tampering,
        name: Text {
            en: "Unauthorized configuration change",
            zh: "擅自篡改配置",
        },
        description: Text {
            en: "Firewall rules, access lists or system settings are changed without authorization, opening a way in for attackers or making services misbehave.",
            zh: "防火墙策略、访问控制列表或系统参数被擅自修改，为攻击者敞开大门或导致业务异常。",
        },
    },
    CatalogThreat {
        code: "T033",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::Tampering,
        name: Text {
            en: "Website defacement",
            zh: "网页篡改",
        },
        description: Text {
            en: "An attacker replaces pages of a public website with their own content, undermining the organization's credibility.",
            zh: "攻击者篡改对外网站的页面内容，损害单位形象和公信力。",
        },
    },
    CatalogThreat {
        code: "T034",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::SupplyChain,
        method: ThreatMethod::Tampering,
        name: Text {
            en: "Counterfeit or altered hardware",
            zh: "假冒或被改装的硬件",
        },
        description: Text {
            en: "Equipment bought through unofficial channels turns out to be counterfeit or modified; it fails early and may carry hidden functions.",
            zh: "经非正规渠道采购的设备实为假冒或改装产品，不但容易提前损坏，还可能暗藏恶意功能。",
        },
    },
    CatalogThreat {
        code: "T035",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::SocialEngineering,
        name: Text {
            en: "Phishing e-mail",
            zh: "钓鱼邮件",
        },
        description: Text {
            en: "A forged e-mail lures staff into opening a malicious attachment or typing their credentials into a fake site, giving the attacker a foothold or a valid account.",
            zh: "攻击者伪造邮件，诱骗员工打开恶意附件或在仿冒网站上输入账号密码，从而取得入侵的突破口或有效账号。",
        },
    },
    CatalogThreat {
        code: "T036",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::VoiceVideo,
        method: ThreatMethod::SocialEngineering,
        name: Text {
            en: "Pretext phone call",
            zh: "冒充身份的诈骗电话",
        },
        description: Text {
            en: "A caller poses as a manager, the IT help desk or a supplier and talks staff into resetting a password, revealing information or making a payment.",
            zh: "来电者冒充领导、IT 服务台或供应商，诱使员工重置密码、透露信息或转账付款。",
        },
    },
    CatalogThreat {
        code: "T037",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::VoiceVideo,
        method: ThreatMethod::SocialEngineering,
        name: Text {
            en: "Deepfake impersonation",
            zh: "深度伪造冒充",
        },
        description: Text {
            en: "A synthetic voice or video imitating an executive is used in a call or meeting to instruct staff to transfer funds or hand over data.",
            zh: "攻击者利用 AI 合成的高管声音或视频，在通话或会议中指使员工转账或提供数据。",
        },
    },
    CatalogThreat {
        code: "T038",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::SocialEngineering,
        name: Text {
            en: "Tailgating into secure areas",
            zh: "尾随进入受控区域",
        },
        description: Text {
            en: "An outsider follows an employee through a controlled door, or poses as a visitor or technician, to get into offices or equipment rooms.",
            zh: "外来人员尾随员工通过门禁，或假扮访客、维修人员，混入办公区或机房。",
        },
    },
    CatalogThreat {
        code: "T039",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::Theft,
        name: Text {
            en: "Theft of equipment",
            zh: "设备被盗",
        },
        description: Text {
            en: "Computers, network devices or storage are stolen from offices, equipment rooms or vehicles, taking with them the data they hold and the services they support.",
            zh: "电脑、网络设备或存储设备从办公室、机房或车内被盗，其中的数据和所承载的业务随之受损。",
        },
    },
    CatalogThreat {
        code: "T040",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::Theft,
        name: Text {
            en: "Theft of paper documents",
            zh: "纸质资料被盗",
        },
        description: Text {
            en: "Contracts, drawings or personnel files are taken from desks, cabinets or archives by people who have no right to them.",
            zh: "合同、图纸、人事档案等纸质资料被无权接触的人从办公桌、文件柜或档案室中窃走。",
        },
    },
    CatalogThreat {
        code: "T041",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::Destruction,
        name: Text {
            en: "Deliberate destruction of equipment or media",
            zh: "蓄意毁坏设备或介质",
        },
        description: Text {
            en: "Someone bearing a grudge or wanting to cover their tracks smashes, degausses or burns storage media and equipment, destroying the data on them.",
            zh: "心怀不满或企图销毁证据的人员砸毁、消磁或焚烧存储介质和设备，致使其中数据彻底灭失。",
        },
    },
    CatalogThreat {
        code: "T042",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Network,
        method: ThreatMethod::Destruction,
        name: Text {
            en: "Deliberate wiping of systems",
            zh: "恶意删除系统数据",
        },
        description: Text {
            en: "An attacker or a disgruntled administrator wipes disks, databases and even backups, destroying data and bringing systems down.",
            zh: "攻击者或心怀不满的管理员成批清除磁盘、数据库乃至备份，造成数据损毁和系统瘫痪。",
        },
    },
    CatalogThreat {
        code: "T043",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::HumanDisaster,
        name: Text {
            en: "Sabotage of facilities",
            zh: "蓄意破坏设施",
        },
        description: Text {
            en: "Someone deliberately cuts cables, starts a fire or damages power and cooling equipment, putting a whole site out of action.",
            zh: "有人蓄意剪断线缆、纵火或破坏供电和制冷设备，致使整个场所的系统陷入瘫痪。",
        },
    },
    CatalogThreat {
        code: "T044",
        source: ThreatSource::HumanMalicious,
        path: ThreatPath::Physical,
        method: ThreatMethod::Other,
        name: Text {
            en: "Physical intrusion into the data center",
            zh: "非法闯入机房",
        },
        description: Text {
            en: "An unauthorized person gets into the data center or a wiring closet by forcing a door or using a lost badge, and can then unplug, steal or tamper with equipment.",
            zh: "未经授权的人员撬门或持遗失的门禁卡进入机房或弱电间，可以随意断电、盗取或改动设备。",
        },
    },
    CatalogThreat {
        code: "T045",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Network,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "E-mail sent to the wrong recipient",
            zh: "邮件误发",
        },
        description: Text {
            en: "A message or attachment holding sensitive information goes to the wrong address or to an overly wide distribution list.",
            zh: "含有敏感信息的邮件或附件因收件人填错或误选群组，被发给了不相干的人。",
        },
    },
    CatalogThreat {
        code: "T046",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Network,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Publicly exposed storage",
            zh: "存储对外暴露",
        },
        description: Text {
            en: "A storage bucket, file share or database is left open to the internet by mistake, and anyone who finds it can download its contents.",
            zh: "对象存储、文件共享或数据库因配置疏忽对互联网开放，任何人发现后都能下载其中的数据。",
        },
    },
    CatalogThreat {
        code: "T047",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Network,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Secrets published in a public repository",
            zh: "代码或密钥误传公网",
        },
        description: Text {
            en: "Developers push source code, passwords or access keys to a public code hosting site, where others quickly find and use them.",
            zh: "开发人员把源代码、密码或访问密钥误传到公共代码托管平台，很快被他人发现并利用。",
        },
    },
    CatalogThreat {
        code: "T048",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Network,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Oversharing on social media",
            zh: "社交媒体泄密",
        },
        description: Text {
            en: "Staff post photos, documents or details of internal systems on social media or public forums, handing attackers useful intelligence.",
            zh: "员工在社交媒体或公开论坛上发布照片、文件或内部系统细节，无意中为攻击者提供了情报。",
        },
    },
    CatalogThreat {
        code: "T049",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Physical,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Unattended printouts",
            zh: "纸质文件随意放置",
        },
        description: Text {
            en: "Printouts left in a shared printer, on desks or in ordinary bins are read or taken by people who should never see them.",
            zh: "遗留在公用打印机、办公桌上或随手扔进普通垃圾桶的纸质文件，被无关人员看到或拿走。",
        },
    },
    CatalogThreat {
        code: "T050",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Physical,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Loss of laptop or removable media",
            zh: "笔记本或移动介质丢失",
        },
        description: Text {
            en: "A laptop, phone or USB drive holding business data is left behind or lost in transit; if it is not encrypted, whoever finds it can read the data.",
            zh: "存有业务数据的笔记本电脑、手机或U盘被遗落或在途中丢失，若未加密，拾到的人就能读取其中数据。",
        },
    },
    CatalogThreat {
        code: "T051",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::VoiceVideo,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Confidential talk overheard",
            zh: "公共场合谈论敏感事项",
        },
        description: Text {
            en: "Sensitive matters discussed on the phone or in calls from trains, restaurants and other public places are overheard by strangers.",
            zh: "在列车、餐厅等公共场所打电话或开会时谈及敏感事项，被旁人听到。",
        },
    },
    CatalogThreat {
        code: "T052",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::VoiceVideo,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Wrong screen shared in a meeting",
            zh: "会议中误共享屏幕",
        },
        description: Text {
            en: "During an online meeting someone shares the whole desktop or the wrong window, showing confidential documents or chats to outside participants.",
            zh: "线上会议中误将整个桌面或错误的窗口共享出去，机密文件或聊天记录暴露在外部参会者面前。",
        },
    },
    CatalogThreat {
        code: "T053",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::SupplyChain,
        method: ThreatMethod::InformationDisclosure,
        name: Text {
            en: "Data leak at a supplier",
            zh: "供应商泄露数据",
        },
        description: Text {
            en: "Data handed to a supplier, cloud service or partner leaks because of weak security on their side.",
            zh: "交给供应商、云服务商或合作方的数据，因对方安全管理薄弱而泄露。",
        },
    },
    CatalogThreat {
        code: "T054",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Network,
        method: ThreatMethod::OperationalError,
        name: Text {
            en: "Misconfiguration by administrators",
            zh: "管理员配置失误",
        },
        description: Text {
            en: "An administrator enters a wrong setting, such as an overly permissive firewall rule or a wrong route, causing an outage or a security gap.",
            zh: "管理员配置出错，例如防火墙规则放得过宽或路由配错，导致业务中断或留下安全缺口。",
        },
    },
    CatalogThreat {
        code: "T055",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Other,
        method: ThreatMethod::OperationalError,
        name: Text {
            en: "Accidental deletion",
            zh: "误删数据",
        },
        description: Text {
            en: "Files, database records or virtual machines are deleted by mistake, for example by running a command against the wrong environment.",
            zh: "操作人员误删文件、数据库记录或虚拟机，例如在错误的环境中执行了命令。",
        },
    },
    CatalogThreat {
        code: "T056",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Other,
        method: ThreatMethod::OperationalError,
        name: Text {
            en: "Failed change",
            zh: "变更失败",
        },
        description: Text {
            en: "An untested or poorly planned change breaks a production system, and there is no quick way back.",
            zh: "未经充分测试或考虑不周的变更上线后造成生产系统故障，且无法迅速回退。",
        },
    },
    CatalogThreat {
        code: "T057",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Other,
        method: ThreatMethod::OperationalError,
        name: Text {
            en: "Unrestorable backups",
            zh: "备份无法恢复",
        },
        description: Text {
            en: "When data has to be recovered, the backups turn out to be incomplete, corrupted or never tested, and the loss becomes permanent.",
            zh: "到了需要恢复数据时才发现备份不完整、已损坏或从未验证过，数据就此永久丢失。",
        },
    },
    CatalogThreat {
        code: "T058",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Network,
        method: ThreatMethod::OperationalError,
        name: Text {
            en: "Expired certificate",
            zh: "证书过期",
        },
        description: Text {
            en: "A TLS or code-signing certificate is allowed to expire, clients refuse to connect, and the services and integrations relying on it stop working.",
            zh: "TLS 证书或代码签名证书到期未续，客户端拒绝连接，依赖它的服务和系统对接随之中断。",
        },
    },
    CatalogThreat {
        code: "T059",
        source: ThreatSource::HumanAccidental,
        path: ThreatPath::Physical,
        method: ThreatMethod::HumanDisaster,
        name: Text {
            en: "Fire caused by negligence",
            zh: "人为疏忽引发火灾",
        },
        description: Text {
            en: "A fire started by careless smoking, overloaded sockets or unsafe hot work spreads to offices or equipment rooms and destroys equipment and records.",
            zh: "吸烟、插座超负荷或违规动火等疏忽引发火灾，殃及办公区或机房，烧毁设备和资料。",
        },
    },
    CatalogThreat {
        code: "T060",
        source: ThreatSource::Environmental,
        path: ThreatPath::Physical,
        method: ThreatMethod::NaturalDisaster,
        name: Text {
            en: "Flood",
            zh: "洪涝",
        },
        description: Text {
            en: "Heavy rain, rising rivers or a storm surge flood the building, starting with basement equipment rooms, damaging equipment and cutting services.",
            zh: "暴雨、河水上涨或风暴潮导致建筑进水，地下机房首当其冲，设备损毁、业务中断。",
        },
    },
    CatalogThreat {
        code: "T061",
        source: ThreatSource::Environmental,
        path: ThreatPath::Physical,
        method: ThreatMethod::NaturalDisaster,
        name: Text {
            en: "Earthquake",
            zh: "地震",
        },
        description: Text {
            en: "Ground shaking topples racks, damages the building and cuts power and lines, possibly for days.",
            zh: "地震导致机柜倾倒、建筑受损，供电和通信线路中断，可能数日都难以恢复。",
        },
    },
    CatalogThreat {
        code: "T062",
        source: ThreatSource::Environmental,
        path: ThreatPath::Physical,
        method: ThreatMethod::NaturalDisaster,
        name: Text {
            en: "Lightning strike",
            zh: "雷击",
        },
        description: Text {
            en: "A lightning strike, or the surge it induces on power and signal lines, burns out equipment that lacks proper grounding or surge protection.",
            zh: "雷电直击或其在电源线、信号线上感应出的浪涌，烧毁接地或防雷措施不到位的设备。",
        },
    },
    CatalogThreat {
        code: "T063",
        source: ThreatSource::Environmental,
        path: ThreatPath::Physical,
        method: ThreatMethod::NaturalDisaster,
        name: Text {
            en: "Typhoon and extreme weather",
            zh: "台风等极端天气",
        },
        description: Text {
            en: "Typhoons, snowstorms or extreme heat damage buildings and outdoor lines and keep staff from getting to work.",
            zh: "台风、暴雪或极端高温损坏建筑和室外线路，并使人员无法到岗。",
        },
    },
    CatalogThreat {
        code: "T064",
        source: ThreatSource::Environmental,
        path: ThreatPath::Physical,
        method: ThreatMethod::Other,
        name: Text {
            en: "Dust, damp and static",
            zh: "灰尘、潮湿与静电",
        },
        description: Text {
            en: "Dust, high humidity or static electricity where equipment runs shortens its life and causes intermittent faults.",
            zh: "设备运行场所灰尘多、湿度大或静电严重，会缩短设备寿命并引发时好时坏的故障。",
        },
    },
    CatalogThreat {
        code: "T065",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Physical,
        method: ThreatMethod::InfrastructureFailure,
        name: Text {
            en: "Mains power outage",
            zh: "市电中断",
        },
        description: Text {
            en: "The utility supply fails or becomes unstable; equipment without backup power shuts down abruptly and data being written may be corrupted.",
            zh: "市电停电或电压不稳，没有后备电源的设备突然断电，正在写入的数据可能损坏。",
        },
    },
    CatalogThreat {
        code: "T066",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Physical,
        method: ThreatMethod::InfrastructureFailure,
        name: Text {
            en: "UPS or generator failure",
            zh: "UPS 或发电机故障",
        },
        description: Text {
            en: "Worn-out batteries or a generator that will not start leave the equipment room without power exactly when the mains supply drops.",
            zh: "UPS 电池老化或柴油发电机无法启动，一旦市电中断，机房便随即失去供电。",
        },
    },
    CatalogThreat {
        code: "T067",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Physical,
        method: ThreatMethod::InfrastructureFailure,
        name: Text {
            en: "Air-conditioning failure",
            zh: "空调故障",
        },
        description: Text {
            en: "Cooling in the equipment room stops, the temperature climbs within minutes, and servers throttle, shut down or are damaged.",
            zh: "机房空调停止制冷，温度在几分钟内急剧上升，服务器降频、宕机甚至损坏。",
        },
    },
    CatalogThreat {
        code: "T068",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Physical,
        method: ThreatMethod::InfrastructureFailure,
        name: Text {
            en: "Water leak in the equipment room",
            zh: "机房漏水",
        },
        description: Text {
            en: "A burst pipe, an overflowing air-conditioner drain or rain coming through the roof lets water reach equipment, causing short circuits and outages.",
            zh: "水管爆裂、空调冷凝水外溢或屋顶渗雨，水流进机房设备，引发短路和停机。",
        },
    },
    CatalogThreat {
        code: "T069",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Network,
        method: ThreatMethod::InfrastructureFailure,
        name: Text {
            en: "Telecom line outage",
            zh: "通信线路中断",
        },
        description: Text {
            en: "A carrier fault or a fibre cut during roadworks takes down the internet link or a leased line, cutting off branches, customers or the backup site.",
            zh: "运营商故障或道路施工挖断光缆，导致互联网链路或专线中断，分支机构、客户或灾备中心与总部失去联系。",
        },
    },
    CatalogThreat {
        code: "T070",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::SupplyChain,
        method: ThreatMethod::InfrastructureFailure,
        name: Text {
            en: "Cloud service outage",
            zh: "云服务中断",
        },
        description: Text {
            en: "A failure at the cloud or hosting provider makes the systems and data hosted there unreachable, sometimes for hours.",
            zh: "云服务商或托管机房发生故障，托管在其中的系统和数据无法访问，有时长达数小时。",
        },
    },
    CatalogThreat {
        code: "T071",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Other,
        method: ThreatMethod::HardwareSoftwareFailure,
        name: Text {
            en: "Disk or storage failure",
            zh: "硬盘或存储故障",
        },
        description: Text {
            en: "Disks or storage arrays fail; without redundancy or backups, data is lost and the systems using it stop.",
            zh: "硬盘或存储阵列发生故障，如果缺少冗余或备份，数据将会丢失，相关系统也随之停止运行。",
        },
    },
    CatalogThreat {
        code: "T072",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Other,
        method: ThreatMethod::HardwareSoftwareFailure,
        name: Text {
            en: "Server or network device failure",
            zh: "服务器或网络设备故障",
        },
        description: Text {
            en: "A power supply, board or other component in a server, switch or firewall fails, taking down the services that depend on it.",
            zh: "服务器、交换机或防火墙的电源、主板等部件损坏，依赖其运行的业务随之中断。",
        },
    },
    CatalogThreat {
        code: "T073",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Other,
        method: ThreatMethod::HardwareSoftwareFailure,
        name: Text {
            en: "Software defect",
            zh: "软件缺陷",
        },
        description: Text {
            en: "A bug in an application, database or operating system causes crashes, wrong results or corrupted data.",
            zh: "应用、数据库或操作系统中的缺陷导致程序崩溃、计算结果出错或数据损坏。",
        },
    },
    CatalogThreat {
        code: "T074",
        source: ThreatSource::InfrastructureFailure,
        path: ThreatPath::Other,
        method: ThreatMethod::HardwareSoftwareFailure,
        name: Text {
            en: "Capacity exhaustion",
            zh: "系统容量耗尽",
        },
        description: Text {
            en: "Disks fill up or connections and licences run out, and the system slows to a crawl or refuses new work.",
            zh: "磁盘写满，或连接数、许可证用尽，系统响应迟缓乃至拒绝处理新业务。",
        },
    },
];

/// The catalog threat with this exact code, if any.
pub fn find(code: &str) -> Option<&'static CatalogThreat> {
    CATALOG.iter().find(|t| t.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
    }

    fn texts(t: &CatalogThreat) -> [(&'static str, Text); 2] {
        [("name", t.name), ("description", t.description)]
    }

    #[test]
    fn codes_are_sequential_and_unique() {
        assert!(CATALOG.len() >= 45, "only {} threats", CATALOG.len());
        for (i, t) in CATALOG.iter().enumerate() {
            assert_eq!(t.code, format!("T{:03}", i + 1));
        }
        let codes: HashSet<_> = CATALOG.iter().map(|t| t.code).collect();
        assert_eq!(codes.len(), CATALOG.len());
    }

    #[test]
    fn enum_codes_are_the_agreed_ones() {
        let codes = |all: &[&'static str]| all.join(" ");
        assert_eq!(
            codes(&ThreatSource::ALL.map(ThreatSource::code)),
            "human_malicious human_accidental environmental infrastructure_failure"
        );
        assert_eq!(
            codes(&ThreatPath::ALL.map(ThreatPath::code)),
            "network physical voice_video supply_chain other"
        );
        assert_eq!(
            codes(&ThreatMethod::ALL.map(ThreatMethod::code)),
            "malware abnormal_content scanning_sniffing network_attack privilege_abuse \
             repudiation resource_abuse information_disclosure tampering social_engineering \
             operational_error human_disaster natural_disaster infrastructure_failure \
             hardware_software_failure theft destruction other"
        );
        assert!(ThreatMethod::from_code("voice_video").is_err());
        assert_eq!(
            ThreatPath::from_code("voice_video"),
            Ok(ThreatPath::VoiceVideo)
        );
        assert_eq!(
            ThreatSource::parse_cell(" 环境因素 "),
            Some(ThreatSource::Environmental)
        );
    }

    #[test]
    fn every_classification_value_is_used() {
        for source in ThreatSource::ALL {
            assert!(
                CATALOG.iter().any(|t| t.source == source),
                "no threat with source {}",
                source.code()
            );
        }
        for path in ThreatPath::ALL {
            assert!(
                CATALOG.iter().any(|t| t.path == path),
                "no threat with path {}",
                path.code()
            );
        }
        for method in ThreatMethod::ALL {
            assert!(
                CATALOG.iter().any(|t| t.method == method),
                "no threat with method {}",
                method.code()
            );
        }
    }

    #[test]
    fn texts_are_trimmed_and_in_the_right_language() {
        for t in CATALOG {
            for (what, text) in texts(t) {
                for s in [text.en, text.zh] {
                    assert!(!s.is_empty(), "{} {what} is empty", t.code);
                    assert_eq!(s, s.trim(), "{} {what} has surrounding space", t.code);
                    assert!(!s.contains("  "), "{} {what} has a double space", t.code);
                }
                assert!(!has_cjk(text.en), "{} English {what}: {}", t.code, text.en);
                assert!(has_cjk(text.zh), "{} Chinese {what}: {}", t.code, text.zh);
            }
            // Names are labels; descriptions are sentences with the language's full stop.
            assert!(!t.name.en.ends_with('.'), "{}", t.code);
            assert!(!t.name.zh.ends_with('。'), "{}", t.code);
            assert!(t.description.en.ends_with('.'), "{}", t.code);
            assert!(t.description.zh.ends_with('。'), "{}", t.code);
            // Chinese text uses full-width punctuation.
            assert!(
                !t.description.zh.contains([',', ';', '(', ')']),
                "{}: {}",
                t.code,
                t.description.zh
            );
            assert!(t.description.en.len() > t.name.en.len(), "{}", t.code);
        }
    }

    #[test]
    fn names_are_unique_in_each_language() {
        let en: HashSet<_> = CATALOG.iter().map(|t| t.name.en.to_lowercase()).collect();
        let zh: HashSet<_> = CATALOG.iter().map(|t| t.name.zh).collect();
        assert_eq!(en.len(), CATALOG.len());
        assert_eq!(zh.len(), CATALOG.len());
    }

    #[test]
    fn find_looks_up_exact_codes() {
        let first = find("T001").unwrap();
        assert_eq!(first.name.en, "Ransomware infection");
        assert_eq!(first.method, ThreatMethod::Malware);
        let last = CATALOG.last().unwrap();
        assert_eq!(find(last.code), Some(last));
        assert_eq!(find("T002"), CATALOG.get(1));
        assert_eq!(find("T000"), None);
        assert_eq!(find(&format!("T{:03}", CATALOG.len() + 1)), None);
        assert_eq!(find("t001"), None);
        assert_eq!(find(" T001"), None);
        assert_eq!(find(""), None);
    }

    #[test]
    fn catalog_classifies_typical_threats_sensibly() {
        let by_name = |en: &str| CATALOG.iter().find(|t| t.name.en == en).unwrap();
        let phishing = by_name("Phishing e-mail");
        assert_eq!(
            (phishing.source, phishing.path, phishing.method),
            (
                ThreatSource::HumanMalicious,
                ThreatPath::Network,
                ThreatMethod::SocialEngineering
            )
        );
        let earthquake = by_name("Earthquake");
        assert_eq!(earthquake.source, ThreatSource::Environmental);
        assert_eq!(earthquake.method, ThreatMethod::NaturalDisaster);
        let power = by_name("Mains power outage");
        assert_eq!(power.source, ThreatSource::InfrastructureFailure);
        assert_eq!(power.method, ThreatMethod::InfrastructureFailure);
        // Nature is only ever the environment's doing; people cause the other disasters.
        for t in CATALOG {
            if t.method == ThreatMethod::NaturalDisaster {
                assert_eq!(t.source, ThreatSource::Environmental, "{}", t.code);
            }
            if t.method == ThreatMethod::HumanDisaster {
                assert!(
                    matches!(
                        t.source,
                        ThreatSource::HumanMalicious | ThreatSource::HumanAccidental
                    ),
                    "{}",
                    t.code
                );
            }
        }
    }
}
