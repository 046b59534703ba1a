// The UI's words in Chinese (the default) and English. The choice is kept in localStorage.
import { signal } from "./signal";

export type Language = "zh" | "en";

const words = {
  app_title: ["12385 残疾人服务热线", "12385 Disabled Persons' Service Hotline"],
  skip_to_main: ["跳到主要内容", "Skip to main content"],
  language: ["English", "中文"],
  language_label: ["切换到英文", "Switch to Chinese"],
  display: ["显示设置", "Display"],
  large_text: ["大字体", "Large text"],
  high_contrast: ["高对比度", "High contrast"],
  portal: ["网上信访", "Petition portal"],
  staff_login: ["工作人员登录", "Staff log-in"],
  log_in: ["登录", "Log in"],
  log_out: ["退出", "Log out"],
  login_name: ["用户名", "User name"],
  password: ["密码", "Password"],
  login_failed: ["用户名或密码不正确", "Wrong user name or password"],
  worklist: ["待办工单", "Worklist"],
  dashboard: ["统计报表", "Reports"],
  submit_title: ["提交信访事项", "Submit a petition"],
  submit_intro: [
    "无需注册。带 * 的为必填项。提交后您会得到受理编号，请凭编号和手机号后四位查询办理进度。",
    "No account needed. Fields marked * are required. You will get a tracking code; look up progress with it and the last four digits of your phone.",
  ],
  name: ["姓名", "Name"],
  phone: ["手机号码", "Mobile phone"],
  phone_hint: ["用于接收办理进度短信和查询", "For progress messages and look-ups"],
  category: ["事项类别", "Category"],
  choose: ["请选择", "Please choose"],
  subject: ["标题", "Subject"],
  content: ["具体内容", "What happened, and what you ask for"],
  preferred_channel: ["希望的联系方式", "How should we contact you?"],
  channel_sms: ["短信", "Text message"],
  channel_phone: ["电话回访（不发短信）", "Phone call (no text messages)"],
  channel_none: ["不需要通知", "No messages"],
  submit: ["提交", "Submit"],
  submitting: ["正在提交…", "Submitting…"],
  submitted: ["已提交。您的受理编号是", "Submitted. Your tracking code is"],
  keep_code: ["请记下受理编号。", "Please keep the tracking code."],
  status_title: ["查询办理进度", "Check progress"],
  tracking_code: ["受理编号", "Tracking code"],
  phone_last4: ["手机号后四位", "Last four digits of the phone"],
  look_up: ["查询", "Look up"],
  state: ["办理状态", "State"],
  received_at: ["登记时间", "Received"],
  due_at: ["办理时限", "Due"],
  not_found: ["没有找到该事项，请核对受理编号和手机号后四位。", "No petition matches; check the tracking code and digits."],
  required: ["必填", "required"],
  error: ["出错了", "Something went wrong"],
  loading: ["正在加载…", "Loading…"],
  empty_worklist: ["没有待办工单。", "Nothing to do."],
  due: ["期限", "Due"],
  time_left: ["剩余", "Left"],
  overdue_by: ["已超期", "Overdue by"],
  status_ok: ["正常", "On time"],
  status_warning: ["临近", "Due soon"],
  status_overdue: ["超期", "Overdue"],
  days: ["天", "days"],
  hours: ["小时", "hours"],
  petitioner: ["信访人", "Petitioner"],
  unit: ["责任单位", "Unit"],
  period: ["统计期间", "Period"],
  overdue_by_unit: ["各单位超期件数", "Overdue now by unit"],
  on_time_trend: ["按月按期办结率", "On-time completion by month"],
  received: ["登记数", "Received"],
  overdue_now: ["当前超期", "Overdue now"],
  on_time_rate: ["按期办结率", "On-time rate"],
  export_csv: ["导出 CSV", "Export CSV"],
  actions: ["可办理的操作", "What you can do now"],
  console: ["热线受理台", "Hotline console"],
  incoming_call: ["来电", "Incoming call from"],
  waiting_for_call: ["等待来电…", "Waiting for a call…"],
  caller_history: ["该来电号码的历史事项", "This caller's petitions"],
  attach_call: ["关联到此件", "Attach the call"],
  intake: ["登记", "Register"],
  type: ["类型", "Type"],
  file: ["登记", "Register"],
  answer_and_close: ["当场答复办结", "Answer and close"],
  print_receipt: ["打印受理回执", "Print the acknowledgement"],
  open: ["打开", "Open"],
  type_consultation: ["咨询", "Consultation"],
  type_help: ["求助", "Request for help"],
  type_suggestion: ["建议", "Suggestion"],
  type_complaint: ["投诉", "Complaint"],
  type_report: ["举报", "Report"],
  type_formal: ["信访事项", "Formal petition"],
  type_legal_aid: ["法律援助申请", "Legal aid"],
  timeline: ["办理过程", "Timeline"],
  unmask: ["显示完整信息", "Show in full"],
  unmask_reason: ["查看完整个人信息的理由（将被记录）", "Why you need the full personal data (recorded)"],
  call_dont_text: ["请电话联系，勿发短信", "Call, don't text"],
  field_reason: ["理由", "Reason"],
  field_reply: ["答复内容", "Reply"],
  field_outcome: ["办理结果", "Outcome"],
  field_unit: ["单位编码", "Unit code"],
  field_days: ["延期天数", "Days"],
  field_satisfaction: ["满意度", "Satisfaction"],
  field_comment: ["备注", "Comment"],
  field_parent: ["主件编号", "Parent petition"],
  outcome_support: ["支持", "Supported"],
  outcome_explain: ["解释说明", "Explained"],
  outcome_not_supported: ["不支持", "Not supported"],
  satisfaction_very_satisfied: ["非常满意", "Very satisfied"],
  satisfaction_satisfied: ["满意", "Satisfied"],
  satisfaction_basically_satisfied: ["基本满意", "Basically satisfied"],
  satisfaction_dissatisfied: ["不满意", "Dissatisfied"],
  satisfaction_very_dissatisfied: ["非常不满意", "Very dissatisfied"],
  export_xlsx: ["导出 Excel", "Export Excel"],
} satisfies Record<string, [string, string]>;

export type WordKey = keyof typeof words;

const stored = typeof localStorage !== "undefined" ? localStorage.getItem("language") : null;
export const language = signal<Language>(stored === "en" ? "en" : "zh");

export function setLanguage(next: Language) {
  localStorage.setItem("language", next);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
  language.set(next);
}

export function t(key: WordKey): string {
  const entry = words[key];
  return entry ? entry[language.get() === "zh" ? 0 : 1] : "";
}

// A label from the API ({zh, en}) in the current language.
export function label(value: { zh: string; en: string } | undefined | null): string {
  if (!value) return "";
  return language.get() === "zh" ? value.zh : value.en;
}
