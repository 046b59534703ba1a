// Users and their roles for admins: the list, a form to add a user (with a first password), and a form to
// change one's name, unit, roles or to disable the account. Every change is audited by the server.
import { useEffect, useState } from "preact/hooks";

import { call, Schema } from "../client";
import { errorText } from "../errors";
import { language, t, WordKey } from "../i18n";
import { useSignal } from "../signal";
import { Unit } from "./admin_units";

type UserRow = Schema<"User">;
type Role = UserRow["roles"][number];

const roleNames: Role[] = ["operator", "handler", "manager", "proxy", "admin"];


function RoleChoices({ id, roles, set }: { id: string; roles: Role[]; set: (roles: Role[]) => void }) {
  return (
    <fieldset>
      <legend>{t("roles")}</legend>
      {roleNames.map((role) => (
        <label class="choice" key={role}>
          <input type="checkbox" name={`${id}-roles`} value={role} checked={roles.includes(role)}
                 onChange={(e) => set(e.currentTarget.checked ? [...roles, role] : roles.filter((r) => r !== role))} />
          {t(`role_${role}` as WordKey)}
        </label>
      ))}
    </fieldset>
  );
}

function UnitSelect({ id, units, value, set }: { id: string; units: Unit[]; value: string; set: (code: string) => void }) {
  return (
    <>
      <label for={id}>{t("unit")}</label>
      <select id={id} required value={value} onChange={(e) => set(e.currentTarget.value)}>
        <option value="">{t("choose")}</option>
        {units.filter((u) => u.active).map((u) => <option key={u.code} value={u.code}>{u.name}（{u.code}）</option>)}
      </select>
    </>
  );
}

function NewUser({ units, saved }: { units: Unit[]; saved: () => void }) {
  const empty = { login: "", display_name: "", unit: "", roles: [] as Role[], password: "" };
  const [user, setUser] = useState(empty);
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    setMessage("");
    try {
      await call("post", "/api/v1/users", { body: user });
      setMessage(t("user_added").replace("{login}", user.login));
      setUser(empty);
      saved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="new-user-title">
      <h3 id="new-user-title">{t("new_user")}</h3>
      <label for="new-user-login">{t("login_name")}</label>
      <input id="new-user-login" required maxLength={64} autocomplete="off" value={user.login} onInput={(e) => setUser({ ...user, login: e.currentTarget.value })} />
      <label for="new-user-name">{t("name")}</label>
      <input id="new-user-name" required maxLength={100} value={user.display_name} onInput={(e) => setUser({ ...user, display_name: e.currentTarget.value })} />
      <UnitSelect id="new-user-unit" units={units} value={user.unit} set={(unit) => setUser({ ...user, unit })} />
      <RoleChoices id="new-user" roles={user.roles} set={(roles) => setUser({ ...user, roles })} />
      <label for="new-user-password">{t("first_password")}</label>
      <input id="new-user-password" type="password" required minLength={10} autocomplete="new-password" value={user.password}
             onInput={(e) => setUser({ ...user, password: e.currentTarget.value })} />
      {error && <p role="alert" class="error">{error}</p>}
      {message && <p role="status" class="success">{message}</p>}
      <button type="submit">{t("add")}</button>
    </form>
  );
}

function EditUser({ users, units, saved }: { users: UserRow[]; units: Unit[]; saved: () => void }) {
  const [id, setId] = useState(0);
  const [draft, setDraft] = useState<{ display_name: string; unit: string; roles: Role[]; active: boolean } | null>(null);
  const [error, setError] = useState("");
  const [message, setMessage] = useState("");
  const [newPassword, setNewPassword] = useState<{ login: string; password?: string } | null>(null);
  const choose = (value: number) => {
    setId(value);
    setMessage("");
    setNewPassword(null);
    const user = users.find((u) => u.id === value);
    setDraft(user ? { display_name: user.display_name, unit: user.unit.code, roles: user.roles, active: user.active } : null);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    try {
      if (draft) await call("patch", "/api/v1/users/{user_id}", { path: { user_id: id }, body: draft });
      setMessage(t("saved"));
      saved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const resetPassword = async () => {
    setError("");
    setMessage("");
    try {
      setNewPassword(await call("post", "/api/v1/users/{user_id}/password", { path: { user_id: id }, body: {} }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="edit-user-title">
      <h3 id="edit-user-title">{t("edit_user")}</h3>
      <label for="edit-user">{t("login_name")}</label>
      <select id="edit-user" value={id} onChange={(e) => choose(Number(e.currentTarget.value))}>
        <option value={0}>{t("choose")}</option>
        {users.map((u) => <option key={u.id} value={u.id}>{u.login}（{u.display_name}）</option>)}
      </select>
      {draft && (
        <>
          <label for="edit-user-name">{t("name")}</label>
          <input id="edit-user-name" required maxLength={100} value={draft.display_name} onInput={(e) => setDraft({ ...draft, display_name: e.currentTarget.value })} />
          <UnitSelect id="edit-user-unit" units={units} value={draft.unit} set={(unit) => setDraft({ ...draft, unit })} />
          <RoleChoices id="edit-user" roles={draft.roles} set={(roles) => setDraft({ ...draft, roles })} />
          <label class="choice">
            <input type="checkbox" checked={draft.active} onChange={(e) => setDraft({ ...draft, active: e.currentTarget.checked })} />
            {t("active")}
          </label>
          {error && <p role="alert" class="error">{error}</p>}
          {message && <p role="status" class="success">{message}</p>}
          <button type="submit">{t("save")}</button>{" "}
          <button type="button" class="secondary" onClick={resetPassword}>{t("reset_password")}</button>
          {newPassword && (
            <div role="status" class="once">
              <p>{t("password_reset_shown_once").replace("{login}", newPassword.login)}</p>
              <p><code id="reset-password-value">{newPassword.password}</code></p>
            </div>
          )}
        </>
      )}
    </form>
  );
}

export function Users({ units }: { units: Unit[] }) {
  useSignal(language);
  const [users, setUsers] = useState<UserRow[]>([]);
  const load = () => {
    call("get", "/api/v1/users").then((r) => setUsers(r.users));
  };
  useEffect(load, []);
  return (
    <>
      <table>
        <thead><tr><th scope="col">{t("login_name")}</th><th scope="col">{t("name")}</th><th scope="col">{t("unit")}</th><th scope="col">{t("roles")}</th></tr></thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.login}{!u.active && ` (${t("inactive")})`}</td><td>{u.display_name}</td><td>{u.unit.name}</td>
              <td>{u.roles.map((r) => t(`role_${r}` as WordKey) || r).join("、")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="columns">
        <NewUser units={units} saved={load} />
        <EditUser users={users} units={units} saved={load} />
      </div>
    </>
  );
}
