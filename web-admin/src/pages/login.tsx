import { useState } from "preact/hooks";

import { ApiError } from "../api";
import { call, User } from "../client";
import { errorText } from "../errors";
import { t } from "../i18n";

export function Login({ onLoggedIn }: { onLoggedIn: (user: User) => void }) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      const session = await call("post", "/api/v1/auth/login", { body: { login, password } });
      onLoggedIn(session.user);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t("login_failed") : errorText(err));
    }
  };
  return (
    <section aria-labelledby="login-title" class="card narrow">
      <h1 id="login-title">{t("staff_login")}</h1>
      <form onSubmit={submit}>
        <label for="login">{t("login_name")}</label>
        <input id="login" name="login" autoComplete="username" required value={login}
               onInput={(e) => setLogin(e.currentTarget.value)} />
        <label for="password">{t("password")}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required value={password}
               onInput={(e) => setPassword(e.currentTarget.value)} />
        {error && <p role="alert" class="error">{error}</p>}
        <button type="submit">{t("log_in")}</button>
      </form>
    </section>
  );
}
