// Petitioners' text replies an operator must read: what was not recognised as a rating, what names no
// petition or several, and every dissatisfied rating (recorded, but the petitioner is to be asked why). The
// operator opens the petition to record the callback by hand, then marks the text handled.
import { Schema } from "../client";
import { t } from "../i18n";
import { localTime } from "../format";
import { navigate } from "../router";

export type SmsReply = Schema<"SmsReply">;

function outcomeText(reply: SmsReply): string {
  if (reply.outcome === "recorded" && reply.satisfaction)
    return t("sms_outcome_recorded").replace("{satisfaction}", t(`satisfaction_${reply.satisfaction}` as never));
  return t(`sms_outcome_${reply.outcome}` as never);
}

export function SmsReplyList({ replies, onHandled }: { replies: SmsReply[]; onHandled: (id: number) => void }) {
  return (
    <section aria-labelledby="sms-replies-title" class="card">
      <h2 id="sms-replies-title">{t("sms_replies")} ({replies.length})</h2>
      {replies.length === 0 ? (
        <p>{t("no_sms_replies")}</p>
      ) : (
        <ul class="plain sms-replies">
          {replies.map((r) => (
            <li key={r.id}>
              <p><span class="code">{r.from}</span> <span class="tag">{outcomeText(r)}</span>{" "}
                <span class="muted">{t("sms_received_at")} {localTime(r.received_at)}</span></p>
              <blockquote>{r.text}</blockquote>
              {r.petitions.length > 0 && (
                <p>{t("sms_petitions")}：
                  {r.petitions.map((p) => (
                    <a key={p.id} class="code" href={`/petitions/${p.id}`}
                      onClick={(e) => { e.preventDefault(); navigate(`/petitions/${p.id}`); }}>
                      {p.tracking_code}{" "}
                    </a>
                  ))}
                </p>
              )}
              <button type="button" aria-label={`${t("mark_sms_handled")}：${r.from}「${r.text.slice(0, 20)}」`}
                onClick={() => onHandled(r.id)}>{t("mark_sms_handled")}</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
