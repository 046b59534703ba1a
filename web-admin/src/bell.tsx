// The bell on every staff page: the signed-in user's unread count, their messages behind it (newest first,
// each linking to its petition, marked read when opened), and a toast for the messages that bring new work
// (an order dispatched or handed down, a return, an extension to decide, a reply to check).
import { useEffect, useState } from "preact/hooks";

import { call, Schema } from "./client";
import { onEvent } from "./events";
import { localTime } from "./format";
import { language, t } from "./i18n";
import { navigate } from "./router";
import { useSignal } from "./signal";

type Message = Schema<"InboxMessage">;
interface Pushed {
  delivery_id: number;
  topic: string;
  title: string;
  text: string;
  petition_id: number | null;
}

const newWork = new Set(["dispatch", "hand_down", "return", "return_up", "request_extension", "reply_checking",
                         "send_back", "redo", "registered_emergency", "remind", "reminder", "supervised"]);

function Toasts({ toasts, close, open }: { toasts: Pushed[]; close: (id: number) => void; open: (p: Pushed) => void }) {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.map((toast) => (
        <div class="toast" key={toast.delivery_id}>
          <p><strong>{toast.title}</strong></p>
          <p>{toast.text}</p>
          {toast.petition_id && <button type="button" onClick={() => open(toast)}>{t("open_petition")}</button>}{" "}
          <button type="button" class="secondary" onClick={() => close(toast.delivery_id)}>{t("dismiss")}</button>
        </div>
      ))}
    </div>
  );
}

export function Bell() {
  useSignal(language);
  const [unread, setUnread] = useState(0);
  const [messages, setMessages] = useState<Message[]>([]);
  const [expanded, setExpanded] = useState(false);
  const [toasts, setToasts] = useState<Pushed[]>([]);
  const load = () =>
    call("get", "/api/v1/me/notifications", { query: { limit: 20 } })
      .then((r) => {
        setUnread(r.unread);
        setMessages(r.messages);
      })
      .catch(() => undefined);
  useEffect(() => {
    load();
    return onEvent<Pushed>("notification", (pushed) => {
      load();
      if (newWork.has(pushed.topic)) setToasts((all) => [pushed, ...all].slice(0, 3));
    });
  }, []);

  const markRead = async (ids?: number[]) => {
    const r = await call("post", "/api/v1/me/notifications/read", { body: ids ? { ids } : {} }).catch(() => null);
    if (r) setUnread(r.unread);
    setMessages((all) => all.map((m) => (!ids || ids.includes(m.id) ? { ...m, read: true } : m)));
  };
  const openMessage = (m: Message) => {
    if (!m.read) markRead([m.id]);
    setExpanded(false);
    if (m.petition) navigate(`/petitions/${m.petition.id}`);
  };
  const openToast = (pushed: Pushed) => {
    setToasts((all) => all.filter((x) => x.delivery_id !== pushed.delivery_id));
    markRead([pushed.delivery_id]);
    navigate(`/petitions/${pushed.petition_id}`);
  };

  return (
    <div class="bell">
      <button type="button" aria-expanded={expanded} aria-controls="inbox-panel" onClick={() => setExpanded(!expanded)}>
        {t("notifications")}
        {unread > 0 && <span class="badge">{unread}<span class="visually-hidden">{t("unread_suffix")}</span></span>}
      </button>
      {expanded && (
        <section id="inbox-panel" class="inbox" aria-labelledby="inbox-title">
          <h2 id="inbox-title">{t("notifications")}</h2>
          {unread > 0 && <button type="button" class="secondary" onClick={() => markRead()}>{t("mark_all_read")}</button>}
          {messages.length === 0 ? (
            <p>{t("no_notifications")}</p>
          ) : (
            <ul class="plain">
              {messages.map((m) => (
                <li key={m.id} class={m.read ? undefined : "unread"}>
                  <p>
                    {!m.read && <span class="tag">{t("unread")}</span>} <strong>{m.title}</strong>{" "}
                    <span class="muted">{localTime(m.at)}</span>
                  </p>
                  <p>{m.text}</p>
                  {m.petition ? (
                    <a href={`/petitions/${m.petition.id}`} onClick={(e) => { e.preventDefault(); openMessage(m); }}>
                      {t("open_petition")} {m.petition.tracking_code}
                    </a>
                  ) : !m.read && (
                    <button type="button" class="secondary" onClick={() => markRead([m.id])}>{t("mark_read")}</button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <Toasts toasts={toasts} open={openToast} close={(id) => setToasts((all) => all.filter((x) => x.delivery_id !== id))} />
    </div>
  );
}
